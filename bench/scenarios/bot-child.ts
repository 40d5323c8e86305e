// The bot for benchmarks, alone in its own process so its memory and event loop are measured without the
// emulator or the driver. It runs the compiled bot (`dist/`, as `npm start` does) under plain node: tsx's
// loader thread alone adds about 40 MB of RSS that production does not have. Config comes from the
// environment as main.ts loads it, plus the dashboard edit hook; over IPC the child answers `report`
// with its figures and `stop` by shutting down.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";

const ROOT = resolve(import.meta.dirname, "../..");
const DIST = resolve(ROOT, "dist");

/** What the child reports: every dashboard edit with output in it, memory and event-loop figures. */
export interface BotChildReport {
  /**
   * Per edit that showed new output: the session, when it landed (bot clock, ms) and its lags (ms) from
   * the newest/oldest line's arrival.
   */
  edits: { sessionId: string; at: number; newestLagMs: number; oldestLagMs: number }[];
  /** All edits Discord accepted, with or without new output. */
  editCount: number;
  rssPeakMB: number;
  rssAtReportMB: number;
  heapPeakMB: number;
  eventLoopDelayMs: { mean: number; p50: number; p99: number; max: number };
  /** CPU time (user + system) the bot used since it was ready or since the last reset. */
  cpuMs: number;
}

export type BotChildRequest = { type: "report"; reset?: boolean } | { type: "stop" };

let built: Promise<void> | undefined;

/**
 * Compiles the bot into `dist/` (`npm run build:bot`: the TypeScript and the run supervisor beside it),
 * once per bench process, so the child runs today's code.
 */
export function buildBot(): Promise<void> {
  built ??= execa("npm", ["run", "build:bot"], { cwd: ROOT, stdin: "ignore" }).then(() => undefined);
  return built;
}

/** The child's program (plain JavaScript for `node --input-type=module -e`). */
export function botChildScript(): string {
  const app = pathToFileURL(resolve(DIST, "app.js")).href;
  const config = pathToFileURL(resolve(DIST, "config/index.js")).href;
  return `
import { monitorEventLoopDelay } from "node:perf_hooks";
const { startOmpcord } = await import(${JSON.stringify(app)});
const { loadConfig } = await import(${JSON.stringify(config)});

const edits = [];
let editCount = 0;
let rssPeak = 0;
let heapPeak = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let cpuFrom = process.cpuUsage();
const sample = () => {
  const memory = process.memoryUsage();
  rssPeak = Math.max(rssPeak, memory.rss);
  heapPeak = Math.max(heapPeak, memory.heapUsed);
};
setInterval(sample, 100).unref();
const onDashboardEdit = (info) => {
  editCount++;
  if (info.newestLineAt === undefined) return;
  edits.push({
    sessionId: info.sessionId,
    at: info.at,
    newestLagMs: info.at - info.newestLineAt,
    oldestLagMs: info.at - (info.oldestLineAt ?? info.newestLineAt),
  });
};
const app = await startOmpcord(loadConfig(), { env: process.env, onDashboardEdit });
sample();
loopDelay.enable();
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
process.on("message", (request) => {
  if (request.type === "report") {
    sample();
    process.send({
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
      cpuMs: Math.round(((cpu) => (cpu.user + cpu.system) / 1000)(process.cpuUsage(cpuFrom))),
    });
    if (request.reset) {
      edits.length = 0;
      editCount = 0;
      rssPeak = 0;
      heapPeak = 0;
      loopDelay.reset();
      cpuFrom = process.cpuUsage();
    }
  } else if (request.type === "stop") {
    void app.stop({ graceMs: 0 }).finally(() => process.exit(0));
  }
});
// The marker BotProcess.ready() waits for; the app's own "ready" line may be below the log level.
process.stdout.write("ompcord ready (bench child)\\n");
`;
}
