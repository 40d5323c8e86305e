// The scratch world of the planted-code tests (untrusted workspaces, a sandbox's kept home, project
// plugins): a fake model that answers one prompt with a bash command, a throwaway omp home, a workspace
// root and data directory, a test sandbox, and runners built the way the bot builds them.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { createOmpRunner, type OmpRunner, type OmpRunRequest, type Sandbox } from "../../src/omp/index.js";
import { bashThenReply, type FakeModel, startFakeModel } from "./fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "./omp-home.js";
import { createTestSandbox, launchDirOf } from "./sandbox.js";

/** The prompt every run sends; the model answers it with the world's bash command, then "Listed.". */
export const PLANT_PROMPT = "list the workspace";
/** omp's time limit: far beyond a run here, even on a loaded machine. */
export const PLANT_RUN_MS = 120_000;

export interface PlantWorld {
  readonly model: FakeModel;
  readonly home: OmpHome;
  /** Holds `work/` (the workspace root) and `data/` (the bot's data directory). */
  readonly scratch: string;
  readonly sandbox: Sandbox;
  /** A runner as the bot makes it: `env` defaults to the world's home, unsandboxed unless asked. */
  runner(options?: { env?: NodeJS.ProcessEnv; sandboxed?: boolean; trusted?: string[] }): OmpRunner;
  /** What the scheduler hands the runner for one run of `session` in `cwd`. */
  request(cwd: string, session: string): OmpRunRequest;
  /** Runs `session` in `cwd` and expects it to succeed. */
  run(runner: OmpRunner, cwd: string, session: string): Promise<void>;
  close(): Promise<void>;
}

export async function startPlantWorld(prefix: string, command: string): Promise<PlantWorld> {
  const model = await startFakeModel();
  model.on(PLANT_PROMPT, bashThenReply(command, "Listed."));
  const home = createOmpHome(model.baseUrl);
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(scratch, "work"));
  const dataDir = join(scratch, "data");
  const sandbox = await createTestSandbox({ dataDir, workRoot: join(scratch, "work"), env: home.env });
  const world: PlantWorld = {
    model,
    home,
    scratch,
    sandbox,
    runner: (options = {}) =>
      createOmpRunner({
        bin: OMP_BIN,
        model: FAKE_MODEL_ID,
        runTimeoutMs: PLANT_RUN_MS,
        maxRetries: 0,
        env: options.env ?? home.env,
        overlayPath: join(dataDir, "omp-overlay.yml"),
        launchDir: launchDirOf(dataDir),
        sandbox: options.sandboxed ? sandbox : undefined,
        trustedWorkDirs: options.trusted ?? [],
      }),
    request: (cwd, session) => ({
      prompt: PLANT_PROMPT,
      cwd,
      sessionDir: join(dataDir, "omp-sessions", session),
      sessionId: session,
      transcriptPath: join(scratch, `${session}.log`),
    }),
    async run(runner, cwd, session) {
      const result = await runner.start(world.request(cwd, session)).done;
      expect(result.error).toBeUndefined();
      expect(result.outcome).toBe("success");
    },
    async close() {
      await model.close();
      home.cleanup();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return world;
}
