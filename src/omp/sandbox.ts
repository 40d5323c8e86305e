// The bubblewrap command line that fences one run off, and the words a person reads about it. Pure: the
// facts (where the system and omp's runtime are, which account runs the agent) are found and the
// directories prepared by `sandbox-host.ts`. Defends against an agent (or a repository it works in)
// reading the bot's token, database or other sessions' work, or planting code that later runs outside.
//
// What a run sees, and nothing else: the system read-only (`/usr`, a few files of `/etc`), omp's and
// Bun's install read-only, its working directory and its omp session directory writable, a private HOME
// and omp agent directory, a private /tmp, its own process, IPC and host-name namespaces. The network is
// shared: the model provider needs it.

import { dirname, posix } from "node:path";

/** Top-level system directories that are either real directories or links into /usr (merged /usr). */
export const SYSTEM_DIRS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] as const;

/**
 * The files of `/etc` a run may see: name resolution, users and groups (for `id`, git, ssh), time zone,
 * TLS roots, the dynamic linker's cache and Debian's alternatives (`awk`, `editor` …). Not the rest:
 * `/etc` also holds host keys, `shadow`, and system-wide settings with credentials in them.
 */
export const ETC_ENTRIES = [
  "/etc/resolv.conf",
  "/etc/hosts",
  "/etc/host.conf",
  "/etc/nsswitch.conf",
  "/etc/gai.conf",
  "/etc/services",
  "/etc/protocols",
  "/etc/passwd",
  "/etc/group",
  "/etc/localtime",
  "/etc/timezone",
  "/etc/ssl/certs",
  "/etc/ca-certificates",
  "/etc/pki/tls/certs",
  "/etc/pki/ca-trust",
  "/etc/alternatives",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/os-release",
  "/etc/mime.types",
  "/etc/gitconfig",
] as const;

/** Variables that point at the bot's own home or files; inside, HOME and the agent dir replace them. */
export const SANDBOX_UNSET_ENV = [
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_STATE_HOME",
  "XDG_CACHE_HOME",
  "XDG_RUNTIME_DIR",
  "OMP_CODING_AGENT_DIR",
  "OMP_CONFIG_FILES",
  "OMP_PROFILE",
  "PI_CONFIG_FILES",
  "PI_PROFILE",
] as const;

/**
 * What omp 18.2.3 (and the Bun it runs under) read from HOME when a run starts, relative to the home:
 * the session's private home is kept between its runs, so a run could leave code here that the next
 * run's omp would load before any approval. Removed before each run (`sandbox-host.ts`); the rest of
 * the home (git identity, caches, tools the agent installed) stays. Verified by
 * test/integration/sandbox-home-plants.test.ts.
 */
export const HOME_STARTUP_ENTRIES = [
  // omp's config root: `~/.omp/plugins` tools are imported into omp at start even with extension
  // discovery off (extensibility/custom-tools/loader.ts), and profiles and `~/.omp/agent` live here.
  ".omp",
  // Skills, rules and system prompts omp reads by default (discovery/agents.ts).
  ".agent",
  ".agents",
  // Other agents' home configs (discovery/helpers.ts SOURCE_PATHS): their MCP servers start with omp
  // once settings opt them in, which a workspace's `.omp/config.yml` can (`enabledProviders`).
  ".claude",
  ".claude.json",
  ".codex",
  ".gemini",
  ".cursor",
  ".codeium/windsurf",
  ".cline",
  ".config/opencode",
  // Language and debug servers omp starts from home-level configs (lsp/config.ts, dap/config.ts).
  ...["lsp", ".lsp", "dap", ".dap"].flatMap((name) => ["json", "yaml", "yml"].map((ext) => `${name}.${ext}`)),
  // Bun's global config (a `preload` runs first in the process). Bun 1.4.5 does not read it when it
  // starts a script such as omp (tried); cleared all the same, as another Bun may.
  ".bunfig.toml",
] as const;

/** Host name inside the sandbox (its own UTS namespace). */
export const SANDBOX_HOSTNAME = "ompcord-sandbox";

/** What the host looks like: found once at start by `sandbox-host.ts`. */
export interface SandboxSystem {
  /** The bwrap executable. */
  bwrap: string;
  /** Each of `SYSTEM_DIRS` present on the host: a link (`/bin` → `usr/bin`) or a directory. */
  systemDirs: ReadonlyArray<{ path: string; linkTarget?: string }>;
  /** The entries of `ETC_ENTRIES` present on the host. */
  etc: readonly string[];
  /** Directories holding omp, Bun and what they load, outside `/usr` (a checkout's node_modules). */
  runtime: readonly string[];
  /**
   * Set when ompcord runs as root: the sandbox is built as root, then omp runs as this unprivileged
   * account (`setpriv`), with no capabilities. Unset: bwrap runs as the bot's own user, in a user
   * namespace, and the agent is that user without capabilities.
   */
  dropTo?: { uid: number; gid: number; setpriv: string } | undefined;
}

