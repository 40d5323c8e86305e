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
  /**
   * The variables the person set (environment, `.env` or the config file). A default may adapt where a
   * setting may not: the default workspace is created and a taken default port gives way to a free one,
   * but a directory or port the person named must be usable as named.
   */
  configured: readonly Variable[];
}
