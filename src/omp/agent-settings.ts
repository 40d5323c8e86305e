// What a sandboxed run gets from the bot user's own omp settings (`~/.omp/agent`): only what omp needs to
// reach the model. Its model providers (`models.yml`), the model keys of `config.yml`, and the stored
// logins of `agent.db` (its `auth_credentials` table), copied into the run's fresh agent directory.
// Never `extensions/`, `tools/`, `sessions/`, hooks or other settings: a writable copy of those would
// let the agent plant code that later runs unsandboxed in the person's own omp, and their sessions are
// theirs. The copies are the agent's to read: provider keys and logins stay readable inside the sandbox.

import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { parse, stringify } from "yaml";

/** omp's model providers file, then the names omp falls back to (it migrates the JSON one itself). */
export const MODELS_FILES = ["models.yml", "models.yaml", "models.json"] as const;
/** omp's settings file and its fallback name. */
export const CONFIG_FILES = ["config.yml", "config.yaml"] as const;
/** omp's database of settings, usage and stored logins. */
export const AGENT_DB_FILE = "agent.db";
/** The table of `agent.db` holding `/login` credentials (API keys and OAuth tokens). */
export const AUTH_TABLE = "auth_credentials";

/**
 * The top-level keys of `config.yml` that choose and reach models: roles and order, provider options,
 * sampling, thinking, retry fallbacks, the auth broker. Everything else (tools, approvals, shell,
 * extensions, LSP …) is the person's own and stays out of bot runs.
 */
export const MODEL_SETTING_KEYS = [
  "modelRoles",
  "modelTags",
  "modelProviderOrder",
  "enabledModels",
  "cycleOrder",
  "defaultThinkingLevel",
  "thinkingBudgets",
  "extendedContext",
  "providers",
  "tier",
  "auth",
  "retry",
  "temperature",
  "topP",
  "topK",
  "minP",
  "presencePenalty",
  "repetitionPenalty",
  "textVerbosity",
] as const;

/**
 * The bot user's omp agent directory, as omp itself would find it: `PI_CODING_AGENT_DIR` (or its
 * `OMP_` spelling), a profile's (`PI_PROFILE`/`OMP_PROFILE`), else `$HOME/.omp/agent`.
 */
export function personalAgentDir(env: NodeJS.ProcessEnv): string {
  const explicit = env.PI_CODING_AGENT_DIR ?? env.OMP_CODING_AGENT_DIR;
  if (explicit) return explicit;
  const home = env.HOME ?? homedir();
  const profile = env.PI_PROFILE ?? env.OMP_PROFILE;
  return profile ? join(home, ".omp", "profiles", profile, "agent") : join(home, ".omp", "agent");
}

/** The model keys of a `config.yml` text, as YAML; undefined when it holds none (or is not a mapping). */
export function modelSettingsYaml(text: string): string | undefined {
  const settings: unknown = parse(text);
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) return undefined;
  const kept = Object.fromEntries(
    MODEL_SETTING_KEYS.filter((key) => key in settings).map((key) => [
      key,
      (settings as Record<string, unknown>)[key],
    ]),
  );
  return Object.keys(kept).length === 0 ? undefined : stringify(kept);
}

/** Copies the stored logins (and only them) from one `agent.db` into a new one. */
export function copyStoredLogins(from: string, to: string): number {
  const source = new Database(from, { readonly: true, fileMustExist: true });
  try {
    const table = source
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(AUTH_TABLE) as { sql: string } | undefined;
    if (!table) return 0;
    const rows = source.prepare(`SELECT * FROM ${AUTH_TABLE}`).all() as Record<string, unknown>[];
    if (rows.length === 0) return 0;
    const target = new Database(to);
    try {
      target.exec(table.sql);
      const columns = Object.keys(rows[0]!);
      const insert = target.prepare(
        `INSERT INTO ${AUTH_TABLE} (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      );
      target.transaction(() => {
        for (const row of rows) insert.run(...columns.map((column) => row[column]));
      })();
    } finally {
      target.close();
    }
    return rows.length;
  } finally {
    source.close();
  }
}

/**
 * Writes into `toDir` (a fresh directory the run's sandbox will use as omp's agent dir) the model
 * settings found in `fromDir`. A file that cannot be read or parsed is left out and reported: the run
 * then has what the environment gives it (provider keys in OMP_ENV_PASSTHROUGH's allowlist).
 */
export function copyModelSettings(
  fromDir: string,
  toDir: string,
  warn: (message: string, error: unknown) => void,
): void {
  const attempt = (what: string, action: () => void) => {
    try {
      action();
    } catch (error) {
      warn(`could not copy ${what} from ${fromDir} into the sandbox; runs go without it`, error);
    }
  };
  const models = MODELS_FILES.find((name) => existsSync(join(fromDir, name)));
  if (models) attempt(models, () => copyFileSync(join(fromDir, models), join(toDir, models)));
  const config = CONFIG_FILES.find((name) => existsSync(join(fromDir, name)));
  if (config) {
    attempt(`the model settings of ${config}`, () => {
      const yaml = modelSettingsYaml(readFileSync(join(fromDir, config), "utf8"));
      if (yaml) writeFileSync(join(toDir, CONFIG_FILES[0]), yaml);
    });
  }
  if (existsSync(join(fromDir, AGENT_DB_FILE))) {
    attempt(`the stored logins of ${AGENT_DB_FILE}`, () =>
      copyStoredLogins(join(fromDir, AGENT_DB_FILE), join(toDir, AGENT_DB_FILE)),
    );
  }
}