/** One run's own directories (host paths, bound at the same paths). */
export interface SandboxRun {
  /** The working directory: writable. */
  workDir: string;
  /** omp's `--session-dir`: writable. */
  sessionDir: string;
  /** The private HOME: writable, kept for the session's next runs. */
  home: string;
  /** omp's agent dir (models.yml, config.yml, agent.db): writable, fresh for each run. */
  agentDir: string;
  /** The bot's files omp reads (the settings overlay): read-only. */
  files: readonly string[];
}

const DIR_MODE = "0755";
const TMP_MODE = "1777";

function depth(path: string): number {
  return path.split("/").filter(Boolean).length;
}

/** `path` and each of its ancestors below `/`, outermost first. */
function ancestors(path: string): string[] {
  const found: string[] = [];
  for (let dir = dirname(path); dir !== "/" && dir !== "."; dir = dirname(dir)) found.unshift(dir);
  return found;
}

/** Whether `inner` is `outer` or below it. */
export function isWithin(outer: string, inner: string): boolean {
  const relative = posix.relative(outer, inner);
  return relative === "" || (!relative.startsWith("..") && !posix.isAbsolute(relative));
}

/**
 * Why these binds cannot be made safely, or undefined. A bind inside a writable directory would have
 * its mount point made in a place the agent controls (and a link planted there between runs would
 * point it elsewhere): the run's directories must not nest in one another or hold omp's runtime.
 */
export function nestingProblem(system: SandboxSystem, run: SandboxRun): string | undefined {
  const writable = [run.workDir, run.sessionDir, run.home, run.agentDir];
  const all = [...writable, ...system.runtime, ...run.files];
  for (const outer of writable) {
    for (const inner of all) {
      if (inner !== outer && isWithin(outer, inner)) {
        return `${inner} lies inside ${outer}, which the agent can write: keep ompcord's data, omp's install and each working directory apart`;
      }
    }
  }
  return undefined;
}

/**
 * bwrap's arguments up to and including `--`; the omp command follows. Mount points are made in the
 * order given, so parents come first: the system, then the run's directories from the outermost.
 * (The supervisor adds `--json-status-fd`, to learn the sandbox's init pid.)
 */
export function bwrapArgs(system: SandboxSystem, run: SandboxRun): string[] {
  const args: string[] = ["--ro-bind", "/usr", "/usr"];
  for (const dir of system.systemDirs) {
    if (dir.linkTarget !== undefined) args.push("--symlink", dir.linkTarget, dir.path);
    else args.push("--ro-bind", dir.path, dir.path);
  }
  args.push("--proc", "/proc", "--dev", "/dev");
  args.push("--perms", TMP_MODE, "--tmpfs", "/tmp", "--perms", DIR_MODE, "--dir", "/var");
  args.push("--perms", TMP_MODE, "--tmpfs", "/var/tmp", "--perms", DIR_MODE, "--tmpfs", "/run");

  // Directories made on the sandbox's own root (empty, gone with it) to hold the mount points, each
  // made explicitly: bwrap would give the ones it makes itself the mode of no one's choosing, and the
  // agent (another account, when ompcord runs as root) must be able to pass through them.
  const made = new Set<string>(["/usr", "/proc", "/dev", "/tmp", "/var", "/var/tmp", "/run"]);
  for (const dir of system.systemDirs) made.add(dir.path);
  const bind = (flag: "--bind" | "--ro-bind", path: string) => {
    for (const dir of ancestors(path)) {
      if (made.has(dir)) continue;
      args.push("--perms", DIR_MODE, "--dir", dir);
      made.add(dir);
    }
    args.push(flag, path, path);
    made.add(path);
  };
  for (const entry of system.etc) bind("--ro-bind", entry);
  const binds = [
    ...system.runtime.map((path) => ({ path, writable: false })),
    ...run.files.map((path) => ({ path, writable: false })),
    ...[run.workDir, run.sessionDir, run.home, run.agentDir].map((path) => ({ path, writable: true })),
  ].sort((a, b) => depth(a.path) - depth(b.path));
  for (const { path, writable } of binds) bind(writable ? "--bind" : "--ro-bind", path);

  args.push("--setenv", "HOME", run.home, "--setenv", "TMPDIR", "/tmp");
  args.push("--setenv", "PI_CODING_AGENT_DIR", run.agentDir);
  for (const name of SANDBOX_UNSET_ENV) args.push("--unsetenv", name);

  args.push("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try");
  args.push("--hostname", SANDBOX_HOSTNAME, "--die-with-parent", "--new-session", "--chdir", "/");
  if (system.dropTo) {
    // Built as root (no user namespace: root's files keep their real owner); omp then runs as the
    // unprivileged account, which `setpriv` switches to with these three and then drops them all.
    args.push("--cap-drop", "ALL");
    for (const cap of ["CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"]) args.push("--cap-add", cap);
    args.push("--", system.dropTo.setpriv, ...setprivArgs(system.dropTo));
  } else {
    args.push("--unshare-user", "--cap-drop", "ALL");
  }
  args.push("--");
  return args;
}

