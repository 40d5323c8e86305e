// Which variables ompcord reads and what each must look like; assemble.ts turns the valid strings into
// `Config`. Pure: no file or environment access here.

import * as z from "zod";
import { APPROVAL_POLICIES, LOG_LEVELS, PLAIN_MESSAGE_MODES, RANGES, SANDBOX_MODES } from "./defaults.js";
import type { ConfigProblem } from "./errors.js";
import {
  amount,
  argumentList,
  bool,
  byteSize,
  channelChoices,
  channelDirectories,
  channelNumbers,
  duration,
  envNameList,
  executable,
  hostName,
  httpUrl,
  namedTokenList,
  oneOf,
  opaqueToken,
  path,
  pathList,
  snowflake,
  snowflakeList,
  timeZone,
  wholeNumber,
  word,
} from "./fields.js";
import { projectList } from "./projects.js";
import type { RawSetting } from "./sources.js";

const ID_FIX = "In Discord, turn on User Settings → Advanced → Developer Mode, then right-click";

/**
 * OMPCORD_PLAIN_MESSAGES was yes or no before steering: the yes words (`true`, `yes`, `1`, `on`) still
 * read as `queue`, the no words as `off`.
 */
const PLAIN_MESSAGES_BEFORE_STEERING: Record<string, (typeof PLAIN_MESSAGE_MODES)[number]> = {
  true: "queue",
  yes: "queue",
  "1": "queue",
  on: "queue",
  false: "off",
  no: "off",
  "0": "off",
};
const plainMessageMode = z
  .string()
  .transform((text) => text.trim().toLowerCase())
  .transform((text) => PLAIN_MESSAGES_BEFORE_STEERING[text] ?? text)
  .pipe(z.enum(PLAIN_MESSAGE_MODES));

