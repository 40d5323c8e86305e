// A channel's project holding omp plugins (`.omp/plugins/node_modules`), which omp would run as it
// starts: a launch there starts no omp, the session turns 🔴 Failed saying where they are and what to
// do, and once the person removed them the next prompt runs. The project is never touched by the bot.

import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";
import { plantOmpPlugin } from "../support/plants.js";

const RUN = { timeoutMs: RUN_WAIT_MS };

describe("a channel project holding omp plugins", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ channelProject: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("starts no omp, fails the session naming them and the fix, and runs once the person removed them", async () => {
    const project = h.home.workDir;
    const markers = join(project, ".markers");
    mkdirSync(markers, { recursive: true });
    plantOmpPlugin(join(project, ".omp", "plugins"), {
      tool: join(markers, "tool"),
      hook: join(markers, "hook"),
      extension: join(markers, "extension"),
    });
    const modules = join(project, ".omp", "plugins", "node_modules");

    const { thread } = await h.launch("work in the project");
    const failed = await h.waitForDashboard(thread.id, (d) => d.state === "failed", RUN.timeoutMs);
    expect(failed.text).toContain(modules);
    expect(failed.text).toContain("OMPCORD_TRUSTED_WORKDIRS");
    expect(h.model.requests).toHaveLength(0);
    expect(readdirSync(markers)).toEqual([]);
    expect(existsSync(join(modules, "planted-plugin", "tool.ts"))).toBe(true);

    rmSync(modules, { recursive: true });
    h.model.on("once they are gone", reply("Answered without the plugins."));
    await h.command(h.alice, thread.id, "say", { prompt: "once they are gone" });
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("Answered without the plugins."),
      RUN,
    );
    expect(readdirSync(markers)).toEqual([]);
  });
});
