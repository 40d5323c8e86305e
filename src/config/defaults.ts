// Every default and range of ompcord's settings, named once so the validator, `.env.example` and the
// error messages cannot drift apart.

import { fileURLToPath } from "node:url";

export const DEFAULTS = {
  launchEmoji: "🚀",
  /** Queue like `/omp say`: what a plain message did before steering existed. */
  plainMessages: "queue",
  ompBin: "omp",
  maxConcurrentRuns: 2,
  runTimeoutMs: 30 * 60_000,
  killGraceMs: 2_000,
  shutdownGraceMs: 10_000,
  maxRetries: 2,
  /** Long enough for the 5-hour windows of coding plans; a weekly limit fails the run instead. */
  usageWaitMaxMs: 6 * 3_600_000,
  /** See the README's trust section for why `writes`. */
  approvals: "writes",
  /** How long a card or question waits for a person before the agent is told "denied" / "no answer". */
  approvalTimeoutMs: 10 * 60_000,
  /** One mention of the prompt's author when a run first needs them and when it ends. */
  pings: true,
  promptMaxChars: 32_000,
  queueDepthMax: 10,
  outputKeptBytes: 262_144,
  dataDir: "./.data",
  databaseFile: "ompcord.db",
  workspaceDir: "workspace",
  transcriptsDir: "transcripts",
  ompSessionsDir: "omp-sessions",
  apiTokenFile: "api-token",
  /** The settings overlay every omp run loads (written at start). */
  overlayFile: "omp-overlay.yml",
  /** Where the sidecar API's URL, port and the bot's pid are written for the bot's own tools (0600). */
  sidecarFile: "sidecar.json",
  /** Per-session private homes and omp settings of sandboxed runs, inside the data dir (see src/omp/sandbox-host.ts). */
  sandboxDir: "sandbox",
  /** The empty directory omp is started from, so nothing of a workspace runs as Bun starts. */
  launchDir: "omp-launch",
  /** Sandbox each run when a trial sandbox starts; otherwise start anyway and say what is exposed. */
  sandbox: "auto",
  /** The account sandboxed runs use when ompcord itself runs as root. */
  sandboxUser: "nobody",
  apiHost: "127.0.0.1",
  /** When OMPCORD_API_PORT is not set and this port is taken, a free one is used instead. */
  apiPort: 8901,
  logLevel: "info",
  /** Start, stop and crash reports in DISCORD_CHANNEL_ID. */
  homeReports: true,
  /** With OMPCORD_LOG_FILE: the file is rotated at this size, and this many rotated files are kept. */
  logFileMaxBytes: 10 * 1024 * 1024,
  logFileKeep: 5,
  /**
   * omp's `--max-time` is the run limit plus room for this many full approval timeouts (and the usage
   * wait): the bot's own limit pauses for every wait; the backstop matters only when the bot cannot act.
   */
  personWaitsInBackstop: 10,
  /** The day of the daily caps starts at midnight in this zone (OMPCORD_TIMEZONE). */
  timeZone: "UTC",
  /** How often the retention sweep runs when OMPCORD_RETENTION_DAYS is set (and once at start). */
  retentionSweepMs: 3_600_000,
  /** `/omp health` warns when the data dir's file system has less free space than this. */
  diskWarnBytes: 1024 * 1024 * 1024,
} as const;

/** Inclusive bounds; outside them a value is almost certainly a typo (an extra zero, ms for s). */
export const RANGES = {
  maxConcurrentRuns: { min: 1, max: 64 },
  runTimeoutMs: { min: 1_000, max: 24 * 3_600_000 },
  killGraceMs: { min: 0, max: 60_000 },
  shutdownGraceMs: { min: 0, max: 3_600_000 },
  maxRetries: { min: 0, max: 10 },
  usageWaitMaxMs: { min: 0, max: 7 * 24 * 3_600_000 },
  promptMaxChars: { min: 1, max: 1_000_000 },
  queueDepthMax: { min: 1, max: 1_000 },
  outputKeptBytes: { min: 1_024, max: 64 * 1024 * 1024 },
  apiPort: { min: 0, max: 65_535 },
  approvalTimeoutMs: { min: 5_000, max: 24 * 3_600_000 },
  apiTokenMinChars: 16,
  logFileMaxBytes: { min: 64 * 1024, max: 1024 ** 3 },
  logFileKeep: { min: 1, max: 100 },
  capTokens: { min: 1, max: 1_000_000_000_000 },
  /** Dollars; the minimum is exclusive (a cap of 0 would refuse everything: remove it instead). */
  capCost: { min: 0, max: 1_000_000 },
  retentionDays: { min: 1, max: 36_500 },
} as const;

/** `OMPCORD_SANDBOX`: the name is read by tooling outside this repository; keep it and these values. */
export const SANDBOX_MODES = ["auto", "required", "off"] as const;

/** `OMPCORD_APPROVALS`: which tool calls wait for a person (src/approvals/policy.ts), strictest last. */
export const APPROVAL_POLICIES = ["off", "writes", "all"] as const;

/**
 * `OMPCORD_PLAIN_MESSAGES`: what a plain message from an allowed user in a session thread does. `steer`
 * steers the running turn, and queues like `queue` when nothing runs.
 */
export const PLAIN_MESSAGE_MODES = ["off", "queue", "steer"] as const;

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * The omp that `npm install` puts next to ompcord (the same path from `src/config` and `dist/config`).
 * When OMP_BIN is not set it is used if present, so `node dist/main.js` finds omp as `npm start` does
 * (npm puts node_modules/.bin on PATH, plain node does not); otherwise `omp` is looked up on PATH
 * (a global install, as in the Docker image).
 */
export const BUNDLED_OMP_BIN = fileURLToPath(new URL("../../node_modules/.bin/omp", import.meta.url));

/**
 * ompcord's own checkout (or install): its root holds `.env`, `config/` and the code. A working directory
 * that contains it would hand all of that to the agent, so start-up refuses one.
 */
export const CHECKOUT_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** Where the optional, non-secret settings file lives, relative to the working directory. */
export const CONFIG_FILE = "config/ompcord.json";
export const ENV_FILE = ".env";
