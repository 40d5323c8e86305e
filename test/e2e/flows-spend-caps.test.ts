// Spend caps as a person meets them: a run stopped at its token cap with a note saying which cap and the
// figures, then a day over its cap refusing a queued prompt, a 🚀, `/omp new` and `/omp say` until the
// next day. Real omp against the fake model, which reports usage on every answer (15 tokens unless told).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  LAUNCH_EMOJI,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { bashThenReply, heldReply, type Step } from "../support/fake-model/index.js";
import { SLEEP } from "../support/processes.js";
import { expectPrivateRefusal } from "../support/refusals.js";

describe("spend caps", () => {
  let h: BotHarness;
  beforeAll(async () => {
    // A run may use 10 tokens; the day 20 (all channels together), counted in UTC.
    h = await startBotHarness({ env: { OMPCORD_CAP_RUN_TOKENS: "10", OMPCORD_CAP_DAY_TOKENS: "20" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a run that reaches its token cap is stopped mid-tool, with a note naming the cap and the figures", async () => {
    // The tool call's answer reports 15 tokens; the tool would then sleep for five minutes.
    h.model.on("spend a lot", bashThenReply(`${SLEEP} 300`, "never reached"));
    const { thread } = await h.launch("spend a lot please");
    const note = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("🛑"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(note.content).toContain("Run #1 was stopped");
    expect(note.content).toContain("per-run token cap (15 tokens used, cap 10 tokens)");
    expect(note.content).toContain("OMPCORD_CAP_RUN_TOKENS");
    await h.waitForDashboard(thread.id, (d) => d.state === "degraded");
    const session = h.app!.store.getSessionByThread(thread.id)!;
    const run = h.app!.store.latestRun(session.id)!;
    expect(run.outcome).toBe("cancelled");
    expect(run.tokens).toBe(15);
    // Stopped long before the tool's five minutes: the run was cut, not waited out.
    expect(run.endedAt!.getTime() - run.startedAt.getTime()).toBeLessThan(300_000);
  });

  it("once the day's runs reach the day cap, a queued prompt is not run and new launches are refused until midnight UTC", async () => {
    const held = heldReply("thinking", " small answer");
    const small = held.step as Extract<Step, { kind: "text" }>;
    h.model.on("a small one", { ...small, usage: { prompt_tokens: 3, completion_tokens: 2 } });
    h.model.on("queued behind", heldReply("never").step);
    const { thread } = await h.launch("a small one");
    await held.reached;
    // 15 tokens spent today so far: a follow-up is still accepted.
    const queued = await h.command(h.alice, thread.id, "say", { prompt: "queued behind the small one" });
    expect(answerText(queued)).toMatch(/Queued/);
    held.release();

    // The small run brings the day to 20 tokens: the queued prompt comes up and is refused.
    const dropped = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("⏸"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(dropped.content).toContain("The queued prompt was not run");
    expect(dropped.content).toContain(
      "daily token cap (all channels together) (20 tokens used, cap 20 tokens)",
    );
    expect(dropped.content).toMatch(/\d{4}-\d\d-\d\d 00:00 UTC/);
    const session = h.app!.store.getSessionByThread(thread.id)!;
    expect(h.app!.store.countQueued(session.id)).toBe(0);
    expect(h.model.requestsMatching("queued behind")).toEqual([]);

    const say = await h.command(h.alice, thread.id, "say", { prompt: "one more today?" });
    expectPrivateRefusal(say, /daily token cap .* no new run starts until the next day begins at .* UTC/);

    const fresh = await h.command(h.alice, h.world.channelId, "new", { prompt: "a new session today?" });
    expectPrivateRefusal(fresh, /daily token cap/);

    const threadsBefore = h.emu.threads().length;
    const message = h.emu.as(h.alice).postMessage(h.world.channelId, "launch me today");
    h.emu.as(h.alice).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const notice = await h.emu.waitForMessage((m) => m.author.bot && m.referencedMessageId === message.id, {
      timeoutMs: EVENT_WAIT_MS,
    });
    expect(notice.content).toMatch(/daily token cap .* 00:00 UTC/);
    expect(h.emu.threads().length).toBe(threadsBefore);
  });
});
