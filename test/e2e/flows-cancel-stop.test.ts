// Ending work as a person does: `/omp cancel` on a run stuck in a tool, `/omp stop` on a session.
// Real omp against the fake model; the bash tool really runs `sleep 300`.

import { readdirSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import type { APIEmbed } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_STATES } from "../../src/dashboard/index.js";
import { formatDuration } from "../../src/format/index.js";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  readDashboard,
  startBotHarness,
} from "../support/bot-harness.js";
import { bashThenReply, heldReply, reply } from "../support/fake-model/index.js";
import { SLEEP } from "../support/processes.js";

/** Pids of live `sleep 300` processes started for ompcord session `sessionId` (found by their environment). */
function sleepersOf(sessionId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv[0] !== "sleep" && !argv[0]?.endsWith("/sleep")) continue;
      if (argv[1] !== "300") continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (env.includes(`OMPCORD_SESSION_ID=${sessionId}`)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The dashboard's Elapsed field. */
function elapsedOf(embed: APIEmbed | undefined): string | undefined {
  return embed?.fields?.find((f) => f.name === "Elapsed")?.value;
}

/** How long the Elapsed field says the run has been going when read at `readAt`: `7s`, `1m 2s`, or a live Discord timestamp. */
function shownElapsedMs(value: string | undefined, readAt: number): number {
  const stamp = /<t:(\d+):R>/.exec(value ?? "");
  if (stamp) return readAt - Number(stamp[1]) * 1000;
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  return [...(value ?? "").matchAll(/(\d+)([dhms])/g)].reduce(
    (ms, [, n, unit]) => ms + Number(n) * units[unit!]!,
    0,
  );
}

/** Polls `check` (the process table changes without telling the emulator) until it holds. */
async function until(check: () => boolean, what: string, timeoutMs = RUN_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("cancelling and stopping", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("`/omp cancel` during a `bash` tool running `sleep 300` leaves the dashboard Degraded with a cancel note, no sleep behind, and the queued prompt still runs", async () => {
    h.model.on("build the sleepy target", bashThenReply(`${SLEEP} 300`, "The build finished."));
    h.model.on("after the cancel", reply("Still here after the cancel."));

    const { thread } = await h.launch("build the sleepy target");
    const session = h.app!.store.getSessionByThread(thread.id)!;
    await until(() => sleepersOf(session.id).length > 0, "the tool's `sleep 300` running");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy" && d.text.includes("bash"));
    const toolShownAt = Date.now();

    // More than 5 s into the run, and 4 s after the last output (a quiet tool: no edit for up to 15 s),
    // the elapsed time on the dashboard is still true: Discord counts it from the run's start.
    const run = h.app!.store.latestRun(session.id)!;
    const start = run.startedAt.getTime();
    await until(
      () => Date.now() - start > 6_000 && Date.now() - toolShownAt > 4_000,
      "the run going for more than 5 s, quietly",
    );
    const readAt = Date.now();
    const shown = elapsedOf(h.dashboard(thread.id)!.embeds[0]);
    expect(shownElapsedMs(shown, readAt), `Elapsed "${shown}"`).toBeGreaterThanOrEqual(
      readAt - start - 2_000,
    );
    expect(shown).toBe(`started <t:${Math.floor(start / 1000)}:R>`);

    const queued = await h.command(h.alice, thread.id, "say", { prompt: "after the cancel, are you there?" });
    expect(answerText(queued)).toContain("#2 in line");

    const cancel = await h.command(h.alice, thread.id, "cancel");
    expect(answerText(cancel)).toContain("Run cancelled");
    expect(answerText(cancel)).toContain("1 queued prompt goes on");

    await until(() => sleepersOf(session.id).length === 0, "no `sleep 300` left");

    const next = await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.text.includes("#2") && d.text.includes("after the cancel"),
    );
    // The cancelled run was shown as Degraded with its note before the next prompt took over.
    const degraded = next.message.history.filter(
      (v) => v.embeds[0]?.color === DASHBOARD_STATES.degraded.color,
    );
    expect(degraded.length).toBeGreaterThan(0);
    // The cancelled run shows how long it really ran (it was cut after more than 5 s).
    const ended = h.app!.store.getRun(run.id)!;
    const ranMs = ended.endedAt!.getTime() - ended.startedAt.getTime();
    expect(ranMs).toBeGreaterThan(5_000);
    expect(degraded.map((v) => elapsedOf(v.embeds[0]))).toContain(formatDuration(ranMs));
    expect(
      degraded.some((v) => v.embeds[0]?.fields?.some((f) => f.name === "Note" && /cancel/i.test(f.value))),
    ).toBe(true);
    await h.emu.waitFor(
      () => h.botPosts(thread.id).find((m) => m.content.includes("Still here after the cancel.")),
      { timeoutMs: EVENT_WAIT_MS, what: "the queued prompt's answer" },
    );
    expect(h.botPosts(thread.id).some((m) => m.content.includes("Run #1 was cancelled"))).toBe(true);
    expect(h.botPosts(thread.id).some((m) => m.content.includes("The build finished."))).toBe(false);
    expect(h.app!.store.latestRun(session.id)?.runNumber).toBe(2);

    // With nothing running, a cancel only tells the caller so.
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#2"));
    const idleCancel = await h.command(h.alice, thread.id, "cancel");
    expect(idleCancel.original?.ephemeral).toBe(true);
    expect(answerText(idleCancel)).toContain("Nothing is running");
  });

  it("`/omp stop` archives the thread, leaves the dashboard saying stopped, keeps the rows, and a later `/omp say` is refused privately", async () => {
    // Held mid-answer and never let go: the run is busy until the session is stopped.
    h.model.on("a long job to stop", heldReply("This answer is held ", "until the session stops.").step);
    h.model.on("never runs", reply("This should never be answered."));

    const { thread } = await h.launch("a long job to stop");
    const session = h.app!.store.getSessionByThread(thread.id)!;
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    await h.command(h.alice, thread.id, "say", { prompt: "this never runs" });

    const stop = await h.command(h.alice, thread.id, "stop");
    expect(answerText(stop)).toContain("Session stopped");
    expect(answerText(stop)).toContain("1 queued prompt was dropped");

    await h.emu.waitFor(() => (h.emu.channel(thread.id)?.archived ? true : undefined), {
      timeoutMs: EVENT_WAIT_MS,
      what: "the thread archived",
    });
    const final = readDashboard(h.dashboard(thread.id)!);
    expect(final.text).toMatch(/stopped/i);
    expect(final.state).not.toBe("busy");
    const buttons = final.message.components.flatMap((row) =>
      "components" in row ? (row.components as { custom_id?: string; disabled?: boolean }[]) : [],
    );
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.every((b) => b.disabled)).toBe(true);

    // The rows stay as history, as another reader of the database file sees them.
    const db = new Database(h.config.databasePath, { readonly: true });
    try {
      const row = db.prepare("SELECT stopped_at FROM sessions WHERE id = ?").get(session.id) as {
        stopped_at: number | null;
      };
      expect(row.stopped_at).not.toBeNull();
      const prompts = db
        .prepare("SELECT text, status FROM prompts WHERE session_id = ? ORDER BY position")
        .all(session.id) as { text: string; status: string }[];
      expect(prompts.map((p) => p.text)).toEqual(["a long job to stop", "this never runs"]);
      expect(prompts.map((p) => p.status)).toEqual(["cancelled", "cancelled"]);
      const runs = db.prepare("SELECT ended_at FROM runs WHERE session_id = ?").all(session.id) as {
        ended_at: number | null;
      }[];
      expect(runs).toHaveLength(1);
      expect(runs[0]!.ended_at).not.toBeNull();
    } finally {
      db.close();
    }
    const store = h.app!.store;

    const later = await h.command(h.alice, thread.id, "say", { prompt: "one more thing" });
    expect(later.original?.ephemeral ?? later.followUps[0]?.ephemeral).toBe(true);
    expect(answerText(later)).toMatch(/stopped/i);
    expect(h.emu.channel(thread.id)?.archived).toBe(true);
    expect(store.countQueued(session.id)).toBe(0);
    expect(h.model.requestsMatching("never runs")).toEqual([]);
    expect(h.model.requestsMatching("one more thing")).toEqual([]);
  });
});
