// 50 sessions at once (issue 4): 50 🚀 launches with the global cap at 50, each fake omp printing
// 10 000 lines at full speed. Figures: 429s the emulator served, stdout → Discord dashboard lag, edits per
// dashboard, the bot's RSS peak and event-loop delay. The bot runs alone in a child process.
// `bot-flood-loaded` (issue 7) runs the same flood twice in one run, on an idle machine and then with
// every core kept busy by other processes (as an agent's builds and tests do on a real host), and
// reports both side by side.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { MessageView } from "@ompcord/discord-emulator";
import { spawnBotProcess } from "../../test/support/bot-process.js";
import { type BotChildReport, type BotChildRequest, botChildScript, buildBot } from "./bot-child.js";
import { FAKE_OMP_BIN, LAUNCH_EMOJI, pollUntil, startBotWorld, summary } from "./bot-world.js";
import { median, type Scenario } from "./types.js";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const LINES = Number(process.env.BENCH_LINES ?? 10_000);

const isTranscriptPost = (m: MessageView) => m.attachments.some((a) => a.filename.startsWith("transcript-"));

/** One flood: launches, waits for every transcript and every dashboard's last state, returns the figures. */
async function flood(log: (message: string) => void): Promise<Record<string, unknown>> {
  await buildBot();
  const w = await startBotWorld({ ompBin: FAKE_OMP_BIN });
  const bot = spawnBotProcess({
    env: w.env({ OMP_MAX_CONCURRENT_RUNS: String(SESSIONS) }),
    cwd: w.dataDir,
    script: botChildScript(),
    ipc: true,
    logFile: join(w.dataDir, "bot.log"),
  });
  const ask = (request: BotChildRequest) =>
    new Promise<BotChildReport>((done) => {
      bot.child.once("message", (report) => done(report as BotChildReport));
      bot.child.send(request);
    });
  try {
    await bot.ready(120_000);
    const idle = await ask({ type: "report", reset: true });
    log(`bot ready, RSS ${idle.rssAtReportMB} MB`);
    w.emu.resetCounters();

    const alice = w.emu.as(w.world.users.alice.id);
    const messages = Array.from({ length: SESSIONS }, (_, i) =>
      alice.postMessage(w.world.channelId, `flood ${LINES} (session ${i + 1})`),
    );
    const startedAt = Date.now();
    for (const message of messages) alice.react(w.world.channelId, message.id, LAUNCH_EMOJI);

    const threadOf = (messageId: string) =>
      w.emu.threads(w.world.channelId).find((t) => t.id === messageId || t.starterMessageId === messageId);
    const finished = () =>
      messages.every((m) => {
        const thread = threadOf(m.id);
        return thread !== undefined && w.emu.messages(thread.id).some(isTranscriptPost);
      });
    await pollUntil(finished, `${SESSIONS} sessions posting their transcripts`, 900_000, 500);
    const wallMs = Date.now() - startedAt;
    // When the last transcript landed, by the emulator's clock: wallMs is only as fine as the poll step.
    const lastTranscriptMs =
      Math.max(
        ...messages.map((m) =>
          Math.max(
            ...w.emu
              .messages(threadOf(m.id)!.id)
              .filter(isTranscriptPost)
              .map((t) => t.createdAt.getTime()),
          ),
        ),
      ) - startedAt;
    // The last edits may still be settling behind the transcript posts.
    await pollUntil(
      () =>
        messages.every((m) => {
          const pinned = w.emu.pins(threadOf(m.id)!.id)[0];
          return pinned?.embeds[0]?.color === 0x2ecc71;
        }),
      "every dashboard Idle",
      120_000,
    );
    const report = await ask({ type: "report" });
    const counters = w.emu.counters;
    const editsPerDashboard = messages.map(
      (m) => (w.emu.pins(threadOf(m.id)!.id)[0]?.history.length ?? 1) - 1,
    );
    const showsTail = messages.filter((m) =>
      JSON.stringify(w.emu.pins(threadOf(m.id)!.id)[0]?.embeds ?? []).includes(`line ${LINES}`),
    ).length;

    const lagNewest = summary(report.edits.map((e) => e.newestLagMs));
    const lagOldest = summary(report.edits.map((e) => e.oldestLagMs));
    // Each dashboard's last edit with output shows the run's last lines after its answer and transcript
    // were posted; the earlier ones are paced by the edit interval alone. Apart, they say where lag is.
    const lastEditAt = new Map<string, number>();
    for (const edit of report.edits) {
      lastEditAt.set(edit.sessionId, Math.max(lastEditAt.get(edit.sessionId) ?? 0, edit.at));
    }
    const isLast = (edit: BotChildReport["edits"][number]) => lastEditAt.get(edit.sessionId) === edit.at;
    const lagNewestLast = summary(report.edits.filter(isLast).map((e) => e.newestLagMs));
    const lagNewestEarlier = summary(report.edits.filter((e) => !isLast(e)).map((e) => e.newestLagMs));
    log(
      `${SESSIONS} sessions done in ${wallMs} ms; 429s ${counters.rateLimited}; lag p95 ${lagNewest.p95} ms, p99 ${lagNewest.p99} ms`,
    );
    return {
      sessions: SESSIONS,
      linesPerSession: LINES,
      wallMs,
      lastTranscriptMs,
      rateLimited: counters.rateLimited,
      rateLimitedByRoute: counters.rateLimitedByRoute,
      rateLimitedByScope: counters.rateLimitedByScope,
      totalRequests: counters.totalRequests,
      requestsPerSecond: Math.round((counters.totalRequests / wallMs) * 1000 * 10) / 10,
      lagNewestLineMs: lagNewest,
      lagOldestLineMs: lagOldest,
      lagNewestLineByEditMs: { lastEditOfEachDashboard: lagNewestLast, earlierEdits: lagNewestEarlier },
      editsPerDashboard: {
        min: Math.min(...editsPerDashboard),
        median: median(editsPerDashboard),
        max: Math.max(...editsPerDashboard),
      },
      dashboardsShowingLastLine: showsTail,
      botRssIdleMB: idle.rssAtReportMB,
      botRssPeakMB: report.rssPeakMB,
      botHeapPeakMB: report.heapPeakMB,
      eventLoopDelayMs: report.eventLoopDelayMs,
      botCpuMs: report.cpuMs,
      lagDefinition:
        "per dashboard edit carrying new output: edit accepted by the emulator (bot clock) minus the arrival at the bot of the newest (or oldest) output line it showed first",
    };
  } finally {
    if (bot.child.connected) bot.child.send({ type: "stop" } satisfies BotChildRequest);
    const exit = await Promise.race([bot.exited, new Promise((done) => setTimeout(done, 15_000))]);
    if (!exit) bot.child.kill("SIGKILL");
    await w.close();
  }
}

