// The checks behind `/omp health` and `/omp status`: gateway, SQLite read and write, the omp binary,
// the sidecar API, the run sandbox, the working directories. Each answers ✅/❌ with a reason a person can act on; none
// can hang the command.

import { dirname, isAbsolute } from "node:path";
import { type Client, Status } from "discord.js";
import { execa } from "execa";
import { type DirectoryProblem, describeUnusableWorkDir, directoryProblem } from "../config/index.js";
import { pathWithBinDir } from "../omp/env.js";
import { buildChildEnv, describeSandbox, type SandboxStatus } from "../omp/index.js";
import type { Store } from "../store/index.js";
import { diskSpaceCheck, type StatFs } from "./disk.js";
import { ompVersionWarning } from "./omp-version.js";

/** `omp --version` starts Bun and omp: a few hundred ms; cached so /omp status stays quick. */
const OMP_VERSION_TTL_MS = 60_000;
/**
 * Ceilings, not expectations: the commands defer their answer first, so a slow check only delays it.
 * With every core busy (agents' builds and tests) Bun takes many seconds to start omp, and a check that
 * gave up sooner would call a healthy omp broken.
 */
const OMP_VERSION_TIMEOUT_MS = 60_000;
const SIDECAR_TIMEOUT_MS = 10_000;

/** One line of `/omp health`. */
export interface HealthCheck {
  /** What was checked, e.g. `SQLite write`. */
  name: string;
  ok: boolean;
  /** Why it failed, or a short measurement when it passed (`42 ms`). */
  detail?: string | undefined;
  /** It passed, but something a person should know about (shown ⚠️): an omp the bot is not tested with. */
  warning?: boolean;
}

export interface HealthChecksOptions {
  client: Client;
  store: Store;
  ompBin: string;
  envPassthrough: readonly string[];
  sidecarUrl: string | undefined;
  /** The working directories runs use (the default, then the per-channel ones), each checked. */
  workDirs?: readonly string[];
  /** Default: the directory must exist and be writable by this process. */
  checkDirectory?: (dir: string) => DirectoryProblem | undefined;
  /** The runs' sandbox as decided at start (no check when absent). */
  sandbox?: SandboxStatus;
  /** Where `omp --version` starts (an empty directory: never a workspace, never the checkout). */
  launchDir?: string;
  env?: NodeJS.ProcessEnv;
  /** How long `omp --version` may take (default 60 s). */
  ompVersionTimeoutMs?: number;
  /** The omp version the bot is tested with (`testedOmpVersion()`): another one is a warning. */
  testedOmpVersion?: string | undefined;
  /** The data dir, whose file system's free space is checked against `diskWarnBytes` (no check when absent). */
  dataDir?: string;
  diskWarnBytes?: number;
  statfs?: StatFs;
}

export class HealthChecks {
  readonly #options: HealthChecksOptions;
  #ompVersion: { at: number; value: Promise<{ version?: string; error?: string }> } | undefined;

  constructor(options: HealthChecksOptions) {
    this.#options = options;
  }

  async run(): Promise<HealthCheck[]> {
    const checks = await Promise.all([this.gateway(), this.sqlite(), this.omp(), this.sidecar()]);
    return [...checks, ...this.sandbox(), ...this.workDirs(), ...this.disk()];
  }

  /** ❌ when the data dir's file system is nearly full. */
  disk(): HealthCheck[] {
    const { dataDir, diskWarnBytes = 0, statfs } = this.#options;
    return dataDir === undefined ? [] : [diskSpaceCheck(dataDir, diskWarnBytes, statfs)];
  }

  /** ❌ when runs go unsandboxed although the mode wanted a sandbox: that says what they can reach. */
  sandbox(): HealthCheck[] {
    const { sandbox } = this.#options;
    if (!sandbox) return [];
    const { ok, detail } = describeSandbox(sandbox);
    return [{ name: "Sandbox", ok, detail }];
  }

