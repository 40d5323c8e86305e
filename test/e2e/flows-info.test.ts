// `/omp status`, `/omp health` and `/omp version` as a person asks them: private answers describing the
// running bot. Real omp against the fake model.

import type { InteractionView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerText, type BotHarness, startBotHarness } from "../support/bot-harness.js";
import { heldReply } from "../support/fake-model/index.js";

/** The answer is only the caller's: ephemeral, and nothing of it reached the channel. */
function expectPrivate(h: BotHarness, view: InteractionView): void {
  const shown = [view.original, ...view.followUps].filter((m) => m !== null);
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.every((m) => m!.ephemeral)).toBe(true);
  expect(h.emu.messages(view.channelId).some((m) => m.interactionId === view.id)).toBe(false);
}

function embedField(view: InteractionView, name: string): string | undefined {
  const embeds = [view.original, ...view.followUps].flatMap((m) => m?.embeds ?? []);
  return embeds.flatMap((e) => e.fields ?? []).find((f) => f.name === name)?.value;
}

describe("information commands", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("`/omp health` answers privately with every check ✅: gateway, SQLite, omp binary, sidecar, sandbox, working directory, disk space", async () => {
    const view = await h.command(h.bob, h.world.channelId, "health");
    expectPrivate(h, view);
    const text = answerText(view);
    expect(text).toContain("All 7 checks passed");
    // One line per check under the title: `✅ **name** — detail`.
    const lines = text.split("\n").filter((l) => /^(✅|❌) \*\*/.test(l));
    expect(lines).toHaveLength(7);
    expect(lines.every((l) => l.startsWith("✅"))).toBe(true);
    for (const name of [
      "Discord gateway",
      "SQLite",
      "omp binary",
      "Sidecar API",
      "Sandbox",
      "Working directory",
      "Disk space",
    ]) {
      expect(lines.some((l) => l.includes(name))).toBe(true);
    }
    expect(lines.find((l) => l.includes("omp binary"))).toContain("18.2.3");
    expect(lines.find((l) => l.includes("Working directory"))).toContain(h.config.omp.workDir);
    expect(lines.find((l) => l.includes("Sandbox"))).toContain("each run sees only its working directory");
  });

  it("`/omp version` answers privately with the bot's version, omp 18.2.3 and the Node version", async () => {
    const view = await h.command(h.alice, h.world.channelId, "version");
    expectPrivate(h, view);
    expect(embedField(view, "ompcord")).toBe("0.1.0");
    expect(embedField(view, "omp")).toContain("18.2.3");
    expect(embedField(view, "Node.js")).toBe(process.version);
    expect(embedField(view, "PID")).toBe(String(process.pid));
  });

  it("`/omp status` answers privately with uptime, the running prompt counted, sessions and a healthy checklist", async () => {
    // Held mid-answer until the status has been read: the run is surely busy when it is counted.
    const held = heldReply("Busy for long enough ", "that the status counts it.");
    h.model.on("keep the status busy", held.step);
    const { thread } = await h.launch("keep the status busy");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");

    const view = await h.command(h.alice, thread.id, "status");
    expectPrivate(h, view);
    expect(answerText(view)).toContain("ompcord is running");
    expect(embedField(view, "Uptime")).toBeDefined();
    expect(embedField(view, "Gateway latency")).toBeDefined();
    expect(embedField(view, "Runs")).toMatch(/^1 running · 0 queued · 2 max$/);
    expect(embedField(view, "Sessions")).toMatch(/^1 active/);
    const health = embedField(view, "Health") ?? "";
    expect(health.split("\n")).toHaveLength(7);
    expect(health.split("\n").every((l) => l.startsWith("✅"))).toBe(true);
    held.release();
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
  });
});
