// Loads ompcord's one configuration object: environment over `.env` over `config/ompcord.json` over
// defaults, validated once; a bad setting stops start-up with a `ConfigError` naming each fix.

import { ensureApiToken } from "./api-token.js";
import { ConfigError } from "./errors.js";
import { assembleConfig, VARIABLE_NAMES, validateSettings } from "./schema.js";
import { readRawSettings } from "./sources.js";
import type { Config } from "./types.js";

export { ensureApiToken } from "./api-token.js";
export { CONFIG_FILE, DEFAULTS, ENV_FILE, LOG_LEVELS, RANGES } from "./defaults.js";
export { ConfigError, type ConfigProblem, type ConfigSource, describeProblem } from "./errors.js";
export { parseDuration } from "./fields.js";
export { formatConfigHelp } from "./help.js";
export { VARIABLE_NAMES, VARIABLES } from "./schema.js";
export { environmentWithDotenv } from "./sources.js";
export type { Config, LogLevel } from "./types.js";

export interface LoadConfigOptions {
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where `.env` and `config/ompcord.json` are looked for and relative paths resolve; defaults to `process.cwd()`. */
  cwd?: string;
}

/**
 * Reads and validates the configuration. When `OMPCORD_API_TOKEN` is unset, the token persisted in
 * `<dataDir>/api-token` is used (generated on first start); that is the only write this does, and it
 * happens only after everything validated.
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
  const withoutToken = assembleConfig(settings, cwd, "");
  const apiToken = settings.OMPCORD_API_TOKEN ?? ensureApiToken(withoutToken.dataDir);
  return { ...withoutToken, api: { ...withoutToken.api, token: apiToken } };
}

/** The secret values in a config, for the redactor: they must never leave the bot. */
export function configSecrets(config: Config): string[] {
  return [config.discord.token, config.api.token].filter((secret) => secret.length > 0);
}
