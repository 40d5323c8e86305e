// The sandbox on this host: finds what it needs (bwrap, the system's layout, omp's install, the account
// the agent runs as), proves it works with a trial sandbox at start, and prepares each run's directories
// (`<data dir>/sandbox/<session id>/`: a private home kept for the session, a fresh omp agent dir per run).
// The command line itself is built by `sandbox.ts`.
//
// The bot never writes into a directory the agent could write during an earlier run (a link planted
// there would redirect the write): the agent dir is removed and made anew before each run, the home is
// written once, when it is made. Before each later run, what omp and Bun would load from the kept home
// at start (`HOME_STARTUP_ENTRIES`) is removed, each path looked at without following a link in it.

import {
  accessSync,
  constants,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { userInfo } from "node:os";
import { delimiter, dirname, isAbsolute, join, sep } from "node:path";
import { execa } from "execa";
import { copyModelSettings, personalAgentDir } from "./agent-settings.js";
import {
  bwrapArgs,
  ETC_ENTRIES,
  HOME_STARTUP_ENTRIES,
  nestingProblem,
  type SandboxRun,
  type SandboxSystem,
  SYSTEM_DIRS,
} from "./sandbox.js";

/** The directory a trial sandbox is built in at start (removed after). */
const TRIAL_DIR = ".trial";
/** A trial starts Bun in a sandbox: well under a second, but a loaded machine is slow. */
const TRIAL_TIMEOUT_MS = 30_000;
/** Where bwrap and setpriv are looked for besides PATH. */
const SYSTEM_PATH = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];
/** The git identity of the agent's commits. */
export const AGENT_GIT_NAME = "ompcord agent";
export const AGENT_GIT_EMAIL = "agent@ompcord.invalid";

export interface SandboxHostOptions {
  /** Where each session's sandbox directories go (`<data dir>/sandbox`): `<root>/<session id>/`. */
  root: string;
  /** The workspace root: a session's directory right under it is ompcord's own (see `prepare`). */
  workRoot: string;
  /** omp, and the Bun it runs under: their install is bound read-only. */
  ompBin: string;
  bun: string | undefined;
  /** The empty directory processes are started from. */
  launchDir: string;
  /** The bot's environment: PATH (bwrap, setpriv) and the person's omp settings (HOME). */
  env: NodeJS.ProcessEnv;
  /** The account runs use when ompcord runs as root (OMPCORD_SANDBOX_USER). */
  user: string;
  /** A problem that does not stop a run (a settings file that could not be copied). */
  onWarning?: (message: string, error?: unknown) => void;
}

/** One prepared run: bwrap and its arguments through `--`, and what to remove once it ended. */
export interface PreparedSandbox {
  command: string[];
  finish(): void;
}

/** A sandbox known to work on this host. */
export interface Sandbox {
  readonly system: SandboxSystem;
  /** Who the agent runs as, for a person. */
  readonly user: string;
  /**
   * Makes a run's directories and its bwrap command; `files` are the bot's files omp must read inside
   * (the settings overlay), bound read-only.
   * @throws SandboxError when the run's directories cannot be fenced off (the run fails, saying why).
   */
  prepare(run: {
    sessionId: string;
    workDir: string;
    sessionDir: string;
    files?: readonly string[];
  }): PreparedSandbox;
}

/** Why a sandbox cannot be had here, and what a person does about it. */
export interface SandboxUnavailable {
  reason: string;
  fix: string;
  /** The setting at fault when it is one (an OMPCORD_SANDBOX_USER that does not exist). */
  variable?: "OMPCORD_SANDBOX_USER";
}

export class SandboxError extends Error {
  override readonly name = "SandboxError";
}

