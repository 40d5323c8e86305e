// The bot for benchmarks, alone in its own process so its memory and event loop are measured without the
// emulator or the driver: config from the environment as main.ts loads it, plus the dashboard edit hook.
// Over IPC it answers `report` with its figures and `stop` by shutting down.

import { monitorEventLoopDelay } from "node:perf_hooks";
import { startOmpcord } from "../../src/app.js";
import { loadConfig } from "../../src/config/index.js";
import type { DashboardEditInfo } from "../../src/discord/live/index.js";

/** What the child reports: every dashboard edit with output in it, memory and event-loop figures. */
export interface BotChildReport {
  /** Per edit that showed new output: the session and its lags (ms) from the newest/oldest line's arrival. */
  edits: { sessionId: string; newestLagMs: number; oldestLagMs: number }[];
  /** All edits Discord accepted, with or without new output. */
  editCount: number;
  rssPeakMB: number;
  rssAtReportMB: number;
  heapPeakMB: number;
  eventLoopDelayMs: { mean: number; p50: number; p99: number; max: number };
}

export type BotChildRequest = { type: "report"; reset?: boolean } | { type: "stop" };

const edits: BotChildReport["edits"] = [];
let editCount = 0;
let rssPeak = 0;
let heapPeak = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

const sample = () => {
  const memory = process.memoryUsage();
  rssPeak = Math.max(rssPeak, memory.rss);
  heapPeak = Math.max(heapPeak, memory.heapUsed);
};
setInterval(sample, 100).unref();

const onEdit = (info: DashboardEditInfo) => {
  editCount++;
  if (info.newestLineAt === undefined) return;
  edits.push({
    sessionId: info.sessionId,
    newestLagMs: info.at - info.newestLineAt,
    oldestLagMs: info.at - (info.oldestLineAt ?? info.newestLineAt),
  });
};

const app = await startOmpcord(loadConfig(), { env: process.env, onDashboardEdit: onEdit });
sample();
loopDelay.enable();
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;

process.on("message", (request: BotChildRequest) => {
  if (request.type === "report") {
    sample();
    const report: BotChildReport = {
      edits: edits.slice(),
      editCount,
      rssPeakMB: mb(rssPeak),
      rssAtReportMB: mb(process.memoryUsage().rss),
      heapPeakMB: mb(heapPeak),
      eventLoopDelayMs: {
        mean: ms(loopDelay.mean),
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      },
    };
    process.send?.(report);
    if (request.reset) {
      edits.length = 0;
      editCount = 0;
      rssPeak = 0;
      heapPeak = 0;
      loopDelay.reset();
    }
  } else if (request.type === "stop") {
    void app.stop({ graceMs: 0 }).finally(() => process.exit(0));
  }
});
// The marker BotProcess.ready() waits for; the app's own "ready" line may be below the log level.
process.stdout.write("ompcord ready (bench child)\n");
