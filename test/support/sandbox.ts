// A sandbox for runner-level tests, built the way the app builds it at start (a trial, then one
// `Sandbox` for every run), under a test's own data directory.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findBun, type Sandbox, trySandbox } from "../../src/omp/index.js";
import { NODE_BIN_DIR, OMP_BIN } from "./omp-home.js";

export interface TestSandboxOptions {
  /** The test's data directory: the sandbox's own directories go in `<dataDir>/sandbox`. */
  dataDir: string;
  /** The workspace root: a session's directory right under it is ompcord's own. */
  workRoot: string;
  /** The bot's environment (the omp home's: HOME with models.yml, PATH with bun). */
  env: NodeJS.ProcessEnv;
}

/** The launch directory runs start from in tests that build their own runner with a sandbox. */
export function launchDirOf(dataDir: string): string {
  return join(dataDir, "omp-launch");
}

/** A working sandbox, or the test fails saying why none started here. */
export async function createTestSandbox(options: TestSandboxOptions): Promise<Sandbox> {
  mkdirSync(launchDirOf(options.dataDir), { recursive: true });
  const trial = await trySandbox({
    root: join(options.dataDir, "sandbox"),
    workRoot: options.workRoot,
    ompBin: OMP_BIN,
    bun: findBun(NODE_BIN_DIR, options.env.PATH),
    launchDir: launchDirOf(options.dataDir),
    env: options.env,
    user: "nobody",
  });
  if (!trial.ok) throw new Error(`no sandbox starts here: ${trial.reason}. ${trial.fix}`);
  return trial.sandbox;
}

/**
 * A directory holding a `bwrap` that fails as bubblewrap does where unprivileged user namespaces are
 * off (its own message); put it first on PATH: the binary exists, yet no sandbox starts.
 */
export function brokenBwrapDir(parent: string): string {
  const dir = join(parent, "broken-bwrap");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "bwrap"), `#!/bin/sh\necho "${BWRAP_NO_USERNS}" >&2\nexit 1\n`, { mode: 0o755 });
  return dir;
}

/** Debian's bubblewrap 0.8 message when it may not create a user namespace. */
export const BWRAP_NO_USERNS =
  "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces. See <https://deb.li/bubblewrap> or <file:///usr/share/doc/bubblewrap/README.Debian.gz>.";