function findExecutable(name: string, path: string | undefined): string | undefined {
  const dirs = [...(path ?? "").split(delimiter).filter((dir) => isAbsolute(dir)), ...SYSTEM_PATH];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The command to install bubblewrap on this machine, or the choice of commands. */
export function installHint(path: string | undefined): string {
  const managers: Array<[string, string]> = [
    ["apt-get", "sudo apt-get install -y bubblewrap"],
    ["dnf", "sudo dnf install -y bubblewrap"],
    ["apk", "sudo apk add bubblewrap"],
    ["pacman", "sudo pacman -S bubblewrap"],
    ["zypper", "sudo zypper install bubblewrap"],
  ];
  const found = managers.find(([manager]) => findExecutable(manager, path));
  return found
    ? found[1]
    : "install bubblewrap with your system's package manager (Debian/Ubuntu: apt-get install bubblewrap)";
}

/** `/etc/passwd`'s uid and gid for `user` (a name, or a numeric uid whose group is its own). */
function lookUpAccount(user: string): { uid: number; gid: number; name: string } | undefined {
  let passwd = "";
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    // no passwd file: only a numeric uid can work
  }
  for (const line of passwd.split("\n")) {
    const [name, , uid, gid] = line.split(":");
    if (name === undefined || uid === undefined || gid === undefined) continue;
    if (name === user || uid === user) return { uid: Number(uid), gid: Number(gid), name };
  }
  return /^\d+$/.test(user) ? { uid: Number(user), gid: Number(user), name: `uid ${user}` } : undefined;
}

/** The outermost `node_modules` holding `path`, else its directory: what must be visible for it to run. */
function installRoot(path: string): string {
  const parts = path.split(sep);
  const index = parts.indexOf("node_modules");
  return index > 0 ? parts.slice(0, index + 1).join(sep) : dirname(path);
}

/** Directories outside /usr that omp and Bun are loaded from, each once, none inside another. */
function runtimeDirs(paths: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const path of paths) {
    for (const candidate of [path, safeRealpath(path)]) {
      const root = installRoot(candidate);
      if (root === "/usr" || root.startsWith("/usr/")) continue;
      roots.add(root);
    }
  }
  const sorted = [...roots].sort((a, b) => a.length - b.length);
  return sorted.filter((root, i) => !sorted.slice(0, i).some((outer) => root.startsWith(`${outer}${sep}`)));
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The host facts `bwrapArgs` needs. */
function describeSystem(options: SandboxHostOptions, bwrap: string): SandboxSystem | SandboxUnavailable {
  const systemDirs = SYSTEM_DIRS.flatMap((path) => {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) return [{ path, linkTarget: readlinkSync(path) }];
      return stat.isDirectory() ? [{ path }] : [];
    } catch {
      return [];
    }
  });
  const etc = ETC_ENTRIES.filter((entry) => existsSync(entry));
  const ompBin = isAbsolute(options.ompBin)
    ? options.ompBin
    : findExecutable(options.ompBin, options.env.PATH);
  if (!ompBin) {
    return {
      reason: `omp (\`${options.ompBin}\`) is not on PATH, so its install cannot be bound into the sandbox`,
      fix: "Set OMP_BIN to omp's path (npm install puts it in node_modules/.bin/omp).",
    };
  }
  const runtime = runtimeDirs([ompBin, ...(options.bun ? [options.bun] : [])]);
  if (process.getuid?.() !== 0) return { bwrap, systemDirs, etc, runtime };

  const account = lookUpAccount(options.user);
  if (!account || account.uid === 0) {
    return {
      reason: account
        ? `ompcord runs as root, and OMPCORD_SANDBOX_USER (${options.user}) is root too`
        : `ompcord runs as root, and the account runs would use, OMPCORD_SANDBOX_USER=${options.user}, does not exist`,
      fix: "Set OMPCORD_SANDBOX_USER to an unprivileged account (useradd --system ompcord-agent), or run ompcord as an ordinary user.",
      variable: "OMPCORD_SANDBOX_USER",
    };
  }
  // Visible inside only when it lives in /usr (where /bin points on most systems).
  const found = findExecutable("setpriv", options.env.PATH);
  const setpriv = found === undefined ? undefined : safeRealpath(found);
  if (!setpriv?.startsWith("/usr/")) {
    return {
      reason:
        "ompcord runs as root, and `setpriv` (util-linux), which switches a run to an unprivileged account, is not in /usr",
      fix: "Install util-linux (Debian/Ubuntu: apt-get install util-linux), or run ompcord as an ordinary user.",
    };
  }
  return { bwrap, systemDirs, etc, runtime, dropTo: { uid: account.uid, gid: account.gid, setpriv } };
}

