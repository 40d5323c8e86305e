// The baseline both overhead scenarios compare against: one bare `omp -p` run with the runner's own
// arguments (same model, overlay, continuity and prompt), timed from spawn to exit.

import { execa } from "execa";
import { buildOmpArgs } from "../../src/omp/index.js";
import { FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../../test/support/omp-home.js";

export async function timeBareOmp(options: {
  home: OmpHome;
  overlayPath: string;
  sessionDir: string;
  maxTimeMs: number;
  prompt: string;
}): Promise<number> {
  const { home } = options;
  const { args, stdinText } = buildOmpArgs({
    model: FAKE_MODEL_ID,
    maxTimeMs: options.maxTimeMs,
    configOverlayPath: options.overlayPath,
    sessionDir: options.sessionDir,
    continuation: { kind: "continue" },
    cwd: home.workDir,
    text: options.prompt,
  });
  const started = performance.now();
  const result = await execa(OMP_BIN, args, {
    env: home.env,
    extendEnv: false,
    cwd: home.workDir,
    // The prompt goes on stdin, as the runner sends it (never in argv); omp starts at EOF.
    input: stdinText,
    reject: false,
  });
  if (result.exitCode !== 0) throw new Error(`bare omp failed: ${result.stderr}`);
  return performance.now() - started;
}
