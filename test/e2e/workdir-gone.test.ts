// A working directory that goes away while the bot runs: `/omp health` shows it ❌ with the path and the
// fix, a prompt in a session there starts no omp and turns the session 🔴 Failed with the reason, and
// once the directory is back the next prompt runs. The default workspace is ompcord's own: it is
// created again before the next run instead.

import { existsSync, mkdirSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerText, type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";

/** A real omp run on a loaded machine: seconds, sometimes tens of them. */
const RUN = { timeoutMs: RUN_WAIT_MS };

describe("a working directory the person named, removed while the bot runs", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("shows ❌ in /omp health, fails the session with the reason without starting omp, and runs again once it is back", async () => {
    const workDir = h.config.omp.workDir;
    h.model.on("before it went", reply("Answered while the directory was there."));
    const { thread } = await h.launch("before it went");
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("Answered while"), RUN);
    await h.waitForDashboard(thread.id, (d) => d.state === "idle", RUN.timeoutMs);

    rmSync(workDir, { recursive: true });
    const health = answerText(await h.command(h.alice, h.world.channelId, "health"));
    expect(health).toContain(
      `❌ **Working directory** — working directory ${workDir} is gone: recreate it (mkdir -p ${workDir})`,
    );
    expect(health).toContain("1 of 7 checks failed");

    const requestsBefore = h.model.requests.length;
    await h.command(h.alice, thread.id, "say", { prompt: "while it is gone" });
    const failed = await h.waitForDashboard(thread.id, (d) => d.state === "failed", RUN.timeoutMs);
    expect(failed.text).toContain(`working directory ${workDir} is gone: recreate it (mkdir -p ${workDir})`);
    const note = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Run #2"),
      RUN,
    );
    expect(note.content).toContain(`working directory ${workDir} is gone`);
    expect(note.content).toContain("/omp say");
    expect(h.model.requests).toHaveLength(requestsBefore);
    expect(h.app!.ctx.sessions.byThread(thread.id)?.state).toBe("failed");

    mkdirSync(workDir);
    h.model.on("after it came back", reply("Answered once the directory was back."));
    await h.command(h.alice, thread.id, "say", { prompt: "after it came back" });
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("once the directory was back"),
      RUN,
    );
    await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.text.includes("after it came back"),
      RUN.timeoutMs,
    );
    expect(answerText(await h.command(h.alice, h.world.channelId, "health"))).toContain(
      "All 7 checks passed",
    );
  });
});

describe("the default workspace, removed while the bot runs", () => {
  let h: BotHarness;
  beforeAll(async () => {
    // An empty value is unset: the default workspace under the data dir, created at start.
    h = await startBotHarness({ env: { OMP_WORKDIR: "" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is created again before the next run, which answers", async () => {
    const workDir = h.config.omp.workDir;
    expect(workDir).toBe(`${h.config.dataDir}/workspace`);
    expect(existsSync(workDir)).toBe(true);
    rmSync(workDir, { recursive: true });

    h.model.on("in the default workspace", reply("Answered in a workspace made again."));
    const { thread } = await h.launch("in the default workspace");
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("workspace made again"),
      RUN,
    );
    expect(existsSync(workDir)).toBe(true);
    await h.waitForDashboard(thread.id, (d) => d.state === "idle", RUN.timeoutMs);
  });
});
