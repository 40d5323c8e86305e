// Loads ompcord's one configuration object: environment over `.env` over `config/ompcord.json` over
// defaults, validated once; a bad setting stops start-up with a `ConfigError` naming each fix.

import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { ensureApiToken } from "./api-token.js";
import { assembleConfig } from "./assemble.js";
import { BUNDLED_OMP_BIN, DEFAULTS } from "./defaults.js";
import { describeFsError, ensureDirectory } from "./directories.js";
import { ConfigError } from "./errors.js";
import { dataDirProblem, ownedPathProblem } from "./paths.js";
import { projectSettingProblems } from "./projects.js";
import { VARIABLE_NAMES, type Variable, validateSettings } from "./schema.js";
import { readRawSettings } from "./sources.js";
import type { Config } from "./types.js";

export { ensureApiToken } from "./api-token.js";
export { BUNDLED_OMP_BIN, CONFIG_FILE, DEFAULTS, ENV_FILE, LOG_LEVELS, RANGES } from "./defaults.js";
export {
  type DirectoryProblem,
  type DirectoryProblemKind,
  describeUnusableWorkDir,
  directoryProblem,
  ensureDirectory,
} from "./directories.js";
export {
  ConfigError,
  type ConfigProblem,
  type ConfigSource,
  describeProblem,
  EXIT_CONFIG,
} from "./errors.js";
export { parseDuration } from "./fields.js";
export { formatConfigHelp, PLAYGROUND_HINT } from "./help.js";
export { pathProblems, preparePaths } from "./paths.js";
export { PROJECT_NAME, type ProjectSetting } from "./projects.js";
export { VARIABLE_NAMES, VARIABLES, type Variable } from "./schema.js";
export { environmentWithDotenv } from "./sources.js";
export type { Config, LogLevel, SpendCaps, SpendSettings } from "./types.js";

export interface LoadConfigOptions {
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where `.env` and `config/ompcord.json` are looked for and relative paths resolve; defaults to `process.cwd()`. */
  cwd?: string;
}

/**
 * Reads and validates the configuration. When `OMPCORD_API_TOKEN` is unset, the token persisted in
 * `<dataDir>/api-token` is used (generated on first start, creating the data dir); that is the only
 * write this does, and it happens only after everything validated. Whether the other paths are usable
 * is `preparePaths`'s job, at start.
 * @throws ConfigError listing every problem found.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const raw = readRawSettings(VARIABLE_NAMES, env, cwd);
  const validated = validateSettings(raw.values);
  const problems = [...raw.problems, ...validated.problems];
  if (problems.length > 0 || validated.settings === undefined) {
    throw new ConfigError(problems, { cwd, envFileFound: raw.envFileFound });
  }
  const settings = validated.settings;
  const context = { cwd, envFileFound: raw.envFileFound };
  const withoutToken = assembleConfig(settings, {
    cwd,
    apiToken: "",
    configured: VARIABLE_NAMES.filter((name: Variable) => raw.values.has(name)),
    defaultOmpBin: existsSync(BUNDLED_OMP_BIN) ? BUNDLED_OMP_BIN : DEFAULTS.ompBin,
  });
  const crossProblems = projectSettingProblems(withoutToken);
  if (crossProblems.length > 0) throw new ConfigError(crossProblems, context);
  const apiToken = settings.OMPCORD_API_TOKEN ?? persistedApiToken(withoutToken, context);
  return { ...withoutToken, api: { ...withoutToken.api, token: apiToken } };
}

/** The generated token, or the data dir's problem in the same words as the start-up check. */
function persistedApiToken(config: Config, context: { cwd: string; envFileFound: boolean }): string {
  const problem = ensureDirectory(config.dataDir);
  if (problem) throw new ConfigError([dataDirProblem(config, problem)], context);
  try {
    return ensureApiToken(config.dataDir);
  } catch (error) {
    const file = join(config.dataDir, DEFAULTS.apiTokenFile);
    const reason = `cannot be written (${describeFsError(error)})`;
    throw new ConfigError([ownedPathProblem(config, file, reason)], context);
  }
}

/** The four settings that connect ompcord to a Discord server; with none of them set, `npm start` opens the playground. */
export const DISCORD_CONNECTION_VARIABLES = [
  "DISCORD_BOT_TOKEN",
  "DISCORD_GUILD_ID",
  "DISCORD_CHANNEL_ID",
  "DISCORD_ALLOWED_USERS",
] as const satisfies readonly Variable[];

/** Which Discord connection settings are set anywhere (environment, `.env`, `config/ompcord.json`), valid or not. */
export function discordSettingsSet(options: LoadConfigOptions = {}): Variable[] {
  const raw = readRawSettings(
    DISCORD_CONNECTION_VARIABLES,
    options.env ?? process.env,
    options.cwd ?? process.cwd(),
  );
  return DISCORD_CONNECTION_VARIABLES.filter((name) => raw.values.has(name));
}

/** The data directory the settings name (or the default), as an absolute path; not validated or created. */
export function configuredDataDir(options: LoadConfigOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const raw = readRawSettings(["OMPCORD_DATA_DIR"], options.env ?? process.env, cwd);
  const dir = raw.values.get("OMPCORD_DATA_DIR")?.value ?? DEFAULTS.dataDir;
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

/** The secret values in a config, for the redactor: they must never leave the bot. */
export function configSecrets(config: Config): string[] {
  return [
    config.discord.token,
    config.api.token,
    ...config.api.namedTokens.map((entry) => entry.token),
  ].filter((secret) => secret.length > 0);
}
