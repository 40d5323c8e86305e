// Runner overhead: the same prompt as a bare `omp -p` and through the runner (neutralise, env, JSON
// parsing, redaction, transcript), alternating so both see the same machine load; median of ratios.
// The bare run gets the very arguments the runner builds (same overlay, same JSON mode), so the ratio
// measures the runner's own cost, not a difference in omp settings.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOmpRunner } from "../../src/omp/index.js";
import { reply, startFakeModel } from "../../test/support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN } from "../../test/support/omp-home.js";
import { timeBareOmp } from "./bare-omp.js";
import { alternatingPairs, median, type Scenario } from "./types.js";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
const PROMPT = "benchmark prompt: reply with one short line";

export const runnerOverhead: Scenario = {
  name: "runner-overhead",
  description:
    "wall time of one trivial prompt: bare `omp -p` (same arguments) vs through OmpRunner (ratio, median of pairs)",
  async run({ log }) {
    const model = await startFakeModel();
    model.on("benchmark prompt", reply("A short benchmark reply."));
    const home = createOmpHome(model.baseUrl);
    const scratch = mkdtempSync(join(tmpdir(), "ompcord-bench-"));
    const runner = createOmpRunner({
      bin: OMP_BIN,
      model: FAKE_MODEL_ID,
      runTimeoutMs: 60_000,
      maxRetries: 1,
      env: home.env,
      overlayPath: join(scratch, "overlay.yml"),
    });
    let b = 0;
    const bare = async () => {
      b++;
      return timeBareOmp({
        home,
        overlayPath: join(scratch, "overlay.yml"),
        sessionDir: join(scratch, `bare-session-${b}`),
        maxTimeMs: 60_000,
        prompt: PROMPT,
      });
    };
    let n = 0;
    const throughRunner = async () => {
      n++;
      const started = performance.now();
      const result = await runner.start({
        prompt: PROMPT,
        cwd: home.workDir,
        sessionDir: join(scratch, `session-${n}`),
        sessionId: `bench-${n}`,
        transcriptPath: join(scratch, `transcript-${n}.txt`),
      }).done;
      if (result.outcome !== "success") throw new Error(`runner run failed: ${result.error}`);
      return performance.now() - started;
    };
    try {
      const {
        bareMs,
        measuredMs: runnerMs,
        ratios,
      } = await alternatingPairs({
        pairs: PAIRS,
        bare,
        measured: throughRunner,
        label: "runner",
        log,
      });
      return {
        pairs: PAIRS,
        bareMs: bareMs.map(Math.round),
        runnerMs: runnerMs.map(Math.round),
        medianBareMs: Math.round(median(bareMs)),
        medianRunnerMs: Math.round(median(runnerMs)),
        medianRatio: Number(median(ratios).toFixed(3)),
        target: "medianRatio <= 1.05",
      };
    } finally {
      await model.close();
      home.cleanup();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
