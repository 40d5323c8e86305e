// The model's usage limit, as people meet it: the run waits for the reset instead of failing, the
// dashboard says when it resumes with a Stop waiting button, a queued thread says why it waits for a
// slot, and the run goes on by itself after the reset. Real omp against the fake model, whose first
// answer is a usage-limit error with a reset hint.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, EVENT_WAIT_MS, readDashboard, startBotHarness } from "../support/bot-harness.js";
import { buttonId, buttonsOf, privateAnswer } from "../support/components.js";
import { reply, usageLimitThenReply } from "../support/fake-model/index.js";

const WAITING_LINE = /Paused: ⏳ usage limit: resumes <t:(\d+):t> \(<t:\1:R>\)/;

describe("usage limits", () => {
  let h: BotHarness;
  beforeAll(async () => {
    // omp waits for a usage reset only with retries on; one run at a time, so a second thread queues.
    h = await startBotHarness({ env: { OMP_MAX_RETRIES: "1", OMP_MAX_CONCURRENT_RUNS: "1" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a run waits for the reset with ⏳ and Stop waiting; a queued thread says why; Stop waiting cancels, only for allowed users", async () => {
    // Ten minutes: the run is still waiting whatever the machine's speed.
    h.model.on("hits the usage limit", usageLimitThenReply(600, reply("never shown")));
    h.model.on("queued behind the limit", reply("Queued answer."));
    const { thread } = await h.launch("hits the usage limit");
    const session = h.app!.store.getSessionByThread(thread.id)!;
    const waiting = await h.waitForDashboard(thread.id, (d) => WAITING_LINE.test(d.text));
    expect(waiting.state).toBe("busy");
    const resumesAt = Number(WAITING_LINE.exec(waiting.text)![1]) * 1000;
    expect(resumesAt).toBeGreaterThan(Date.now());
    const stopId = buttonId(waiting.message, /stop waiting/i);

    const { thread: second } = await h.launch("queued behind the limit");
    const queued = await h.waitForDashboard(second.id, (d) =>
      d.text.includes("1 of them is waiting for a usage limit to reset"),
    );
    expect(queued.text).toMatch(/Waiting for a free run slot \(1 of 1 in use; 1 of them is waiting/);

    const refused = await h.emu
      .as(h.bob)
      .clickButton({ messageId: waiting.message.id, customId: stopId })
      .waitForReply({ timeoutMs: EVENT_WAIT_MS });
    expect(privateAnswer(refused)).toMatch(/not on this bot's list of allowed users/);
    expect(h.app!.ctx.sessions.snapshot(session.id).running?.usageWait).toBeDefined();

    h.emu.as(h.alice).clickButton({ messageId: waiting.message.id, customId: stopId });
    const notice = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Run cancelled by"),
      { timeoutMs: EVENT_WAIT_MS },
    );
    expect(notice.mentionIds).toEqual([]);
    const degraded = await h.waitForDashboard(thread.id, (d) => d.state === "degraded");
    expect(degraded.text).not.toMatch(WAITING_LINE);
    expect(buttonsOf(degraded.message).some((b) => /stop waiting/i.test(b.label ?? ""))).toBe(false);
    expect(h.app!.store.latestRun(session.id)?.outcome).toBe("cancelled");

    // The slot is free: the queued thread runs and answers.
    await h.emu.waitFor(() => h.botPosts(second.id).find((m) => m.content.includes("Queued answer.")), {
      timeoutMs: EVENT_WAIT_MS * 2,
      what: "the queued thread's answer",
    });
  });

  it("after the reset the run goes on by itself and its answer is posted as usual", async () => {
    h.model.on("waits a moment for the limit", usageLimitThenReply(5, reply("Answer after the reset.")));
    const { thread } = await h.launch("waits a moment for the limit");
    const session = h.app!.store.getSessionByThread(thread.id)!;
    await h.emu.waitFor(
      () => h.botPosts(thread.id).find((m) => m.content.includes("Answer after the reset.")),
      { timeoutMs: EVENT_WAIT_MS * 2, what: "the answer" },
    );
    const idle = await h.waitForDashboard(thread.id, (d) => d.state === "idle");
    expect(readDashboard(idle.message).text).not.toMatch(WAITING_LINE);
    expect(h.app!.store.latestRun(session.id)?.outcome).toBe("success");
    // It really waited: omp asked the model again after the error.
    expect(h.model.requestsMatching("waits a moment for the limit")).toHaveLength(2);
  });
});
