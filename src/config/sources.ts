// Reads the raw setting strings from their three sources (process env, `.env`, `config/ompcord.json`)
// and merges them, highest first. No validation here beyond "can the file be read".

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { CONFIG_FILE, ENV_FILE } from "./defaults.js";
import type { ConfigProblem, ConfigSource } from "./errors.js";

export interface RawSetting {
  value: string;
  source: ConfigSource;
}

export interface RawSettings {
  /** Only the variables ompcord knows, each with the source that won. Empty strings count as unset. */
  values: Map<string, RawSetting>;
  problems: ConfigProblem[];
  envFileFound: boolean;
}

/** Settings that must never sit in a file meant to be committed. */
const SECRET_VARIABLES = new Set(["DISCORD_BOT_TOKEN", "OMPCORD_API_TOKEN"]);

export function readRawSettings(
  variables: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): RawSettings {
  const problems: ConfigProblem[] = [];
  const known = new Set(variables);
  const dotenv = readDotenv(cwd, problems);
  const json = readJsonFile(cwd, known, problems);

  const values = new Map<string, RawSetting>();
  // Lowest first, so each later source overwrites: file < .env < environment.
  const layers: Array<[ConfigSource, Record<string, string | undefined>]> = [
    ["config/ompcord.json", json],
    [".env", dotenv.values],
    ["environment", env],
  ];
  for (const [source, layer] of layers) {
    for (const variable of variables) {
      const value = layer[variable];
      if (value !== undefined && value.trim() !== "") values.set(variable, { value: value.trim(), source });
    }
  }
  return { values, problems, envFileFound: dotenv.found };
}

function readDotenv(
  cwd: string,
  problems: ConfigProblem[],
): { values: Record<string, string | undefined>; found: boolean } {
  const path = join(cwd, ENV_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isMissingFile(error)) return { values: {}, found: false };
    problems.push({
      variable: ENV_FILE,
      expected: "a readable file of KEY=value lines",
      received: errorCode(error),
      fix: `Check the permissions of ${path}, or remove it and set the variables in the environment.`,
    });
    return { values: {}, found: true };
  }
  return { values: parseEnv(text), found: true };
}

function readJsonFile(
  cwd: string,
  known: ReadonlySet<string>,
  problems: ConfigProblem[],
): Record<string, string | undefined> {
  const path = join(cwd, CONFIG_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    if (isMissingFile(error)) return {};
    problems.push({
      variable: CONFIG_FILE,
      expected: "a JSON object whose keys are setting names",
      received: error instanceof SyntaxError ? `invalid JSON: ${error.message}` : errorCode(error),
      fix: `Fix or remove ${path}; config/ompcord.example.json shows the shape.`,
    });
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push({
      variable: CONFIG_FILE,
      expected: "a JSON object whose keys are setting names",
      received: Array.isArray(parsed) ? "an array" : String(parsed),
      fix: `Wrap the settings in { … }; config/ompcord.example.json shows the shape.`,
    });
    return {};
  }

  const values: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(parsed)) {
    // "$comment"-style keys let the example file explain itself.
    if (key.startsWith("$")) continue;
    if (SECRET_VARIABLES.has(key)) {
      problems.push({
        variable: key,
        expected: "secrets only in the environment or .env",
        received: "(set, hidden)",
        fix: `Move ${key} out of ${CONFIG_FILE} into .env (which git ignores), and rotate it if the file was shared.`,
        source: "config/ompcord.json",
      });
      continue;
    }
    if (!known.has(key)) {
      problems.push({
        variable: key,
        expected: "a known setting name (see .env.example)",
        received: key,
        fix: `Remove or rename "${key}" in ${CONFIG_FILE}; it is probably a typo.`,
        source: "config/ompcord.json",
      });
      continue;
    }
    values[key] = jsonValueToSetting(key, value);
  }
  return values;
}

/** Lets the file use natural JSON (numbers, booleans, arrays, maps) for settings that are strings in env. */
function jsonValueToSetting(key: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    // Arguments may contain spaces or commas: keep them as the JSON array form OMP_EXTRA_ARGS accepts.
    return key === "OMP_EXTRA_ARGS" ? JSON.stringify(value) : value.map(String).join(",");
  }
  // Projects are objects of objects: kept whole, as the JSON text OMPCORD_PROJECTS also accepts.
  if (typeof value === "object" && key === "OMPCORD_PROJECTS") return JSON.stringify(value);
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(",");
  }
  return String(value);
}

function isMissingFile(error: unknown): boolean {
  return errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR";
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "code" in error) return String(error.code);
  return error instanceof Error ? error.message : String(error);
}

/**
 * The process environment with `.env` underneath: what the omp child's environment is built from, so a
 * provider key kept in `.env` (and allowed through) reaches omp as it would with a real export.
 */
export function environmentWithDotenv(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  return { ...readDotenv(cwd, []).values, ...env };
}
