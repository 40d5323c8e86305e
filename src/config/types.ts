// The one configuration object the rest of ompcord receives (see docs/ARCHITECTURE.md).

import type { APPROVAL_POLICIES, LOG_LEVELS, PLAIN_MESSAGE_MODES, SANDBOX_MODES } from "./defaults.js";
import type { ProjectSetting } from "./projects.js";
import type { Variable } from "./schema.js";

export type LogLevel = (typeof LOG_LEVELS)[number];
/** `auto`: sandbox when a trial sandbox starts, else run unsandboxed and say so; `required`; `off`. */
export type SandboxMode = (typeof SANDBOX_MODES)[number];
export type PlainMessageMode = (typeof PLAIN_MESSAGE_MODES)[number];
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

/** The launch channels' policies as configured (`OMPCORD_APPROVALS`, `OMPCORD_CHANNEL_APPROVALS`). */
export interface ApprovalSettings {
  policy: ApprovalPolicy;
  channelPolicies: Readonly<Record<string, ApprovalPolicy>>;
  /** How long a card or question waits for a decision (`OMPCORD_APPROVAL_TIMEOUT`). */
  timeoutMs?: number;
  /**
   * Who may decide besides the person who queued the running prompt (`OMPCORD_APPROVERS`); the
   * allowed users when not set.
   */
  deciders?: readonly string[];
  /** One mention of the prompt's author when the run first needs them and at its end (`OMPCORD_PINGS`). */
  pings?: boolean;
}

/** A cap on tokens and one on cost (US dollars); undefined is no cap. */
export interface SpendCaps {
  tokens: number | undefined;
  cost: number | undefined;
}

/**
 * Caps on spend (src/sessions/caps.ts): per run and per day for every channel (`run`, `day`: the day cap
 * counts all channels together), and per launch channel in `channels` (a run cap there overrides
 * `run`; a day cap there counts that channel's runs only, on top of `day`).
 */
export interface SpendSettings {
  run: SpendCaps;
  day: SpendCaps;
  channels: Readonly<Record<string, { run: Partial<SpendCaps>; day: Partial<SpendCaps> }>>;
  /** The IANA zone whose midnight starts a new day (OMPCORD_TIMEZONE, UTC by default). */
  timeZone: string;
}

export interface Config {
  discord: {
    token: string;
    guildId: string;
    homeChannelId: string;
    allowedUserIds: string[];
    launchEmoji: string;
    launchChannelIds: string[];
    /** Base of the REST API including `/api` (an emulator in tests); `undefined` means real Discord. */
    apiUrl: string | undefined;
    /**
     * What a plain message from an allowed user in a session thread does: nothing, queue like
     * `/omp say`, or steer the running turn like `/omp steer` (queued when nothing runs).
     */
    plainMessages: PlainMessageMode;
  };
  omp: {
    bin: string;
    model: string | undefined;
    extraArgs: string[];
    /** Absolute; the workspace root: each session works in its own directory under it. */
    workDir: string;
    /** Absolute project directories by launch channel id, shared by that channel's sessions. */
    channelWorkDirs: Record<string, string>;
    /** Named projects (OMPCORD_PROJECTS) a session may be opened in; directories absolute. */
    projects: readonly ProjectSetting[];
    /**
     * Absolute; channel project directories whose repository may run its own code in omp (extensions,
     * hooks, custom tools, MCP servers, LSP servers, direnv). Every other workspace is untrusted.
     */
    trustedWorkDirs: string[];
    maxConcurrentRuns: number;
    runTimeoutMs: number;
    killGraceMs: number;
    /** How long running prompts may finish on SIGTERM/SIGINT before they are cancelled. */
    shutdownGraceMs: number;
    maxRetries: number;
    /**
     * How long a run may wait for a provider's usage limit to reset (its time limit paused meanwhile);
     * a later reset fails the run. 0: a usage limit fails it at once.
     */
    usageWaitMaxMs: number;
    /** Extra environment variable names the omp child may receive, beyond the runner's allowlist. */
    envPassthrough: string[];
  };
  sandbox: {
    mode: SandboxMode;
    /** The account (name or uid) sandboxed runs use when ompcord runs as root; unused otherwise. */
    user: string;
  };
  /**
   * Which tool calls wait for a person (src/approvals/policy.ts): `policy` for launch channels without
   * their own entry in `channelPolicies` (by launch channel id).
   */
  approvals: ApprovalSettings;
  limits: { promptMaxChars: number; queueDepthMax: number; outputKeptBytes: number };
  spend: SpendSettings;
  /** Stopped sessions' files and rows older than `days` are purged (src/store/retention.ts); undefined: kept. */
  retention: { days: number | undefined };
  /** Absolute; the `.env` file the settings were read from (it may not exist): never inside a workspace. */
  envFile: string;
  /** Absolute paths, all under `dataDir` unless set otherwise. */
  dataDir: string;
  databasePath: string;
  transcriptsDir: string;
  ompSessionsDir: string;
  /** `port` is OMPCORD_API_PORT's value or the default; see `configured` for which. */
  api: {
    host: string;
    port: number;
    token: string;
    /** Configured named tokens (OMPCORD_NAMED_TOKENS); more are issued with `/omp token`. */
    namedTokens: readonly { name: string; discordUserId: string; token: string }[];
  };
  logLevel: LogLevel;
  /** Log lines also go to this file (absolute), rotated at `maxBytes` with `keep` rotated files; unset: stdout only. */
  logFile: { path: string; maxBytes: number; keep: number } | undefined;
  /** Start, stop and crash reports in the home channel (`discord.homeChannelId`). */
  homeReports: boolean;
  /**
   * The variables the person set (environment, `.env` or the config file). A default may adapt where a
   * setting may not: the default workspace is created and a taken default port gives way to a free one,
   * but a directory or port the person named must be usable as named.
   */
  configured: readonly Variable[];
}
