// Throughput: a fake omp printing 1 000 000 lines as fast as it can, through the whole output path
// (split → parse → render → redact → batch → transcript); lines/s, peak RSS growth, nothing lost.
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createOmpRunner, type OutputLine } from "../../src/omp/index.js";
import { LineBatcher } from "../../src/output/batcher.js";
import type { Scenario } from "./types.js";

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const FAKE_OMP = resolve(import.meta.dirname, "../../test/support/fake-omp/fake-omp.mjs");

/** Counts transcript lines and checks they are `line 1` … `line N` in order, streaming the file. */
async function verifyTranscript(path: string): Promise<{ lines: number; inOrder: boolean }> {
  let count = 0;
  let inOrder = true;
  const reader = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of reader) {
    count++;
    if (inOrder && line !== `line ${count}`) inOrder = false;
  }
  return { lines: count, inOrder };
}

export const throughput: Scenario = {
  name: "throughput",
  description: `fake omp floods ${LINES} lines; lines/s through the runner, batcher and transcript, peak RSS growth`,
  async run({ log }) {
    const scratch = mkdtempSync(join(tmpdir(), "ompcord-bench-"));
    const runner = createOmpRunner({
      bin: FAKE_OMP,
      runTimeoutMs: 600_000,
      secrets: ["bench-secret-value-123"],
      overlayPath: join(scratch, "overlay.yml"),
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 10);
    let flushed = 0;
    let flushes = 0;
    let dropped = 0;
    // The dashboard's side: a batcher whose flush takes 50 ms, like a Discord edit.
    const batcher = new LineBatcher<OutputLine>({
      flush: async (batch, info) => {
        flushes++;
        flushed += batch.length;
        dropped += info.dropped;
        await new Promise((r) => setTimeout(r, 50));
      },
    });
    const transcriptPath = join(scratch, "transcript.txt");
    const started = performance.now();
    const result = await runner.start({
      prompt: `flood ${LINES}`,
      cwd: scratch,
      sessionDir: join(scratch, "session"),
      sessionId: "bench",
      transcriptPath,
      onLine: (line) => batcher.push(line),
    }).done;
    await batcher.end();
    const elapsedMs = performance.now() - started;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    log(
      `run ${result.outcome} in ${elapsedMs.toFixed(0)} ms, ${result.lineCount} lines; verifying the transcript`,
    );
    const transcript = await verifyTranscript(transcriptPath);
    rmSync(scratch, { recursive: true, force: true });
    return {
      linesRequested: LINES,
      outcome: result.outcome,
      lineCount: result.lineCount,
      transcriptLines: transcript.lines,
      transcriptInOrder: transcript.inOrder,
      noLineLost: transcript.lines === LINES && transcript.inOrder,
      elapsedMs: Math.round(elapsedMs),
      linesPerSecond: Math.round((result.lineCount / elapsedMs) * 1000),
      stdoutMB: Number((result.outputBytes / 1024 / 1024).toFixed(1)),
      rssBeforeMB: Number((rssBefore / 1024 / 1024).toFixed(1)),
      rssPeakMB: Number((rssPeak / 1024 / 1024).toFixed(1)),
      rssGrowthMB: Number(((rssPeak - rssBefore) / 1024 / 1024).toFixed(1)),
      batcher: { flushes, linesFlushed: flushed, linesDroppedAsStale: dropped },
      target: "rssGrowthMB <= 50, noLineLost",
    };
  },
};
