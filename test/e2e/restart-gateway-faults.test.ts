// Discord faults during a run (SPEC §7): the gateway connection drops and the next REST calls answer
// 5xx while omp is streaming. The run completes, the dashboard catches up to its final state, and a
// message sent while the bot was disconnected still reaches it (RESUME replays it) and gets answered.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { heldReply, reply } from "../support/fake-model/index.js";

const FAILED_CALLS = 3;

describe("gateway drop and REST 5xx during a run", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("completes the run, catches the dashboard up and loses no message", async () => {
    const steady = "Steady answer, streamed while Discord misbehaves.";
    // Held mid-answer while Discord misbehaves, then let go.
    const held = heldReply("Steady answer, ", "streamed while Discord misbehaves.");
    h.model.on("steady work", held.step);
    h.model.on("during the drop", reply("Heard you during the drop."));

    const { thread } = await h.launch("steady work through the faults");
    // The run is in flight once the model streams.
    await held.reached;
    const before = h.emu.counters;

    expect(h.emu.faults.dropGateway({ resumable: true })).toBeGreaterThan(0);
    h.emu.faults.failNextRequests(FAILED_CALLS, { status: 503 });
    // Sent while the bot is disconnected: only a RESUME replay brings it to the bot.
    h.emu.as(h.alice).postMessage(thread.id, "during the drop: are you still there?");
    held.release();

    // The run's answer lands despite the faults.
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes(steady),
      { timeoutMs: RUN_WAIT_MS },
    );
    // The message from the disconnected moment ran as the next prompt and got its answer.
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Heard you during the drop."),
      { timeoutMs: RUN_WAIT_MS },
    );
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("during the drop"));

    const after = h.emu.counters;
    expect(after.injectedFailures - before.injectedFailures).toBe(FAILED_CALLS);
    expect(after.gateway.resumes - before.gateway.resumes).toBeGreaterThanOrEqual(1);
    // Both prompts ran to the end; nothing is left queued or running.
    const store = h.app!.store;
    const session = store.getSessionByThread(thread.id)!;
    expect(store.runCount(session.id)).toBe(2);
    expect(store.latestRun(session.id)?.outcome).toBe("success");
    expect(store.countQueued(session.id)).toBe(0);
    expect(store.runningPrompt(session.id)).toBeUndefined();
  });
});
