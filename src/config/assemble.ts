// Turns validated settings into the one `Config` the rest of ompcord receives: defaults (some depend on
// other settings) filled in, paths made absolute.

import { isAbsolute, join, resolve } from "node:path";
import { DEFAULTS, ENV_FILE } from "./defaults.js";
import type { Settings, Variable } from "./schema.js";
import type { Config, SpendCaps, SpendSettings } from "./types.js";

/** What `assembleConfig` needs beyond the settings; found outside (the file system, the sources). */
export interface AssembleContext {
  /** Where relative paths resolve. */
  cwd: string;
  apiToken: string;
  /** The variables the person set, in any source; everything else takes its default. */
  configured: readonly Variable[];
  /** OMP_BIN's default: the bundled omp when it is installed, else `omp` on PATH. */
  defaultOmpBin: string;
}

/** Resolves defaults (some depend on other settings) and paths into the `Config` shape. */
export function assembleConfig(settings: Settings, context: AssembleContext): Config {
  const { cwd, apiToken } = context;
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const dataDir = absolute(settings.OMPCORD_DATA_DIR ?? DEFAULTS.dataDir);
  const databasePath = settings.OMPCORD_DATABASE_PATH
    ? settings.OMPCORD_DATABASE_PATH === ":memory:"
      ? ":memory:"
      : absolute(settings.OMPCORD_DATABASE_PATH)
    : join(dataDir, DEFAULTS.databaseFile);
  const channelWorkDirs = Object.fromEntries(
    Object.entries(settings.OMP_CHANNEL_WORKDIRS ?? {}).map(([id, dir]) => [id, absolute(dir)]),
  );
  const trustedWorkDirs = [...new Set((settings.OMPCORD_TRUSTED_WORKDIRS ?? []).map(absolute))];

  return {
    discord: {
      token: settings.DISCORD_BOT_TOKEN,
      guildId: settings.DISCORD_GUILD_ID,
      homeChannelId: settings.DISCORD_CHANNEL_ID,
      allowedUserIds: settings.DISCORD_ALLOWED_USERS,
      launchEmoji: settings.OMP_LAUNCH_EMOJI ?? DEFAULTS.launchEmoji,
      launchChannelIds: settings.OMP_LAUNCH_CHANNEL_IDS ?? [settings.DISCORD_CHANNEL_ID],
      apiUrl: settings.DISCORD_API_URL,
      plainMessages: settings.OMPCORD_PLAIN_MESSAGES ?? DEFAULTS.plainMessages,
    },
    omp: {
      bin: settings.OMP_BIN ?? context.defaultOmpBin,
      model: settings.OMP_MODEL,
      extraArgs: settings.OMP_EXTRA_ARGS ?? [],
      workDir: absolute(settings.OMP_WORKDIR ?? join(dataDir, DEFAULTS.workspaceDir)),
      channelWorkDirs,
      projects: (settings.OMPCORD_PROJECTS ?? []).map((project) => ({
        ...project,
        dir: absolute(project.dir),
      })),
      maxConcurrentRuns: settings.OMP_MAX_CONCURRENT_RUNS ?? DEFAULTS.maxConcurrentRuns,
      runTimeoutMs: settings.OMP_RUN_TIMEOUT ?? DEFAULTS.runTimeoutMs,
      killGraceMs: settings.OMP_KILL_GRACE ?? DEFAULTS.killGraceMs,
      shutdownGraceMs: settings.OMPCORD_SHUTDOWN_GRACE ?? DEFAULTS.shutdownGraceMs,
      maxRetries: settings.OMP_MAX_RETRIES ?? DEFAULTS.maxRetries,
      usageWaitMaxMs: settings.OMPCORD_USAGE_WAIT_MAX ?? DEFAULTS.usageWaitMaxMs,
      envPassthrough: settings.OMP_ENV_PASSTHROUGH ?? [],
      trustedWorkDirs,
    },
    sandbox: {
      mode: settings.OMPCORD_SANDBOX ?? DEFAULTS.sandbox,
      user: settings.OMPCORD_SANDBOX_USER ?? DEFAULTS.sandboxUser,
    },
    approvals: {
      policy: settings.OMPCORD_APPROVALS ?? DEFAULTS.approvals,
      channelPolicies: settings.OMPCORD_CHANNEL_APPROVALS ?? {},
      timeoutMs: settings.OMPCORD_APPROVAL_TIMEOUT ?? DEFAULTS.approvalTimeoutMs,
      deciders: settings.OMPCORD_APPROVERS ?? settings.DISCORD_ALLOWED_USERS,
      pings: settings.OMPCORD_PINGS ?? DEFAULTS.pings,
    },
    limits: {
      promptMaxChars: settings.OMPCORD_PROMPT_MAX_CHARS ?? DEFAULTS.promptMaxChars,
      queueDepthMax: settings.OMPCORD_QUEUE_DEPTH_MAX ?? DEFAULTS.queueDepthMax,
      outputKeptBytes: settings.OMPCORD_OUTPUT_KEPT_BYTES ?? DEFAULTS.outputKeptBytes,
    },
    spend: spendSettings(settings),
    retention: { days: settings.OMPCORD_RETENTION_DAYS },
    envFile: join(cwd, ENV_FILE),
    dataDir,
    databasePath,
    transcriptsDir: join(dataDir, DEFAULTS.transcriptsDir),
    ompSessionsDir: join(dataDir, DEFAULTS.ompSessionsDir),
    api: {
      host: settings.OMPCORD_API_HOST ?? DEFAULTS.apiHost,
      port: settings.OMPCORD_API_PORT ?? DEFAULTS.apiPort,
      token: apiToken,
      namedTokens: settings.OMPCORD_NAMED_TOKENS ?? [],
    },
    logLevel: settings.LOG_LEVEL ?? DEFAULTS.logLevel,
    logFile: settings.OMPCORD_LOG_FILE
      ? {
          path: absolute(settings.OMPCORD_LOG_FILE),
          maxBytes: settings.OMPCORD_LOG_FILE_SIZE ?? DEFAULTS.logFileMaxBytes,
          keep: settings.OMPCORD_LOG_FILE_COUNT ?? DEFAULTS.logFileKeep,
        }
      : undefined,
    homeReports: settings.OMPCORD_HOME_REPORTS ?? DEFAULTS.homeReports,
    configured: context.configured,
  };
}