const settingsSchema = z.object({
  DISCORD_BOT_TOKEN: opaqueToken(1),
  DISCORD_GUILD_ID: snowflake,
  DISCORD_CHANNEL_ID: snowflake,
  DISCORD_ALLOWED_USERS: snowflakeList({ min: 1 }),
  OMP_LAUNCH_EMOJI: word.max(100).optional(),
  OMP_LAUNCH_CHANNEL_IDS: snowflakeList({ min: 1 }).optional(),
  DISCORD_API_URL: httpUrl.optional(),
  OMPCORD_PLAIN_MESSAGES: plainMessageMode.optional(),
  OMP_BIN: executable.optional(),
  OMP_MODEL: word.optional(),
  OMP_EXTRA_ARGS: argumentList.optional(),
  OMP_WORKDIR: path.optional(),
  OMP_CHANNEL_WORKDIRS: channelDirectories.optional(),
  OMPCORD_PROJECTS: projectList.optional(),
  OMP_MAX_CONCURRENT_RUNS: wholeNumber(RANGES.maxConcurrentRuns).optional(),
  OMP_RUN_TIMEOUT: duration(RANGES.runTimeoutMs).optional(),
  OMP_KILL_GRACE: duration(RANGES.killGraceMs).optional(),
  OMPCORD_SHUTDOWN_GRACE: duration(RANGES.shutdownGraceMs).optional(),
  OMP_MAX_RETRIES: wholeNumber(RANGES.maxRetries).optional(),
  OMPCORD_USAGE_WAIT_MAX: duration(RANGES.usageWaitMaxMs).optional(),
  OMP_ENV_PASSTHROUGH: envNameList(["DISCORD_BOT_TOKEN", "OMPCORD_API_TOKEN"]).optional(),
  OMPCORD_TRUSTED_WORKDIRS: pathList.optional(),
  OMPCORD_SANDBOX: oneOf(SANDBOX_MODES).optional(),
  OMPCORD_SANDBOX_USER: word.optional(),
  OMPCORD_APPROVALS: oneOf(APPROVAL_POLICIES).optional(),
  OMPCORD_CHANNEL_APPROVALS: channelChoices(APPROVAL_POLICIES).optional(),
  OMPCORD_APPROVAL_TIMEOUT: duration(RANGES.approvalTimeoutMs).optional(),
  OMPCORD_APPROVERS: snowflakeList({ min: 1 }).optional(),
  OMPCORD_PINGS: bool.optional(),
  OMPCORD_PROMPT_MAX_CHARS: wholeNumber(RANGES.promptMaxChars).optional(),
  OMPCORD_QUEUE_DEPTH_MAX: wholeNumber(RANGES.queueDepthMax).optional(),
  OMPCORD_OUTPUT_KEPT_BYTES: wholeNumber(RANGES.outputKeptBytes).optional(),
  OMPCORD_CAP_RUN_TOKENS: wholeNumber(RANGES.capTokens).optional(),
  OMPCORD_CAP_RUN_COST: amount(RANGES.capCost).optional(),
  OMPCORD_CAP_DAY_TOKENS: wholeNumber(RANGES.capTokens).optional(),
  OMPCORD_CAP_DAY_COST: amount(RANGES.capCost).optional(),
  OMPCORD_CHANNEL_CAP_RUN_TOKENS: channelNumbers(wholeNumber(RANGES.capTokens)).optional(),
  OMPCORD_CHANNEL_CAP_RUN_COST: channelNumbers(amount(RANGES.capCost)).optional(),
  OMPCORD_CHANNEL_CAP_DAY_TOKENS: channelNumbers(wholeNumber(RANGES.capTokens)).optional(),
  OMPCORD_CHANNEL_CAP_DAY_COST: channelNumbers(amount(RANGES.capCost)).optional(),
  OMPCORD_TIMEZONE: timeZone.optional(),
  OMPCORD_RETENTION_DAYS: wholeNumber(RANGES.retentionDays).optional(),
  OMPCORD_DATA_DIR: path.optional(),
  OMPCORD_DATABASE_PATH: path.optional(),
  OMPCORD_API_HOST: hostName.optional(),
  OMPCORD_API_PORT: wholeNumber(RANGES.apiPort).optional(),
  OMPCORD_API_TOKEN: opaqueToken(RANGES.apiTokenMinChars).optional(),
  OMPCORD_NAMED_TOKENS: namedTokenList.optional(),
  OMPCORD_HOME_REPORTS: bool.optional(),
  OMPCORD_LOG_FILE: path.optional(),
  OMPCORD_LOG_FILE_SIZE: byteSize(RANGES.logFileMaxBytes).optional(),
  OMPCORD_LOG_FILE_COUNT: wholeNumber(RANGES.logFileKeep).optional(),
  LOG_LEVEL: z
    .string()
    .transform((level) => level.toLowerCase())
    .pipe(z.enum(LOG_LEVELS))
    .optional(),
});

export type Settings = z.output<typeof settingsSchema>;
export type Variable = keyof Settings;

interface VariableDoc {
  expected: string;
  fix: string;
  secret?: true;
}

const range = (r: { min: number; max: number }) => `from ${r.min} to ${r.max}`;
const durationRange = (r: { min: number; max: number }) =>
  `a duration such as 90s, 30m or 1h (or a number of milliseconds) from ${humanDuration(r.min)} to ${humanDuration(r.max)}`;

function humanDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** What each variable expects and how to fix it; the messages people read at start-up. */
export const VARIABLES: Record<Variable, VariableDoc> = {
  DISCORD_BOT_TOKEN: {
    expected: "the bot token from the Discord developer portal (no quotes, no `Bot ` prefix)",
    fix: "Discord developer portal → Applications → your app → Bot → Reset Token; paste it into .env as DISCORD_BOT_TOKEN=….",
    secret: true,
  },
  DISCORD_GUILD_ID: {
    expected: "a Discord server id (17–20 digits)",
    fix: `${ID_FIX} the server icon → Copy Server ID.`,
  },
  DISCORD_CHANNEL_ID: {
    expected: "a Discord channel id (17–20 digits)",
    fix: `${ID_FIX} the home channel → Copy Channel ID.`,
  },
  DISCORD_ALLOWED_USERS: {
    expected: "a comma-separated list of at least one Discord user id (17–20 digits each)",
    fix: `${ID_FIX} each user who may run the agent → Copy User ID; separate ids with commas.`,
  },
  OMP_LAUNCH_EMOJI: {
    expected: "one emoji such as 🚀 (no spaces)",
    fix: "Set OMP_LAUNCH_EMOJI to a single emoji, or remove it to use 🚀.",
  },
  OMP_LAUNCH_CHANNEL_IDS: {
    expected: "a comma-separated list of Discord channel ids (17–20 digits each)",
    fix: `${ID_FIX} each launch channel → Copy Channel ID; or remove the variable to use the home channel.`,
  },
  DISCORD_API_URL: {
    expected: "an http(s) URL such as http://127.0.0.1:5000/api",
    fix: "Remove DISCORD_API_URL to talk to Discord, or point it at the emulator's /api base.",
  },
  OMPCORD_PLAIN_MESSAGES: {
    expected: "off, queue or steer (true still means queue, false off)",
    fix: "Set OMPCORD_PLAIN_MESSAGES=queue to queue plain thread messages like /omp say, steer to steer the running turn with them (queued when nothing runs), off to ignore them.",
  },
  OMP_BIN: {
    expected: "the path or name of the omp executable, without arguments",
    fix: "Set OMP_BIN to the executable alone (e.g. node_modules/.bin/omp) and move arguments to OMP_EXTRA_ARGS.",
  },
  OMP_MODEL: {
    expected: "a model name without spaces, such as local/fake",
    fix: "Set OMP_MODEL to a provider/model id known to omp, or remove it to use omp's default.",
  },
  OMP_EXTRA_ARGS: {
    expected: 'a JSON array of strings such as ["--tools","read,bash"], or whitespace-separated arguments',
    fix: "Write OMP_EXTRA_ARGS as a JSON array of strings when an argument contains spaces.",
  },
  OMP_WORKDIR: {
    expected: "a directory path",
    fix: "Set OMP_WORKDIR to the directory under which each session gets its own working directory, or remove it to use <data dir>/workspace.",
  },
  OMP_CHANNEL_WORKDIRS: {
    expected: "comma-separated channelId=directory pairs, such as 123456789012345678=/srv/repo",
    fix: "Write each entry as <channel id>=<directory>, separated by commas.",
  },
  OMPCORD_PROJECTS: {
    expected:
      "semicolon-separated name[@channelId,…]=directory entries, such as api@123456789012345678=/srv/api; docs=/srv/docs",
    fix: 'Write each project as <name>=<directory>, with @<channel id>,<channel id> after the name to allow it only in those launch channels; separate projects with ";". In config/ompcord.json: { "api": { "dir": "/srv/api", "channels": ["123456789012345678"] } }.',
  },
  OMP_MAX_CONCURRENT_RUNS: {
    expected: `a whole number ${range(RANGES.maxConcurrentRuns)}`,
    fix: "Each run takes about 330 MB and a core; 2 suits a 2-core machine.",
  },
  OMP_RUN_TIMEOUT: {
    expected: durationRange(RANGES.runTimeoutMs),
    fix: "Set OMP_RUN_TIMEOUT like 30m; a run longer than this is stopped.",
  },
  OMP_KILL_GRACE: {
    expected: durationRange(RANGES.killGraceMs),
    fix: "Set OMP_KILL_GRACE like 2s: the wait between SIGTERM and SIGKILL on cancel.",
  },
  OMPCORD_SHUTDOWN_GRACE: {
    expected: durationRange(RANGES.shutdownGraceMs),
    fix: "Set OMPCORD_SHUTDOWN_GRACE like 10s: how long running prompts may finish when ompcord stops.",
  },
  OMP_MAX_RETRIES: {
    expected: `a whole number ${range(RANGES.maxRetries)}`,
    fix: "Set OMP_MAX_RETRIES to how often omp may retry a failing model request.",
  },
  OMPCORD_USAGE_WAIT_MAX: {
    expected: durationRange(RANGES.usageWaitMaxMs),
    fix: "Set OMPCORD_USAGE_WAIT_MAX like 6h: how long a run may wait for a model's usage limit to reset (0 fails it at once).",
  },
  OMP_ENV_PASSTHROUGH: {
    expected: "comma-separated environment variable names (letters, digits, _)",
    fix: "List only variable names, e.g. OPENAI_API_KEY,HTTPS_PROXY.",
  },
  OMPCORD_TRUSTED_WORKDIRS: {
    expected: "comma-separated directories, each one of the directories in OMP_CHANNEL_WORKDIRS",
    fix: "List only channel project directories (OMP_CHANNEL_WORKDIRS) whose repository you trust to run its own code in omp: its .omp extensions, hooks and tools, its MCP and LSP servers, its .envrc.",
  },
  OMPCORD_SANDBOX: {
    expected: `one of ${SANDBOX_MODES.join(", ")}`,
    fix: "Set OMPCORD_SANDBOX=auto (each run in a bubblewrap sandbox when one starts here, a loud warning when not), required (refuse to start without it) or off (runs see everything your user can).",
  },
  OMPCORD_SANDBOX_USER: {
    expected: "the name or numeric uid of an existing account other than root",
    fix: "Set OMPCORD_SANDBOX_USER to the account sandboxed runs use when ompcord runs as root, e.g. nobody or a user made for it (useradd --system ompcord-agent); it is ignored when ompcord does not run as root.",
  },
  OMPCORD_APPROVALS: {
    expected: `one of ${APPROVAL_POLICIES.join(", ")}`,
    fix: "Set OMPCORD_APPROVALS=writes (commands, file changes and subagents wait for a person's approval), all (every tool), or off (nothing asks).",
  },
  OMPCORD_CHANNEL_APPROVALS: {
    expected: `comma-separated channelId=policy pairs, each policy one of ${APPROVAL_POLICIES.join(", ")}, such as 123456789012345678=all`,
    fix: 'Write each entry as <launch channel id>=<off|writes|all>, separated by commas; in config/ompcord.json as an object { "<channel id>": "all" }.',
  },
  OMPCORD_APPROVAL_TIMEOUT: {
    expected: durationRange(RANGES.approvalTimeoutMs),
    fix: "Set OMPCORD_APPROVAL_TIMEOUT like 10m: an approval card or question left that long is denied (or unanswered) and the agent is told so.",
  },
  OMPCORD_APPROVERS: {
    expected: "a comma-separated list of Discord user ids (17–20 digits each)",
    fix: `${ID_FIX} each user who may approve, deny and answer besides the prompt's author → Copy User ID; or remove it to let the allowed users (DISCORD_ALLOWED_USERS) decide.`,
  },
  OMPCORD_PINGS: {
    expected: "true or false",
    fix: "Set OMPCORD_PINGS=false to never mention anyone, true (the default) to mention the prompt's author once when the agent needs them and once when the run ends.",
  },
  OMPCORD_PROMPT_MAX_CHARS: {
    expected: `a whole number ${range(RANGES.promptMaxChars)}`,
    fix: "Set OMPCORD_PROMPT_MAX_CHARS to the longest prompt accepted, e.g. 32000.",
  },
  OMPCORD_QUEUE_DEPTH_MAX: {
    expected: `a whole number ${range(RANGES.queueDepthMax)}`,
    fix: "Set OMPCORD_QUEUE_DEPTH_MAX to how many prompts may wait per thread, e.g. 10.",
  },
  OMPCORD_OUTPUT_KEPT_BYTES: {
    expected: `a whole number of bytes ${range(RANGES.outputKeptBytes)}`,
    fix: "Set OMPCORD_OUTPUT_KEPT_BYTES like 262144; the transcript on disk keeps the rest.",
  },
  OMPCORD_CAP_RUN_TOKENS: {
    expected: `a whole number of tokens ${range(RANGES.capTokens)}`,
    fix: "Set OMPCORD_CAP_RUN_TOKENS like 200000: a run that reaches it is stopped. Remove it for no cap.",
  },
  OMPCORD_CAP_RUN_COST: {
    expected: `an amount of US dollars such as 0.50, more than ${RANGES.capCost.min} and at most ${RANGES.capCost.max}`,
    fix: "Set OMPCORD_CAP_RUN_COST like 2.50 (no currency sign): a run that reaches it is stopped. Remove it for no cap.",
  },
  OMPCORD_CAP_DAY_TOKENS: {
    expected: `a whole number of tokens ${range(RANGES.capTokens)}`,
    fix: "Set OMPCORD_CAP_DAY_TOKENS like 2000000: once all runs of the day reach it, new runs wait for the next day. Remove it for no cap.",
  },
  OMPCORD_CAP_DAY_COST: {
    expected: `an amount of US dollars such as 20, more than ${RANGES.capCost.min} and at most ${RANGES.capCost.max}`,
    fix: "Set OMPCORD_CAP_DAY_COST like 20 (no currency sign): once all runs of the day reach it, new runs wait for the next day. Remove it for no cap.",
  },
  OMPCORD_CHANNEL_CAP_RUN_TOKENS: {
    expected: `comma-separated channelId=tokens pairs, each a whole number ${range(RANGES.capTokens)}, such as 123456789012345678=50000`,
    fix: 'Write each entry as <launch channel id>=<tokens>, separated by commas; in config/ompcord.json as an object { "<channel id>": 50000 }.',
  },
  OMPCORD_CHANNEL_CAP_RUN_COST: {
    expected: "comma-separated channelId=dollars pairs such as 123456789012345678=0.50",
    fix: 'Write each entry as <launch channel id>=<dollars> (no currency sign), separated by commas; in config/ompcord.json as an object { "<channel id>": 0.5 }.',
  },
  OMPCORD_CHANNEL_CAP_DAY_TOKENS: {
    expected: `comma-separated channelId=tokens pairs, each a whole number ${range(RANGES.capTokens)}, such as 123456789012345678=500000`,
    fix: 'Write each entry as <launch channel id>=<tokens>, separated by commas; in config/ompcord.json as an object { "<channel id>": 500000 }.',
  },
  OMPCORD_CHANNEL_CAP_DAY_COST: {
    expected: "comma-separated channelId=dollars pairs such as 123456789012345678=5",
    fix: 'Write each entry as <launch channel id>=<dollars> (no currency sign), separated by commas; in config/ompcord.json as an object { "<channel id>": 5 }.',
  },
  OMPCORD_TIMEZONE: {
    expected: "an IANA time zone name such as UTC, Europe/Berlin or America/New_York",
    fix: "Set OMPCORD_TIMEZONE to the zone whose midnight starts a new day for the daily caps, or remove it to use UTC.",
  },
  OMPCORD_RETENTION_DAYS: {
    expected: `a whole number of days ${range(RANGES.retentionDays)}`,
    fix: "Set OMPCORD_RETENTION_DAYS like 30: stopped sessions' transcripts, omp session files and rows older than that are deleted. Remove it to keep everything.",
  },
  OMPCORD_DATA_DIR: {
    expected: "a directory path",
    fix: "Set OMPCORD_DATA_DIR to a writable directory, or remove it to use ./.data.",
  },
  OMPCORD_DATABASE_PATH: {
    expected: "a file path",
    fix: "Set OMPCORD_DATABASE_PATH to a writable file, or remove it to use <data dir>/ompcord.db.",
  },
  OMPCORD_API_HOST: {
    expected: "a host name or IP address such as 127.0.0.1 (no scheme, no port)",
    fix: "Set OMPCORD_API_HOST=127.0.0.1 so the sidecar API is reachable only from this machine.",
  },
  OMPCORD_API_PORT: {
    expected: `a whole number ${range(RANGES.apiPort)}`,
    fix: "Set OMPCORD_API_PORT to a free port, e.g. 8901 (0 picks one at random).",
  },
  OMPCORD_API_TOKEN: {
    expected: `a token of at least ${RANGES.apiTokenMinChars} characters without spaces or quotes`,
    fix: "Remove OMPCORD_API_TOKEN to let ompcord generate one, or set a long random value (openssl rand -hex 32).",
    secret: true,
  },
  OMPCORD_NAMED_TOKENS: {
    expected:
      "named tokens as name:discordUserId:token, separated by commas; names of 1 to 32 letters, digits, `.`, `_`, `-`, each unique per user; tokens `ompcord_tok_` and at least 32 random characters",
    fix: "Generate a token with: echo ompcord_tok_$(openssl rand -hex 32); or remove the variable and issue tokens with /omp token.",
    secret: true,
  },
  OMPCORD_HOME_REPORTS: {
    expected: "on or off (true or false)",
    fix: "Set OMPCORD_HOME_REPORTS=off to keep start, stop and crash reports out of DISCORD_CHANNEL_ID, or on (the default).",
  },
  OMPCORD_LOG_FILE: {
    expected: "a file path",
    fix: "Set OMPCORD_LOG_FILE to a file in a writable directory, e.g. .data/ompcord.log, or remove it to log to stdout only.",
  },
  OMPCORD_LOG_FILE_SIZE: {
    expected: `a size such as 10M, 512K or 1G (or a number of bytes) from 64K to 1G`,
    fix: "Set OMPCORD_LOG_FILE_SIZE like 10M: the log file is rotated when it reaches this size.",
  },
  OMPCORD_LOG_FILE_COUNT: {
    expected: `a whole number ${range(RANGES.logFileKeep)}`,
    fix: "Set OMPCORD_LOG_FILE_COUNT to how many rotated log files to keep, e.g. 5.",
  },
  LOG_LEVEL: {
    expected: `one of ${LOG_LEVELS.join(", ")}`,
    fix: "Set LOG_LEVEL=info, or debug while investigating.",
  },
};