export const botFlood: Scenario = {
  name: "bot-flood",
  description: `${SESSIONS} sessions launched at once (cap ${SESSIONS}), fake omp printing ${LINES} lines each at full speed: 429s, stdout → dashboard lag, edits, bot RSS and event-loop delay`,
  async run({ log }) {
    const figures = await flood(log);
    const lag = figures.lagNewestLineMs as ReturnType<typeof summary>;
    return {
      ...figures,
      targets: {
        rateLimited: { target: 0, met: figures.rateLimited === 0 },
        lagP95Ms: { target: 2000, met: lag.p95 <= 2000 },
        lagP99Ms: { target: 3000, met: lag.p99 <= 3000 },
        botRssPeakMB: { target: 200, met: (figures.botRssPeakMB as number) <= 200 },
      },
    };
  },
};

/** Processes that keep every core busy: plain spin loops (stress-ng is not installed by default). */
interface CpuHogs {
  readonly count: number;
  /** CPU seconds the hogs used so far, read from /proc (what proves the cores were taken). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

function startCpuHogs(count: number): CpuHogs {
  const hogs: ChildProcess[] = Array.from({ length: count }, () =>
    spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }),
  );
  const cpuSecondsOf = (pid: number | undefined) => {
    try {
      // Fields 14 and 15 of /proc/<pid>/stat (after the command in parentheses): user and system ticks.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return 0;
    }
  };
  let last = 0;
  return {
    count,
    cpuSeconds: () => {
      const now = hogs.reduce((sum, hog) => sum + cpuSecondsOf(hog.pid), 0);
      last = Math.max(last, now);
      return last;
    },
    async stop() {
      await Promise.all(
        hogs.map(
          (hog) =>
            new Promise<void>((done) => {
              if (hog.exitCode !== null || hog.signalCode !== null) return done();
              hog.once("exit", () => done());
              hog.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}

export const botFloodLoaded: Scenario = {
  name: "bot-flood-loaded",
  description: `bot-flood twice in one run: on an idle machine, then with every core kept busy by spinning processes for the whole flood; figures side by side`,
  async run({ log }) {
    log("idle machine:");
    const idle = await flood((message) => log(`  ${message}`));
    const cores = cpus().length;
    const hogs = startCpuHogs(cores);
    log(`loaded machine: ${hogs.count} processes spinning on ${cores} cores`);
    const loadStartedAt = Date.now();
    let loaded: Record<string, unknown>;
    let hogShare: number;
    let loadAverageAtEnd: number[];
    try {
      loaded = await flood((message) => log(`  ${message}`));
      // Share of the cores the hogs got: they compete with the bot, the emulator and omp, not idle CPU.
      hogShare = hogs.cpuSeconds() / (((Date.now() - loadStartedAt) / 1000) * cores);
      loadAverageAtEnd = loadavg().map((v) => Number(v.toFixed(2)));
    } finally {
      await hogs.stop();
    }
    const lagIdle = idle.lagNewestLineMs as ReturnType<typeof summary>;
    const lagLoaded = loaded.lagNewestLineMs as ReturnType<typeof summary>;
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      idle,
      loaded: {
        ...loaded,
        cpuHogs: hogs.count,
        cpuHogsShareOfCores: Math.round(hogShare * 100) / 100,
        loadAverageAtEnd,
      },
      loadedOverIdle: {
        lagP50: ratio(lagLoaded.p50, lagIdle.p50),
        lagP95: ratio(lagLoaded.p95, lagIdle.p95),
        lagP99: ratio(lagLoaded.p99, lagIdle.p99),
        wall: ratio(loaded.wallMs as number, idle.wallMs as number),
      },
      targets: {
        idleRateLimited: { target: 0, met: idle.rateLimited === 0 },
        loadedRateLimited: { target: 0, met: loaded.rateLimited === 0 },
        loadedLagP95Ms: { target: 2500, met: lagLoaded.p95 <= 2500 },
        loadedLagP99Ms: { target: 4000, met: lagLoaded.p99 <= 4000 },
        loadedDashboardsOnLastLine: {
          target: SESSIONS,
          met: loaded.dashboardsShowingLastLine === SESSIONS,
        },
      },
    };
  },
};
