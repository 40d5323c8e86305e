// Sandbox overhead: the same trivial prompt through the runner without and with the bubblewrap sandbox,
// alternating so both see the same machine load (median of per-pair ratios); and the sandbox's own
// start-up cost: preparing a run's directories (its private home, the copy of the model settings) and
// `bwrap … /bin/true` against `/bin/true` alone, each as the median of alternating pairs.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { createOmpRunner, type OmpRunner } from "../../src/omp/index.js";
import { reply, startFakeModel } from "../../test/support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN } from "../../test/support/omp-home.js";
import { createTestSandbox, launchDirOf } from "../../test/support/sandbox.js";
import { alternatingPairs, median, type Scenario } from "./types.js";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
const START_PAIRS = Number(process.env.BENCH_START_PAIRS ?? 30);
const PROMPT = "benchmark prompt: reply with one short line";
const TRUE = ["/usr/bin/true", "/bin/true"].find((path) => existsSync(path)) ?? "/bin/true";

export const sandboxOverhead: Scenario = {
  name: "sandbox-overhead",
  description:
    "wall time of one trivial prompt through OmpRunner without vs with the bubblewrap sandbox (ratio, median of pairs), and the sandbox's own start-up in ms",
  async run({ log }) {
    const model = await startFakeModel();
    model.on("benchmark prompt", reply("A short benchmark reply."));
    const home = createOmpHome(model.baseUrl);
    const scratch = mkdtempSync(join(tmpdir(), "ompcord-bench-sandbox-"));
    const dataDir = join(scratch, "data");
    const workRoot = join(scratch, "work");
    mkdirSync(workRoot);
    try {
      const sandbox = await createTestSandbox({ dataDir, workRoot, env: home.env });
      const runnerWith = (withSandbox: boolean): OmpRunner =>
        createOmpRunner({
          bin: OMP_BIN,
          model: FAKE_MODEL_ID,
          runTimeoutMs: 60_000,
          maxRetries: 1,
          env: home.env,
          overlayPath: join(dataDir, "omp-overlay.yml"),
          launchDir: launchDirOf(dataDir),
          sandbox: withSandbox ? sandbox : undefined,
        });
      const plain = runnerWith(false);
      const sandboxed = runnerWith(true);
      let n = 0;
      const timeRun = (runner: OmpRunner) => async () => {
        n++;
        const workDir = join(workRoot, `s${n}`);
        mkdirSync(workDir);
        const started = performance.now();
        const result = await runner.start({
          prompt: PROMPT,
          cwd: workDir,
          sessionDir: join(dataDir, "omp-sessions", `s${n}`),
          sessionId: `s${n}`,
          transcriptPath: join(scratch, `transcript-${n}.txt`),
        }).done;
        if (result.outcome !== "success") throw new Error(`run failed: ${result.error}`);
        return performance.now() - started;
      };
      const runs = await alternatingPairs({
        pairs: PAIRS,
        bare: timeRun(plain),
        measured: timeRun(sandboxed),
        label: "sandboxed",
        log,
      });

      // The sandbox alone: its preparation, then bwrap starting and ending a process that does nothing.
      const workDir = join(workRoot, "start-up");
      mkdirSync(workDir);
      const prepareMs: number[] = [];
      const prepare = () => {
        const started = performance.now();
        const prepared = sandbox.prepare({
          sessionId: "start-up",
          workDir,
          sessionDir: join(dataDir, "omp-sessions", "start-up"),
          files: [join(dataDir, "omp-overlay.yml")],
        });
        prepareMs.push(performance.now() - started);
        return prepared;
      };
      const command = prepare().command;
      const timeSpawn = (file: string, args: string[]) => async () => {
        const started = performance.now();
        await execa(file, args, { cwd: launchDirOf(dataDir), stdin: "ignore" });
        return performance.now() - started;
      };
      const start = await alternatingPairs({
        pairs: START_PAIRS,
        bare: timeSpawn(TRUE, []),
        measured: timeSpawn(command[0]!, [...command.slice(1), TRUE]),
        label: "bwrap",
        log: () => {},
      });
      for (let i = 0; i < START_PAIRS; i++) prepare();
      const bwrapMs = start.measuredMs.map((t, i) => t - start.bareMs[i]!);
      return {
        pairs: PAIRS,
        plainMs: runs.bareMs.map(Math.round),
        sandboxedMs: runs.measuredMs.map(Math.round),
        medianPlainMs: Math.round(median(runs.bareMs)),
        medianSandboxedMs: Math.round(median(runs.measuredMs)),
        medianRatio: Number(median(runs.ratios).toFixed(3)),
        target: "medianRatio <= 1.05",
        sandboxStartUp: {
          pairs: START_PAIRS,
          medianPrepareMs: Number(median(prepareMs).toFixed(1)),
          medianBwrapMs: Number(median(bwrapMs).toFixed(1)),
          medianBareTrueMs: Number(median(start.bareMs).toFixed(1)),
          medianTotalMs: Number((median(prepareMs) + median(bwrapMs)).toFixed(1)),
        },
        account: sandbox.user,
      };
    } finally {
      await model.close();
      home.cleanup();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
