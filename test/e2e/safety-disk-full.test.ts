// A full disk as a person meets it: the run's transcript cannot be written (a writer that fails with
// ENOSPC is handed to the bot's transcript port), so the run fails and its thread says the disk is full
// and what to do; the bot stays up, logs it once however many runs hit it, and `/omp health` shows the
// data dir's free space. Real omp against the fake model, discord.js against the emulator.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";
import { fullDiskWriter } from "../support/full-disk.js";

describe("a full disk", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ openTranscript: () => fullDiskWriter() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("fails the run with a note saying the disk is full, and logs it once for two runs", async () => {
    h.model.on("write it down", reply("Here is what I found."));
    for (const prompt of ["write it down once", "write it down twice"]) {
      const { thread } = await h.launch(prompt);
      const note = await h.emu.waitForMessage(
        (m) => m.channelId === thread.id && m.author.bot && /Run #1 failed/.test(m.content),
        { timeoutMs: RUN_WAIT_MS },
      );
      expect(note.content).toContain("The disk is full: this run's transcript could not be written");
      await h.waitForDashboard(thread.id, (d) => d.state === "degraded");
      const session = h.app!.store.getSessionByThread(thread.id)!;
      const run = h.app!.store.latestRun(session.id)!;
      expect(run.outcome).toBe("failed");
      expect(run.error).toMatch(/disk is full/);
    }
    const logged = h
      .logText()
      .split("\n")
      .filter((line) => line.includes("disk full:"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('"code":"ENOSPC"');
  });

  it(
    "/omp health shows the data dir's free space",
    async () => {
      const health = await h.command(h.alice, h.world.channelId, "health");
      expect(answerText(health)).toMatch(/Disk space.*free for/);
    },
    EVENT_WAIT_MS * 2,
  );
});
