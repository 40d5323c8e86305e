// The OMP extension's cost to a run: the same prompt (a tool call, then a reply) through the runner
// without the extension, with it and a healthy sidecar, and with it and a sidecar that takes 10 s to
// answer every request. The three alternate in rotating order so all see the same machine load; the
// figures are medians of the per-round ratios to the run without the extension.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXTENSION_BUNDLE, ensureExtensionBundle } from "../../src/omp/extension.js";
import { createOmpRunner, type OmpRunner } from "../../src/omp/index.js";
import { createRedactor } from "../../src/output/redact.js";
import { startSidecar } from "../../src/sidecar/index.js";
import { bashThenReply, startFakeModel } from "../../test/support/fake-model/index.js";
import { createMemorySidecarPorts } from "../../test/support/memory-sidecar-ports.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN } from "../../test/support/omp-home.js";
import { median, type Scenario } from "./types.js";

const ROUNDS = Number(process.env.BENCH_PAIRS ?? 6);
const PROMPT = "extension benchmark: run one command, then answer";
/** How long the stalled sidecar takes over every request (the issue's "slow" sidecar). */
const STALL_MS = 10_000;

export const extensionOverhead: Scenario = {
  name: "extension-overhead",
  description:
    "wall time of one run (a tool call, then a reply): without the OMP extension vs with it (healthy sidecar) vs with it and a sidecar answering after 10 s (ratios, median of rounds)",
  async run({ log }) {
    ensureExtensionBundle();
    const model = await startFakeModel();
    model.on("extension benchmark", bashThenReply("echo benchmark", "Benchmark answer."));
    const home = createOmpHome(model.baseUrl);
    const scratch = mkdtempSync(join(tmpdir(), "ompcord-bench-extension-"));
    const sessions = Array.from({ length: 3 * (ROUNDS + 1) }, (_, i) => `bench-${i}`);
    const sidecar = await startSidecar({
      token: "bench-bot-token-0123456789",
      port: 0,
      ports: createMemorySidecarPorts(sessions),
      redact: createRedactor().redact,
    });
    const held: ServerResponse[] = [];
    const stalled = createServer((req, res) => {
      req.resume();
      held.push(res);
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true,"messages":[]}');
      }, STALL_MS).unref();
    });
    await new Promise<void>((resolve) => stalled.listen(0, "127.0.0.1", resolve));
    const stalledUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;

    const base = {
      bin: OMP_BIN,
      model: FAKE_MODEL_ID,
      runTimeoutMs: 120_000,
      maxRetries: 0,
      env: home.env,
      overlayPath: join(scratch, "overlay.yml"),
    };
    const variants: Record<"without" | "with" | "stalled", OmpRunner> = {
      without: createOmpRunner(base),
      with: createOmpRunner({
        ...base,
        extensionPath: EXTENSION_BUNDLE,
        apiUrl: sidecar.url,
        credentials: sidecar.runs,
      }),
      stalled: createOmpRunner({
        ...base,
        extensionPath: EXTENSION_BUNDLE,
        apiUrl: stalledUrl,
        credentials: { issue: () => ({ token: `ompcord_run_${"b".repeat(43)}`, revoke: () => {} }) },
      }),
    };
    let n = 0;
    const time = async (variant: keyof typeof variants) => {
      const id = sessions[n++]!;
      const started = performance.now();
      const result = await variants[variant].start({
        prompt: PROMPT,
        cwd: home.workDir,
        sessionDir: join(scratch, id),
        sessionId: id,
        transcriptPath: join(scratch, `${id}.log`),
      }).done;
      if (result.outcome !== "success") throw new Error(`${variant} run failed: ${result.error}`);
      return performance.now() - started;
    };
    const order = ["without", "with", "stalled"] as const;
    try {
      // One warm-up of each (bun's transpile cache, the disk cache).
      for (const variant of order) await time(variant);
      const times = { without: [] as number[], with: [] as number[], stalled: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order so no variant always runs first or last.
        for (let i = 0; i < order.length; i++) {
          const variant = order[(round + i) % order.length]!;
          times[variant].push(await time(variant));
        }
        log(
          `round ${round + 1}/${ROUNDS}: without ${times.without.at(-1)!.toFixed(0)} ms, with ${times.with.at(-1)!.toFixed(0)} ms, stalled sidecar ${times.stalled.at(-1)!.toFixed(0)} ms`,
        );
      }
      const ratio = (variant: "with" | "stalled") =>
        Number(median(times[variant].map((t, i) => t / times.without[i]!)).toFixed(3));
      return {
        rounds: ROUNDS,
        withoutMs: times.without.map(Math.round),
        withMs: times.with.map(Math.round),
        stalledMs: times.stalled.map(Math.round),
        medianWithoutMs: Math.round(median(times.without)),
        medianWithMs: Math.round(median(times.with)),
        medianStalledMs: Math.round(median(times.stalled)),
        medianRatioWith: ratio("with"),
        medianRatioStalled: ratio("stalled"),
        stallMs: STALL_MS,
        target: "medianRatioWith <= 1.05 and medianRatioStalled <= 1.05",
      };
    } finally {
      for (const res of held) res.destroy();
      stalled.closeAllConnections();
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
      await sidecar.close();
      await model.close();
      home.cleanup();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