/** The caps as set; a channel appears in `channels` when any of its four per-channel caps is set. */
function spendSettings(settings: Settings): SpendSettings {
  const channels: Record<string, { run: Partial<SpendCaps>; day: Partial<SpendCaps> }> = {};
  const entry = (id: string) => (channels[id] ??= { run: {}, day: {} });
  const each = (map: Record<string, number> | undefined, set: (id: string, value: number) => void) => {
    for (const [id, value] of Object.entries(map ?? {})) set(id, value);
  };
  each(settings.OMPCORD_CHANNEL_CAP_RUN_TOKENS, (id, v) => (entry(id).run.tokens = v));
  each(settings.OMPCORD_CHANNEL_CAP_RUN_COST, (id, v) => (entry(id).run.cost = v));
  each(settings.OMPCORD_CHANNEL_CAP_DAY_TOKENS, (id, v) => (entry(id).day.tokens = v));
  each(settings.OMPCORD_CHANNEL_CAP_DAY_COST, (id, v) => (entry(id).day.cost = v));
  return {
    run: { tokens: settings.OMPCORD_CAP_RUN_TOKENS, cost: settings.OMPCORD_CAP_RUN_COST },
    day: { tokens: settings.OMPCORD_CAP_DAY_TOKENS, cost: settings.OMPCORD_CAP_DAY_COST },
    channels,
    timeZone: settings.OMPCORD_TIMEZONE?.trim() ?? DEFAULTS.timeZone,
  };
}