  /** One check per working directory: a run there fails at once while it is ❌. */
  workDirs(): HealthCheck[] {
    const check = this.#options.checkDirectory ?? directoryProblem;
    return (this.#options.workDirs ?? []).map((dir) => {
      const problem = check(dir);
      return problem
        ? { name: "Working directory", ok: false, detail: describeUnusableWorkDir(dir, problem) }
        : { name: "Working directory", ok: true, detail: dir };
    });
  }

  gateway(): HealthCheck {
    const { ws } = this.#options.client;
    if (ws.status !== Status.Ready)
      return { name: "Discord gateway", ok: false, detail: `status ${Status[ws.status]}` };
    return {
      name: "Discord gateway",
      ok: true,
      detail: ws.ping >= 0 ? `${Math.round(ws.ping)} ms` : "connected",
    };
  }

  sqlite(): HealthCheck {
    try {
      const { readMs, writeMs } = this.#options.store.checkReadWrite();
      return { name: "SQLite read and write", ok: true, detail: `${(readMs + writeMs).toFixed(1)} ms` };
    } catch (error) {
      return { name: "SQLite read and write", ok: false, detail: (error as Error).message };
    }
  }

  async omp(): Promise<HealthCheck> {
    const { version, error } = await this.ompVersion();
    if (!version) return { name: "omp binary", ok: false, detail: error ?? "did not answer" };
    const warning = ompVersionWarning(version, this.#options.testedOmpVersion);
    return warning
      ? { name: "omp binary", ok: true, warning: true, detail: `${version}: ${warning}` }
      : { name: "omp binary", ok: true, detail: version };
  }

  /**
   * `omp --version`, run the way runs are run (same PATH rules), cached for a minute. A probe that timed
   * out is not kept: it says the machine was slow, and the next question deserves a fresh look.
   */
  ompVersion(): Promise<{ version?: string; error?: string }> {
    const now = Date.now();
    if (!this.#ompVersion || now - this.#ompVersion.at > OMP_VERSION_TTL_MS) {
      const probe = { at: now, value: this.#probeOmp() };
      this.#ompVersion = probe;
      void probe.value.then(({ timedOut }) => {
        if (timedOut && this.#ompVersion === probe) this.#ompVersion = undefined;
      });
    }
    return this.#ompVersion.value;
  }

  async sidecar(): Promise<HealthCheck> {
    const { sidecarUrl } = this.#options;
    if (!sidecarUrl) return { name: "Sidecar API", ok: false, detail: "not started" };
    try {
      const response = await fetch(`${sidecarUrl}/healthz`, {
        signal: AbortSignal.timeout(SIDECAR_TIMEOUT_MS),
      });
      return response.ok
        ? { name: "Sidecar API", ok: true, detail: sidecarUrl }
        : { name: "Sidecar API", ok: false, detail: `HTTP ${response.status}` };
    } catch (error) {
      return { name: "Sidecar API", ok: false, detail: (error as Error).message };
    }
  }

  async #probeOmp(): Promise<{ version?: string; error?: string; timedOut?: boolean }> {
    const { ompBin, envPassthrough } = this.#options;
    const env = buildChildEnv(this.#options.env ?? process.env, {
      sessionId: "health",
      passthrough: envPassthrough,
    });
    if (isAbsolute(ompBin)) env.PATH = pathWithBinDir(env.PATH, dirname(ompBin));
    try {
      const { stdout } = await execa(ompBin, ["--version"], {
        ...(this.#options.launchDir ? { cwd: this.#options.launchDir } : {}),
        env,
        extendEnv: false,
        stdin: "ignore",
        timeout: this.#options.ompVersionTimeoutMs ?? OMP_VERSION_TIMEOUT_MS,
      });
      return { version: stdout.trim().split("\n")[0] };
    } catch (error) {
      const failure = error as { code?: string; shortMessage?: string; timedOut?: boolean };
      if (failure.code === "ENOENT") return { error: `\`${ompBin}\` not found: install omp or set OMP_BIN` };
      if (failure.timedOut) {
        const seconds = Math.round((this.#options.ompVersionTimeoutMs ?? OMP_VERSION_TIMEOUT_MS) / 1000);
        return {
          error: `\`${ompBin} --version\` did not answer in ${seconds} s: check OMP_BIN, or whether the machine is overloaded`,
          timedOut: true,
        };
      }
      return { error: failure.shortMessage ?? String(error) };
    }
  }
}
