// 50 sessions at once (issue 4): 50 🚀 launches with the global cap at 50, each fake omp printing
// 10 000 lines at full speed. Figures: 429s the emulator served, stdout → Discord dashboard lag, edits per
// dashboard, the bot's RSS peak and event-loop delay. The bot runs alone in a child process.

import { join } from "node:path";
import type { MessageView } from "@ompcord/discord-emulator";
import { spawnBotProcess } from "../../test/support/bot-process.js";
import { type BotChildReport, type BotChildRequest, botChildScript, buildBot } from "./bot-child.js";
import { FAKE_OMP_BIN, LAUNCH_EMOJI, pollUntil, startBotWorld, summary } from "./bot-world.js";
import { median, type Scenario } from "./types.js";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const LINES = Number(process.env.BENCH_LINES ?? 10_000);

const isTranscriptPost = (m: MessageView) => m.attachments.some((a) => a.filename.startsWith("transcript-"));

export const botFlood: Scenario = {
  name: "bot-flood",
  description: `${SESSIONS} sessions launched at once (cap ${SESSIONS}), fake omp printing ${LINES} lines each at full speed: 429s, stdout → dashboard lag, edits, bot RSS and event-loop delay`,
  async run({ log }) {
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
      await bot.ready(60_000);
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
      await pollUntil(finished, `${SESSIONS} sessions posting their transcripts`, 600_000, 500);
      const wallMs = Date.now() - startedAt;
      // The last edits may still be settling behind the transcript posts.
      await pollUntil(
        () =>
          messages.every((m) => {
            const pinned = w.emu.pins(threadOf(m.id)!.id)[0];
            return pinned?.embeds[0]?.color === 0x2ecc71;
          }),
        "every dashboard Idle",
        60_000,
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
      log(
        `${SESSIONS} sessions done in ${wallMs} ms; 429s ${counters.rateLimited}; lag p95 ${lagNewest.p95} ms`,
      );
      return {
        sessions: SESSIONS,
        linesPerSession: LINES,
        wallMs,
        rateLimited: counters.rateLimited,
        rateLimitedByRoute: counters.rateLimitedByRoute,
        rateLimitedByScope: counters.rateLimitedByScope,
        totalRequests: counters.totalRequests,
        requestsPerSecond: Math.round((counters.totalRequests / wallMs) * 1000 * 10) / 10,
        lagNewestLineMs: lagNewest,
        lagOldestLineMs: lagOldest,
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
        targets: {
          rateLimited: { target: 0, met: counters.rateLimited === 0 },
          lagP95Ms: { target: 2000, met: lagNewest.p95 <= 2000 },
          lagP99Ms: { target: 3000, met: lagNewest.p99 <= 3000 },
          botRssPeakMB: { target: 200, met: report.rssPeakMB <= 200 },
        },
        lagDefinition:
          "per dashboard edit carrying new output: edit accepted by the emulator (bot clock) minus the arrival at the bot of the newest (or oldest) output line it showed first",
      };
    } finally {
      if (bot.child.connected) bot.child.send({ type: "stop" } satisfies BotChildRequest);
      const exit = await Promise.race([bot.exited, new Promise((done) => setTimeout(done, 15_000))]);
      if (!exit) bot.child.kill("SIGKILL");
      await w.close();
    }
  },
};