/** Gives a directory ompcord made to the account runs use (root only), and what it holds if needed. */
function handOver(path: string, to: { uid: number; gid: number }): void {
  const stat = lstatSync(path);
  if (stat.uid === to.uid && stat.gid === to.gid) return;
  lchownSync(path, to.uid, to.gid);
  if (!stat.isDirectory()) return;
  for (const entry of readdirSync(path)) handOver(join(path, entry), to);
}

function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.()}`; // an account without a passwd entry (some containers)
  }
}

/** The private home of a session's runs: made once, with a git identity. */
function makeHome(home: string): void {
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(
    join(home, ".gitconfig"),
    `[user]\n\tname = ${AGENT_GIT_NAME}\n\temail = ${AGENT_GIT_EMAIL}\n[init]\n\tdefaultBranch = main\n`,
  );
}

/**
 * Removes `entry` (a path relative to `home`) without following links: a link or a file where a
 * directory on the way should be is removed itself, as omp would have followed it. Runs while no
 * process of the session's sandbox is alive (the previous run's pid namespace ended with it).
 */
function removeFromHome(home: string, entry: string): void {
  const parts = entry.split("/");
  let path = home;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      return; // not there: nothing to load
    }
    // rmSync removes a link itself, and never descends through one.
    if (index === parts.length - 1 || !stat.isDirectory()) {
      rmSync(path, { recursive: true, force: true });
      return;
    }
  }
}

/** Clears what a run could have left in the kept home for the next run's omp to load at start. */
function clearStartupEntries(home: string): void {
  for (const entry of HOME_STARTUP_ENTRIES) {
    try {
      removeFromHome(home, entry);
    } catch (error) {
      const path = join(home, entry);
      throw new SandboxError(
        `The session's private home still holds ${path}, which omp would load at start, and it could not be removed (${(error as Error).message}). Delete it by hand, or the whole ${home}.`,
      );
    }
  }
}

function createSandbox(options: SandboxHostOptions, system: SandboxSystem, root: string): Sandbox {
  const owner = system.dropTo;
  const warn = options.onWarning ?? (() => {});
  return {
    system,
    user: owner
      ? `${lookUpAccount(String(owner.uid))?.name ?? "uid"} (uid ${owner.uid})`
      : `the bot's own user (${currentUserName()}), without capabilities`,
    prepare({ sessionId, workDir, sessionDir, files = [] }) {
      const base = join(root, sessionId);
      mkdirSync(base, { recursive: true, mode: 0o700 });
      const home = join(base, "home");
      if (!existsSync(home)) {
        makeHome(home);
        if (owner) handOver(home, owner);
      } else {
        clearStartupEntries(home);
      }
      const agentDir = join(base, "agent");
      rmSync(agentDir, { recursive: true, force: true });
      mkdirSync(agentDir, { mode: 0o700 });
      copyModelSettings(personalAgentDir(options.env), agentDir, warn);
      mkdirSync(sessionDir, { recursive: true });
      if (owner) {
        handOver(agentDir, owner);
        handOver(sessionDir, owner);
        // A session's own directory under the workspace root is ompcord's; a channel's project is not.
        if (dirname(workDir) === options.workRoot) handOver(workDir, owner);
      }
      const run: SandboxRun = { workDir, sessionDir, home, agentDir, files };
      const nesting = nestingProblem(system, run);
      if (nesting) throw new SandboxError(`The sandbox cannot be built: ${nesting}.`);
      return {
        command: [system.bwrap, ...bwrapArgs(system, run)],
        finish: () => rmSync(agentDir, { recursive: true, force: true }),
      };
    },
  };
}

