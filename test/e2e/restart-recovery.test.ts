// Restart recovery (SPEC §7) with the bot as a real process: a run in flight and a prompt queued behind
// it, then `kill -9` of the bot and a fresh start. The run's supervisor ends omp and the tool command
// omp started as soon as the bot dies; the restart marks the run interrupted, the dashboard says what
// happened, and the queued prompt still runs.

import { readdirSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_STATES } from "../../src/dashboard/index.js";
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
import { bashThenReply, reply } from "../support/fake-model/index.js";
import { SLEEP } from "../support/processes.js";

/** A sleep nobody else on the machine runs: its pid is how the test finds omp's tool command. */
const TOOL_SECONDS = "287";

/** Pids of the tool command: `sleep 287` itself, or a shell running it. */
function toolCommandPids(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const isSleep = argv[0]?.endsWith("sleep") && argv[1] === TOOL_SECONDS;
      const isShell = argv.some((arg) => arg.includes(`${SLEEP} ${TOOL_SECONDS}`));
      if ((isSleep || isShell) && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

interface PromptRecord {
  text: string;
  status: string;
}
interface RunRecord {
  pid: number | null;
  outcome: string | null;
  run_number: number;
}

describe("restart with a queued prompt and a run in flight", () => {
  let h: BotHarness;
  let bot: BotProcess | undefined;
  let db: Database.Database | undefined;
  const ompPids: number[] = [];

  const startBot = async () => {
    bot = await h.spawnBot();
    return bot;
  };
  const readDb = () => {
    db ??= new Database(h.config.databasePath, { readonly: true, fileMustExist: true });
    return db;
  };

  beforeAll(async () => {
    h = await startBotHarness();
    // The harness starts the app in-process; this file needs it as a process it can kill.
    await h.app?.stop({ graceMs: 0 });
    h.app = undefined;
  });
  afterAll(async () => {
    db?.close();
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill("SIGKILL");
      await bot.exited;
    }
    // Whatever a failed run of this test left behind.
    for (const pid of [...toolCommandPids(), ...ompPids]) {
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    }
    await h?.close();
  });

  it("kill -9 of the bot leaves no omp or tool process; the restart marks the run interrupted, repaints Degraded, then runs the queued prompt", async () => {
    h.model.on("slow tool please", bashThenReply(`${SLEEP} ${TOOL_SECONDS}`, "The sleep finished."));
    h.model.on("after the restart", reply("Answered after the restart."));
    const first = await startBot();

    const { thread, message } = await h.launch("slow tool please, then report");
    // The run is in flight once omp has started the tool command.
    expect(await waitUntil(() => toolCommandPids().length > 0, RUN_WAIT_MS, 100), "omp runs the tool").toBe(
      true,
    );
    const queued = await h.command(h.alice, thread.id, "say", { prompt: "after the restart: what now?" });
    expect(answerText(queued)).not.toMatch(/🚫|not allowed|cannot/i);
    const runBefore = readDb().prepare("select pid, outcome, run_number from runs").all() as RunRecord[];
    expect(runBefore).toHaveLength(1);
    // The run recorded who its processes are: the supervisor (runs.pid) and omp under it.
    const recorded = readDb()
      .prepare("select role, pid, start_ticks as startTicks, boot_id as bootId from run_processes")
      .all() as { role: string; pid: number; startTicks: number; bootId: string }[];
    expect(recorded.map((p) => p.role)).toEqual(["supervisor", "omp"]);
    expect(recorded[0]!.pid).toBe(runBefore[0]!.pid);
    expect(recorded.every((p) => p.startTicks > 0 && p.bootId.length > 0)).toBe(true);
    const ompPid = recorded[1]!.pid;
    ompPids.push(runBefore[0]!.pid!, ompPid);
    const toolPids = toolCommandPids();

    expect(toolPids.length).toBeGreaterThan(0);

    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    // Nothing of the run outlives its bot, before any restart.
    const runPids = [runBefore[0]!.pid!, ompPid, ...toolPids];
    expect(
      await waitUntil(() => runPids.every((pid) => !isAlive(pid)), EVENT_WAIT_MS, 100),
      `still running after the bot died: ${runPids.filter((pid) => isAlive(pid)).join(", ")}`,
    ).toBe(true);
    const editsBefore = h.dashboard(thread.id)!.history.length;

    await startBot();

    const prompts = readDb()
      .prepare("select text, status from prompts order by position")
      .all() as PromptRecord[];
    expect(prompts[0]).toMatchObject({ text: "slow tool please, then report", status: "interrupted" });
    const firstRun = readDb()
      .prepare("select pid, outcome, run_number from runs where run_number = 1")
      .get() as RunRecord | undefined;
    expect(firstRun?.outcome).toBe("interrupted");

    // The queued prompt runs to its answer in the same thread.
    const answer = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Answered after the restart."),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(answer.mentionIds).toEqual([]);
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("after the restart"));
    expect(readDb().prepare("select status from prompts where text like 'after the restart%'").get()).toEqual(
      {
        status: "done",
      },
    );

    // In between, the restart repainted the same pinned dashboard as Degraded with the restart note.
    const dashboard = h.dashboard(thread.id)!;
    const repaints = dashboard.history.slice(editsBefore);
    const degraded = repaints.find((version) => version.embeds[0]?.color === DASHBOARD_STATES.degraded.color);
    expect(degraded, "a Degraded repaint after the restart").toBeDefined();
    expect(DASHBOARD_STATES.degraded.color).toBe(0xe67e22);
    expect(JSON.stringify(degraded?.embeds[0])).toContain("Interrupted by a restart");
    expect(h.emu.pins(thread.id)).toHaveLength(1);

    // A 🚀 on the already-launched message after the restart starts nothing.
    const threadsBefore = h.emu.threads(h.world.channelId).length;
    h.emu.as(h.alice).unreact(h.world.channelId, message.id, LAUNCH_EMOJI);
    h.emu.as(h.alice).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    // Gateway events reach the bot in order: once this command is answered, the reaction was handled.
    await h.command(h.alice, h.world.channelId, "status");
    expect(h.emu.threads(h.world.channelId)).toHaveLength(threadsBefore);
    expect(readDb().prepare("select count(*) as n from sessions").get()).toEqual({ n: 1 });
    expect(readDb().prepare("select count(*) as n from prompts").get()).toEqual({ n: 2 });
    // Two bot starts and the waits above, each with its own ceiling, on a machine that may be busy
    // (under stress-ng --cpu 2 this test took 150 s).
  }, 300_000);
});