export const VARIABLE_NAMES = Object.keys(VARIABLES) as Variable[];

export const HIDDEN = "(set, hidden)";

/**
 * Validates the raw strings in one pass and reports every problem, not just the first.
 * Secrets are never echoed: their `received` is `(set, hidden)`, and any other value that contains a
 * secret (a token pasted into the wrong variable) is hidden the same way.
 */
export function validateSettings(
  values: ReadonlyMap<string, RawSetting>,
): { settings: Settings; problems: [] } | { settings: undefined; problems: ConfigProblem[] } {
  const input = Object.fromEntries(VARIABLE_NAMES.map((name) => [name, values.get(name)?.value]));
  const result = settingsSchema.safeParse(input);
  if (result.success) return { settings: result.data, problems: [] };

  const secrets = VARIABLE_NAMES.filter((name) => VARIABLES[name].secret)
    .map((name) => values.get(name)?.value)
    .filter((value): value is string => value !== undefined && value.length >= 4);

  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0]) as Variable;
    const doc = VARIABLES[variable];
    const raw = values.get(variable);
    const params = (issue.code === "custom" ? issue.params : undefined) as
      | { received?: string; expected?: string; fix?: string }
      | undefined;
    let received = raw === undefined ? undefined : (params?.received ?? raw.value);
    if (received !== undefined && (doc.secret || secrets.some((secret) => received?.includes(secret)))) {
      received = HIDDEN;
    }
    const problem: ConfigProblem = {
      variable,
      expected: params?.expected ?? doc.expected,
      received,
      fix: params?.fix ?? doc.fix,
    };
    if (raw) problem.source = raw.source;
    // One line per bad piece: a list with two bad ids gives two lines, a number below range one.
    const key = `${variable}\u0000${problem.received}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return { settings: undefined, problems };
}