/** `setpriv`'s options (its `--` closes bwrap's command line in `bwrapArgs`). */
function setprivArgs(to: { uid: number; gid: number }): string[] {
  return [
    `--reuid=${to.uid}`,
    `--regid=${to.gid}`,
    "--clear-groups",
    "--inh-caps=-all",
    "--bounding-set=-all",
  ];
}

/** The sandbox as `/omp health` and the start-up log describe it. */
export type SandboxStatus =
  | { mode: "off" }
  | { mode: "auto" | "required"; active: true; user: string }
  | { mode: "auto"; active: false; reason: string; fix: string };

/** What an unsandboxed run can reach: said at start and in the README. */
export const UNSANDBOXED_EXPOSURE =
  "each run can read and change everything the bot's user can: the bot's .env and Discord token, its database and API token, every session's working directory, transcript and omp conversation, and the bot's own environment through /proc";

/** The same, short enough for a `/omp health` line (Discord shows 300 characters of it). */
export const UNSANDBOXED_EXPOSURE_SHORT =
  "runs can read the bot's token, .env, database and every session's work";

/** How much of the cause a `/omp health` line keeps; the start-up log has all of it. */
const HEALTH_CAUSE_CHARS = 130;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The sandbox in words: `detail` is the `/omp health` line (short: the cause, and where the fix is),
 * `log` the start-up log line with everything a person needs, the fix included.
 */
export function describeSandbox(status: SandboxStatus): { ok: boolean; detail: string; log: string } {
  if (status.mode === "off") {
    return {
      ok: true,
      detail: `off (OMPCORD_SANDBOX=off): ${UNSANDBOXED_EXPOSURE_SHORT}`,
      log: `runs are not sandboxed (OMPCORD_SANDBOX=off): ${UNSANDBOXED_EXPOSURE}`,
    };
  }
  if (status.active) {
    const detail = `bubblewrap (OMPCORD_SANDBOX=${status.mode}): each run sees only its working directory, its omp session and a private home, as ${status.user}`;
    return { ok: true, detail, log: `sandbox: ${detail}` };
  }
  return {
    ok: false,
    detail: `NOT sandboxed (OMPCORD_SANDBOX=auto): ${UNSANDBOXED_EXPOSURE_SHORT}. Cause: ${clip(status.reason, HEALTH_CAUSE_CHARS)}. Fix: see the start-up log.`,
    log: `⚠ runs are NOT sandboxed (OMPCORD_SANDBOX=auto): ${status.reason}. Until that is fixed, ${UNSANDBOXED_EXPOSURE}. ${status.fix}`,
  };
}

/** What `chooseSandbox` decided: the status to report, or a refusal to start (`required`). */
export type SandboxChoice =
  | { status: SandboxStatus; useSandbox: boolean }
  | { refuse: { reason: string; fix: string } };

/**
 * The mode's decision given a trial's outcome: `required` refuses to start without a sandbox, `auto`
 * starts without one and says so, `off` never tries. A wrong OMPCORD_SANDBOX_USER the person set is
 * a configuration error in every mode that tries.
 */
export function chooseSandbox(
  mode: "auto" | "required" | "off",
  trial: { ok: true; user: string } | { ok: false; reason: string; fix: string; userSettingWrong?: boolean },
): SandboxChoice {
  if (mode === "off") return { status: { mode: "off" }, useSandbox: false };
  if (trial.ok) return { status: { mode, active: true, user: trial.user }, useSandbox: true };
  if (mode === "required" || trial.userSettingWrong) {
    return { refuse: { reason: trial.reason, fix: trial.fix } };
  }
  return { status: { mode, active: false, reason: trial.reason, fix: trial.fix }, useSandbox: false };
}