/** What went wrong in a trial, in words, with the fix for the usual causes. */
function trialFailure(stderr: string, path: string | undefined): SandboxUnavailable {
  const line = stderr.split("\n").find((l) => l.trim() !== "") ?? "it exited without a message";
  const reason = `a trial sandbox did not start (${line.trim()})`;
  if (/Unknown option|--perms/i.test(stderr)) {
    return { reason, fix: "This bubblewrap is too old (0.5 or newer is needed): update it." };
  }
  if (/mount proc|proc on/i.test(stderr)) {
    return {
      reason,
      fix: "Inside a container, /proc is masked: run it with --security-opt systempaths=unconfined (see the README's Docker section), or set OMPCORD_SANDBOX=off and let the container be the fence.",
    };
  }
  if (/namespace|uid map|Operation not permitted|Permission denied/i.test(stderr)) {
    return {
      reason,
      fix: "Unprivileged user namespaces are off: allow them (sudo sysctl -w kernel.unprivileged_userns_clone=1 on Debian; kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap on Ubuntu 24.04; in Docker see the README), or run ompcord as root with OMPCORD_SANDBOX_USER.",
    };
  }
  return { reason, fix: `Check that \`bwrap --version\` works for this user (${installHint(path)}).` };
}

/**
 * Builds and runs one sandbox the way runs are built (Bun's version, from inside), so "available" means
 * a sandbox actually started here, not that a binary exists.
 */
export async function trySandbox(
  options: SandboxHostOptions,
): Promise<{ ok: true; sandbox: Sandbox } | ({ ok: false } & SandboxUnavailable)> {
  const bwrap = findExecutable("bwrap", options.env.PATH);
  if (!bwrap) {
    return {
      ok: false,
      reason: "bubblewrap (bwrap) is not installed",
      fix: `Install it: ${installHint(options.env.PATH)}.`,
    };
  }
  const system = describeSystem(options, bwrap);
  if ("reason" in system) return { ok: false, ...system };
  const root = options.root;
  const sandbox = createSandbox(options, system, root);
  const trial = join(root, TRIAL_DIR);
  rmSync(trial, { recursive: true, force: true });
  try {
    mkdirSync(join(trial, "work"), { recursive: true });
    const prepared = sandbox.prepare({
      sessionId: TRIAL_DIR,
      workDir: join(trial, "work"),
      sessionDir: join(trial, "session"),
    });
    if (system.dropTo) handOver(join(trial, "work"), system.dropTo);
    const bun = options.bun ?? "bun";
    const result = await execa(prepared.command[0]!, [...prepared.command.slice(1), bun, "--version"], {
      cwd: options.launchDir,
      env: { PATH: options.env.PATH ?? SYSTEM_PATH.join(delimiter) },
      extendEnv: false,
      stdin: "ignore",
      reject: false,
      timeout: TRIAL_TIMEOUT_MS,
    });
    if (result.exitCode === 0 && /^\d+\.\d+/.test(result.stdout.trim())) return { ok: true, sandbox };
    if (result.timedOut) {
      return {
        ok: false,
        reason: `a trial sandbox did not finish within ${TRIAL_TIMEOUT_MS / 1000} s`,
        fix: "Try `bwrap --ro-bind / / true` by hand to see where it hangs.",
      };
    }
    return { ok: false, ...trialFailure(`${result.stderr}`, options.env.PATH) };
  } catch (error) {
    return {
      ok: false,
      reason: `a trial sandbox could not be prepared (${(error as Error).message})`,
      fix: "Check that ompcord's data directory is writable.",
    };
  } finally {
    rmSync(trial, { recursive: true, force: true });
  }
}
