// The local playground under test, started as `npm start` starts it without Discord settings
// (`startPlaygroundMode`, in-process), with the person's omp in a throwaway HOME pointed at the fake
// model, and the page freshly built from web/ (so a test sees the page as the source says it).

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import type { Emulator } from "@ompcord/discord-emulator";
import { loadPlayground, type PlaygroundRun, startPlaygroundMode } from "../../src/playground.js";
import { type FakeModel, startFakeModel } from "./fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, type OmpHome } from "./omp-home.js";

const PLAYGROUND_PACKAGE_DIR = resolve(import.meta.dirname, "../../packages/playground");

let built: Promise<string> | undefined;

/** Builds the page (Vite, as `npm run build` does) into a temporary folder once per test process. */
export function buildPlaygroundPage(): Promise<string> {
  built ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), "ompcord-playground-web-"));
    const vitePackage = createRequire(join(PLAYGROUND_PACKAGE_DIR, "package.json")).resolve(
      "vite/package.json",
    );
    const vite = join(dirname(vitePackage), "bin/vite.js");
    await promisify(execFile)(process.execPath, [vite, "build", "--outDir", outDir, "--emptyOutDir"], {
      cwd: PLAYGROUND_PACKAGE_DIR,
      timeout: 120_000,
    });
    return outDir;
  })();
  return built;
}

export interface PlaygroundHarness {
  readonly run: PlaygroundRun;
  /** The printed address, with the key. */
  readonly url: string;
  readonly origin: string;
  readonly emu: Emulator;
  readonly model: FakeModel;
  readonly home: OmpHome;
  /** Where it started (its `.data/playground` is under it). */
  readonly cwd: string;
  /** What it printed at start. */
  readonly output: string;
  close(): Promise<void>;
}

export interface PlaygroundHarnessOptions {
  /** omp has no model: a HOME without models.yml or login. */
  noModel?: boolean;
  /** More of the person's environment (settings in their shell). */
  env?: Record<string, string>;
}

export async function startPlaygroundHarness(
  options: PlaygroundHarnessOptions = {},
): Promise<PlaygroundHarness> {
  const webRoot = await buildPlaygroundPage();
  const module = await loadPlayground();
  if (!module) throw new Error("@ompcord/playground is not installed in this checkout: run npm install");
  const model = await startFakeModel();
  const home = createOmpHome(model.baseUrl, { defaultModel: FAKE_MODEL_ID });
  if (options.noModel) rmSync(join(home.home, ".omp"), { recursive: true, force: true });
  const cwd = mkdtempSync(join(tmpdir(), "ompcord-playground-"));
  const out = new PassThrough();
  let output = "";
  out.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const run = await startPlaygroundMode({
    module,
    cwd,
    env: {
      ...home.env,
      OMP_RUN_TIMEOUT: "60s",
      OMP_KILL_GRACE: "1s",
      OMP_MAX_RETRIES: "0",
      LOG_LEVEL: "debug",
      ...options.env,
    },
    discordConfigured: false,
    out,
    openBrowser: false,
    playground: { webRoot, personName: "alice" },
  });
  const url = /http:\/\/127\.0\.0\.1:\d+\/\?key=\S+/.exec(output)?.[0];
  if (!url) throw new Error(`the playground printed no address:\n${output}`);
  const emu = (run.playground as typeof run.playground & { emulator: Emulator }).emulator;
  return {
    run,
    url,
    origin: run.playground.origin,
    emu,
    model,
    home,
    cwd,
    get output() {
      return output;
    },
    async close() {
      await run.stop({ graceMs: 0 }).catch(() => undefined);
      await model.close();
      home.cleanup();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
