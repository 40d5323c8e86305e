// Graceful shutdown (SPEC §7) with the bot as a real process: SIGTERM during a run stops new work, lets
// the run finish within the grace period or cancels it after, paints the final dashboard, closes the
// database cleanly and exits 0 with no omp process left behind.

import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_STOPPED_LOOK } from "../../src/dashboard/index.js";
import { isAlive } from "../../src/omp/index.js";
import { waitUntil } from "../../src/omp/kill.js";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  LAUNCH_EMOJI,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import type { BotProcess } from "../support/bot-process.js";
import { bashThenReply, heldReply } from "../support/fake-model/index.js";
import { processesMatching, SLEEP, taggedSeconds } from "../support/processes.js";

const TOOL_SECONDS = taggedSeconds(288);

/** Pids of live processes whose command line contains `needle` (arguments joined by spaces). */
interface DbFacts {
  integrity: string;
  prompts: { text: string; status: string }[];
  runs: { pid: number | null; outcome: string | null; ended_at: number | null }[];
}

/**
 * The shutdown grace periods of the two tests. While it runs the test checks that no new work is taken,
 * which needs a few answers from the bot: seconds on a loaded machine. The first test's run ends when the
 * test lets it, so its grace period costs nothing; the second test waits its grace period out.
 */
const GRACE_LET_FINISH = "2m";
const GRACE_OUTLIVED = "20s";

describe("graceful shutdown on SIGTERM", () => {
  let h: BotHarness;
  let bot: BotProcess | undefined;
  const ompPids: number[] = [];

  const startBot = async (shutdownGrace: string) => {
    bot = await h.spawnBot({ env: { OMPCORD_SHUTDOWN_GRACE: shutdownGrace } });
    return bot;
  };
  const botIsRunning = () =>
    bot !== undefined && bot.child.exitCode === null && bot.child.signalCode === null;

  /** What a fresh connection finds after the bot exited; the bot must have left no WAL behind. */
  const reopenDatabase = (): DbFacts => {
    const db = new Database(h.config.databasePath, { fileMustExist: true });
    try {
      return {
        integrity: db.pragma("integrity_check", { simple: true }) as string,
        prompts: db
          .prepare("select text, status from prompts order by created_at")
          .all() as DbFacts["prompts"],
        runs: db
          .prepare("select pid, outcome, ended_at from runs order by started_at")
          .all() as DbFacts["runs"],
      };
    } finally {
      db.close();
    }
  };

  /** SIGTERM, then wait until the bot says it stopped taking work. */
  const terminate = async (running: BotProcess) => {
    running.child.kill("SIGTERM");
    expect(await waitUntil(() => running.output().includes("shutting down"), EVENT_WAIT_MS, 20)).toBe(true);
  };

  /** While shutting down: a `/omp say` is refused, and a 🚀 on a fresh message opens no thread. */
  const expectNoNewWork = async (threadId: string) => {
    const say = await h.command(h.alice, threadId, "say", { prompt: "one more thing" });
    expect(answerText(say)).toContain("shutting down");
    const fresh = h.emu.as(h.alice).postMessage(h.world.channelId, "a launch during shutdown");
    h.emu.as(h.alice).react(h.world.channelId, fresh.id, LAUNCH_EMOJI);
    // Gateway events reach the bot in order: once this is answered, the reaction was handled.
    await h.command(h.alice, h.world.channelId, "status");
    expect(h.emu.threads(h.world.channelId).some((t) => t.id === fresh.id)).toBe(false);
  };

  beforeAll(async () => {
    h = await startBotHarness();
    // The harness starts the app in-process; this file needs it as a process it can signal.
    await h.app?.stop({ graceMs: 0 });
    h.app = undefined;
  });
  afterAll(async () => {
    if (botIsRunning()) {
      bot!.child.kill("SIGKILL");
      await bot!.exited;
    }
    for (const pid of [...processesMatching(`${SLEEP} ${TOOL_SECONDS}`), ...ompPids]) {
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    }
    await h?.close();
  });

  it("lets a run that ends within the grace period finish, posts its answer and exits 0", async () => {
    const answer = "A graceful answer that outlives the SIGTERM.";
    // Held mid-answer while the test checks that no new work is taken, then let go: the rest of the run
    // is a moment's work, well inside the grace period.
    const held = heldReply("A graceful answer ", "that outlives the SIGTERM.");
    h.model.on("finish gracefully", held.step);
    const running = await startBot(GRACE_LET_FINISH);
    const { thread } = await h.launch("finish gracefully please");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy" && d.text.includes("finish gracefully"));
    // SIGTERM once the model is streaming: the run is mid-answer, and omp's start-up is behind it.
    await held.reached;

    await terminate(running);
    await expectNoNewWork(thread.id);
    held.release();
    expect(await running.exited).toEqual({ code: 0, signal: null });

    // The run finished and everything it produced landed before the exit.
    const posted = h.botPosts(thread.id).map((m) => m.content);
    expect(posted.join("\n")).toContain(answer);
    expect(h.dashboard(thread.id)?.embeds[0]?.color).toBe(0x2ecc71); // Idle
    expect(existsSync(`${h.config.databasePath}-wal`)).toBe(false);
    const facts = reopenDatabase();
    expect(facts.integrity).toBe("ok");
    expect(facts.prompts).toEqual([{ text: "finish gracefully please", status: "done" }]);
    expect(facts.runs).toHaveLength(1);
    expect(facts.runs[0]).toMatchObject({ outcome: "success" });
    expect(facts.runs[0]?.ended_at).not.toBeNull();
    ompPids.push(facts.runs[0]!.pid!);
    expect(isAlive(facts.runs[0]!.pid!)).toBe(false);
  });

  it("cancels a run that outlives the grace period, paints it ⏸ bot stopped, records it interrupted, leaves no process and exits 0", async () => {
    h.model.on("outlive the grace", bashThenReply(`${SLEEP} ${TOOL_SECONDS}`, "never"));
    const running = await startBot(GRACE_OUTLIVED);
    const { thread } = await h.launch("outlive the grace period");
    expect(
      await waitUntil(() => processesMatching(`${SLEEP} ${TOOL_SECONDS}`).length > 0, RUN_WAIT_MS, 100),
      "omp runs the tool command",
    ).toBe(true);

    await terminate(running);
    await expectNoNewWork(thread.id);
    expect(await running.exited).toEqual({ code: 0, signal: null });

    const final = h.dashboard(thread.id);
    // Nobody cancelled it and the session can run again: not 🟠 "cancelled", not 🔴 Failed.
    expect(final?.embeds[0]?.color).toBe(BOT_STOPPED_LOOK.color);
    expect(JSON.stringify(final?.embeds[0])).toContain("ompcord stopped during this run");
    expect(JSON.stringify(final?.embeds[0])).not.toMatch(/cancel/i);
    expect(processesMatching(`${SLEEP} ${TOOL_SECONDS}`)).toEqual([]);
    expect(existsSync(`${h.config.databasePath}-wal`)).toBe(false);
    const facts = reopenDatabase();
    expect(facts.integrity).toBe("ok");
    expect(facts.prompts.at(-1)).toEqual({ text: "outlive the grace period", status: "interrupted" });
    const run = facts.runs.at(-1)!;
    expect(run.outcome).toBe("interrupted");
    ompPids.push(run.pid!);
    expect(isAlive(run.pid!)).toBe(false);
  });
});
