// Waiting does not eat the run's time (issue 10): a card left open longer than the whole run time limit
// pauses the bot's own limit, so the run goes on once someone approves instead of ending timed out.
// The wait is a lower bound (the card stays open at least this long), never a ceiling.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, EVENT_WAIT_MS, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { customIdOf } from "../support/components.js";

/** The run's working-time limit: long enough for omp to start on a loaded machine and reach its tool. */
const RUN_LIMIT_S = 30;
/** How long the card stays open: past the limit and the runner's slack (5 s), had the clock kept running. */
const CARD_OPEN_MS = (RUN_LIMIT_S + 10) * 1000;

describe("the run time limit while a card waits", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      env: { OMPCORD_APPROVALS: "writes", OMP_RUN_TIMEOUT: `${RUN_LIMIT_S}s`, OMPCORD_PINGS: "false" },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a card open longer than the run's whole limit pauses it: approved late, the run still answers", async () => {
    h.model.on("wait for me longer than the limit", [
      { kind: "tool", name: "bash", args: { command: "echo paused-clock-ok" } },
      { kind: "text", text: "finished after the long wait" },
    ]);
    const { thread } = await h.launch("wait for me longer than the limit");
    const card = await h.emu.waitForMessage(
      (m) =>
        m.channelId === thread.id &&
        m.author.bot &&
        (m.embeds[0]?.footer?.text ?? "").startsWith("Approval ") &&
        (m.components?.length ?? 0) > 0,
      { timeoutMs: RUN_WAIT_MS },
    );
    await new Promise((resolve) => setTimeout(resolve, CARD_OPEN_MS));
    const session = h.app!.ctx.sessions.byThread(thread.id)!;
    // Had the limit kept counting, the run would have ended timed out by now, cancelling the card.
    expect(h.app!.store.latestRun(session.id)?.endedAt ?? null).toBeNull();

    const click = h.emu
      .as(h.alice)
      .clickButton({ messageId: card.id, customId: customIdOf(card, "approve") });
    await click.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("finished after the long wait"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(h.app!.store.latestRun(session.id)?.outcome).toBe("success");
  });
});
