// When omp cannot run or the thread goes away (SPEC §7 subprocess faults): omp missing paints the
// dashboard Failed with a reason naming OMP_BIN; omp exiting at once paints Degraded with the reason;
// a thread deleted while its run is busy stops the session and cancels the run, and the bot stays up;
// a deleted dashboard message (the thread still there) is replaced and the session goes on.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DASHBOARD_STATES } from "../../src/dashboard/index.js";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { heldReply, slowReply } from "../support/fake-model/index.js";

describe("omp missing", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ omp: "/nonexistent/omp" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the dashboard turns Failed (red) with a reason naming OMP_BIN, and the bot keeps answering", async () => {
    const { thread } = await h.launch("anything at all");
    const failed = await h.waitForDashboard(thread.id, (d) => d.state === "failed");
    expect(failed.message.embeds[0]?.color).toBe(0xe74c3c);
    expect(DASHBOARD_STATES.failed.color).toBe(0xe74c3c);
    expect(failed.text).toMatch(/OMP_BIN/);
    expect(failed.text).toContain("/nonexistent/omp");
    const session = h.app!.ctx.sessions.byThread(thread.id)!;
    expect(session.state).toBe("failed");
    expect(h.model.requests).toHaveLength(0);
    // Still alive and able to say so.
    const status = await h.command(h.alice, h.world.channelId, "status");
    expect(answerText(status)).not.toBe("");
  });
});

describe("omp exiting at once", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ omp: "fake" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the dashboard turns Degraded (orange) with the exit reason, and the session takes prompts again", async () => {
    const { thread } = await h.launch("exit-now 3");
    const degraded = await h.waitForDashboard(thread.id, (d) => d.state === "degraded");
    expect(degraded.message.embeds[0]?.color).toBe(0xe67e22);
    expect(degraded.text).toMatch(/\b3\b|fake-omp: exit-now/);
    const note = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && /Run #1 (failed|crashed)/.test(m.content),
      { timeoutMs: EVENT_WAIT_MS },
    );
    expect(note.content).toMatch(/exit|code 3|exit-now/i);
    const next = await h.command(h.alice, thread.id, "say", { prompt: "try again" });
    expect(answerText(next)).toMatch(/Queued/);
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("try again"));
  });
});

describe("a thread deleted while its run is busy", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("stops the session, cancels the run, leaves no omp behind, and the bot stays up", async () => {
    // Held mid-answer and never let go: the run is surely busy when the thread goes.
    h.model.on("stream slowly", heldReply("tick\ntick\n", "tick\n".repeat(600)).step);
    const { thread } = await h.launch("stream slowly");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy" && d.text.includes("tick"));
    const session = h.app!.ctx.sessions.byThread(thread.id)!;
    const running = h
      .app!.store.sqlite.prepare("SELECT id, pid FROM runs WHERE session_id = ? AND ended_at IS NULL")
      .get(session.id) as { id: string; pid: number };
    expect(running.pid).toBeGreaterThan(0);

    h.emu.deleteChannel(thread.id);

    // The store changes outside the emulator: poll it.
    const stopped = await vi.waitFor(
      () => {
        const row = h.app!.ctx.sessions.byId(session.id);
        const run = h.app!.store.getRun(running.id);
        expect(row?.stoppedAt).toBeTruthy();
        expect(run?.endedAt).toBeTruthy();
        return { row: row!, run: run! };
      },
      { timeout: EVENT_WAIT_MS, interval: 100 },
    );
    expect(stopped.run.outcome).toBe("cancelled");
    expect(isAlive(running.pid)).toBe(false);

    // The bot is still up: it answers commands and launches new sessions.
    const status = await h.command(h.alice, h.world.channelId, "status");
    expect(answerText(status)).not.toBe("");
    h.model.on("after the deletion", slowReply("still here", 50, 0));
    const { thread: next } = await h.launch("after the deletion");
    await h.emu.waitForMessage((m) => m.channelId === next.id && m.content.includes("still here"), {
      timeoutMs: RUN_WAIT_MS,
    });
  });
});

describe("a dashboard message deleted while its run is busy", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("gets a fresh pinned dashboard, and the session and its run go on", async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `step ${i + 1} of the plan`).join("\n");
    // Held mid-answer until the replacement dashboard is there, then let go.
    const held = heldReply(`${lines}\n`, "all steps done");
    h.model.on("keep going", held.step);
    const { thread, dashboard } = await h.launch("keep going");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy" && d.text.includes("step"));

    // A moderator deletes the pinned dashboard; the thread stays.
    h.emu.core.store.deleteMessage(h.emu.core.store.messages.get(dashboard.id)!);

    const replacement = await h.emu.waitFor(
      () => h.emu.pins(thread.id).find((m) => m.id !== dashboard.id && m.author.bot),
      { timeoutMs: EVENT_WAIT_MS, what: "a new pinned dashboard" },
    );
    held.release();
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("all steps done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    const done = await h.waitForDashboard(thread.id, (d) => d.state === "idle");
    expect(done.message.id).toBe(replacement.id);
    const session = h.app!.ctx.sessions.byThread(thread.id)!;
    expect(session.stoppedAt).toBeNull();
    expect(session.dashboardMessageId).toBe(replacement.id);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
