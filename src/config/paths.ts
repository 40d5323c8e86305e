// The start-up check of every path in the config: the directories ompcord owns are created, the ones a
// person named must already be usable, and each problem becomes a `ConfigProblem` naming the variable
// and the fix, reported with the other configuration errors before anything else starts.
// Separate from `loadConfig` so that reading the settings stays free of side effects on directories;
// `startOmpcord` runs it first, so every way of starting the bot gets it.

import { readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { CHECKOUT_DIR, CONFIG_FILE, DEFAULTS, ENV_FILE } from "./defaults.js";
import { type DirectoryProblem, directoryProblem, ensureDirectory, fileProblem } from "./directories.js";
import { ConfigError, type ConfigProblem } from "./errors.js";
import type { Config } from "./types.js";

const WRITABLE_DIR = "a directory ompcord can create and write to";
const EXISTING_DIR = "an existing directory ompcord can write to";

/**
 * Creates the data directory, its sub-directories and the default workspace; checks the configured
 * working directories and the files ompcord rewrites at start.
 * @throws ConfigError listing every problem found.
 */
export function preparePaths(config: Config): void {
  const problems = pathProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The problems `preparePaths` would throw, creating what ompcord owns on the way. */
export function pathProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const dataDir = ensureDirectory(config.dataDir);
  if (dataDir) {
    problems.push(dataDirProblem(config, dataDir));
  } else {
    // Below a usable data dir, a problem is rare (a sub-directory or file left by another user) but
    // would otherwise surface as the first run crashing.
    const owned = [
      config.transcriptsDir,
      config.ompSessionsDir,
      join(config.dataDir, DEFAULTS.sandboxDir),
      join(config.dataDir, DEFAULTS.launchDir),
    ];
    for (const dir of owned) {
      const problem = ensureDirectory(dir);
      if (problem) problems.push(ownedPathProblem(config, dir, problem.reason));
    }
    const files = [DEFAULTS.overlayFile, DEFAULTS.sidecarFile].map((name) => join(config.dataDir, name));
    if (!config.configured.includes("OMPCORD_DATABASE_PATH")) files.push(config.databasePath);
    for (const file of files) {
      const reason = fileProblem(file);
      if (reason) problems.push(ownedPathProblem(config, file, reason));
    }
  }
  problems.push(...configuredDatabaseProblems(config));
  problems.push(...workDirProblems(config, { dataDirUsable: dataDir === undefined }));
  problems.push(...exposureProblems(config), ...trustedWorkDirProblems(config));
  return problems;
}

/** The data directory itself is unusable: everything ompcord keeps lives there. */
export function dataDirProblem(config: Config, problem: DirectoryProblem): ConfigProblem {
  const configured = config.configured.includes("OMPCORD_DATA_DIR");
  return {
    variable: "OMPCORD_DATA_DIR",
    expected: WRITABLE_DIR,
    received: configured ? config.dataDir : `${config.dataDir} (the default)`,
    fix: configured
      ? `${config.dataDir} ${problem.reason}: make it writable for the user running ompcord, or set OMPCORD_DATA_DIR to another directory.`
      : `${config.dataDir} ${problem.reason}: start ompcord from a directory you can write to, or set OMPCORD_DATA_DIR to a writable directory.`,
  };
}

/** A directory or file inside the data dir that ompcord cannot write (often left behind by `sudo`). */
export function ownedPathProblem(config: Config, path: string, reason: string): ConfigProblem {
  return {
    variable: "OMPCORD_DATA_DIR",
    expected: "a data directory whose contents ompcord can write",
    received: config.dataDir,
    fix: `${path} ${reason}: give it back to the user running ompcord (chown) or remove it; ompcord recreates it.`,
  };
}

/** A database file a person placed: its folder is created like the data dir (as SQLite would need). */
function configuredDatabaseProblems(config: Config): ConfigProblem[] {
  if (!config.configured.includes("OMPCORD_DATABASE_PATH") || config.databasePath === ":memory:") return [];
  const folder = dirname(config.databasePath);
  const dir = ensureDirectory(folder);
  const reason = dir ? undefined : fileProblem(config.databasePath);
  if (!dir && !reason) return [];
  return [
    {
      variable: "OMPCORD_DATABASE_PATH",
      expected: "a database file ompcord can write, in a directory it can write to",
      received: config.databasePath,
      fix: dir
        ? `The folder ${folder} ${dir.reason}: make it writable, or set OMPCORD_DATABASE_PATH to a file in a writable directory.`
        : `${config.databasePath} ${reason}: give it back to the user running ompcord (chown), or set OMPCORD_DATABASE_PATH to another file.`,
    },
  ];
}

function workDirProblems(config: Config, { dataDirUsable }: { dataDirUsable: boolean }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.configured.includes("OMP_WORKDIR")) {
    const problem = directoryProblem(config.omp.workDir);
    if (problem) {
      problems.push({
        variable: "OMP_WORKDIR",
        expected: EXISTING_DIR,
        received: config.omp.workDir,
        fix: namedDirectoryFix(config.omp.workDir, problem, "OMP_WORKDIR"),
      });
    }
  } else if (dataDirUsable) {
    // The default workspace is ompcord's own: created, like the data dir it lives in (whose problem,
    // when it has one, already says everything).
    const problem = ensureDirectory(config.omp.workDir);
    if (problem) {
      problems.push({
        variable: "OMP_WORKDIR",
        expected: WRITABLE_DIR,
        received: `${config.omp.workDir} (the default)`,
        fix: `The default working directory ${config.omp.workDir} ${problem.reason}: make the data directory writable, or set OMP_WORKDIR to a directory the agent may work in.`,
      });
    }
  }
  for (const [channelId, dir] of Object.entries(config.omp.channelWorkDirs)) {
    const problem = directoryProblem(dir);
    if (!problem) continue;
    problems.push({
      variable: "OMP_CHANNEL_WORKDIRS",
      expected: `${EXISTING_DIR} for each channel`,
      received: `${channelId}=${dir}`,
      fix: namedDirectoryFix(dir, problem, "its entry in OMP_CHANNEL_WORKDIRS"),
    });
  }
  for (const project of config.omp.projects) {
    const problem = directoryProblem(project.dir);
    if (!problem) continue;
    problems.push({
      variable: "OMPCORD_PROJECTS",
      expected: `${EXISTING_DIR} for each project`,
      received: `${project.name}=${project.dir}`,
      fix: namedDirectoryFix(project.dir, problem, `project ${project.name} in OMPCORD_PROJECTS`),
    });
  }
  return problems;
}

/** A directory a person named is never created for them: a typo would become an empty workspace. */
function namedDirectoryFix(dir: string, problem: DirectoryProblem, setting: string): string {
  switch (problem.kind) {
    case "missing":
      return `${dir} does not exist: create it (mkdir -p ${dir}) or correct ${setting}. ompcord does not create a working directory you named, so that a typo cannot become an empty workspace.`;
    case "not_a_directory":
      return `${dir} is not a directory: point ${setting} at a directory.`;
    default:
      return `${dir} ${problem.reason}: let the user running ompcord write to it (chown or chmod), or point ${setting} at another directory.`;
  }
}

/** `path` with symbolic links resolved as far as it exists, so `/srv/link/..` compares as it really is. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), path.slice(parent.length + 1));
  }
}

/** Whether `inner` is `outer` or lies below it. */
function contains(outer: string, inner: string): boolean {
  const path = relative(realPath(resolve(outer)), realPath(resolve(inner)));
  return path === "" || (!path.startsWith("..") && !isAbsolute(path));
}

/**
 * A working directory that contains ompcord's own files would hand them to the agent, sandbox or not:
 * the checkout (code, `config/`), the `.env` holding the Discord token, the data dir (database, API
 * token, transcripts, every session's omp conversation).
 */
function exposureProblems(config: Config): ConfigProblem[] {
  const guarded = [
    { path: CHECKOUT_DIR, what: "ompcord's own checkout (its code, .env and config/)" },
    { path: config.envFile, what: `the .env file ompcord reads (${config.envFile})` },
    { path: join(dirname(config.envFile), CONFIG_FILE), what: "ompcord's settings file" },
    {
      path: config.dataDir,
      what: `ompcord's data directory ${config.dataDir} (database, API token, transcripts, every session's conversation)`,
    },
  ];
  const named: Array<{ variable: string; dir: string; received: string }> = [];
  if (config.configured.includes("OMP_WORKDIR")) {
    named.push({ variable: "OMP_WORKDIR", dir: config.omp.workDir, received: config.omp.workDir });
  }
  for (const [channelId, dir] of Object.entries(config.omp.channelWorkDirs)) {
    named.push({ variable: "OMP_CHANNEL_WORKDIRS", dir, received: `${channelId}=${dir}` });
  }
  for (const project of config.omp.projects) {
    named.push({
      variable: "OMPCORD_PROJECTS",
      dir: project.dir,
      received: `${project.name}=${project.dir}`,
    });
  }
  const problems: ConfigProblem[] = [];
  for (const { variable, dir, received } of named) {
    const hit = guarded.find((guard) => contains(dir, guard.path)) ?? tokenCopy(dir, config.discord.token);
    if (!hit) continue;
    problems.push({
      variable,
      expected: "a working directory that holds none of ompcord's own files",
      received,
      fix: `${dir} contains ${hit.what}, which the agent must never see: point ${variable === "OMP_WORKDIR" ? "OMP_WORKDIR" : variable === "OMPCORD_PROJECTS" ? "that project" : "that channel's entry"} at a directory outside it (a projects folder, or a copy of the repository), or move ompcord and its data elsewhere.`,
    });
  }
  return problems;
}

/**
 * A `.env` at the top of `dir` that holds the bot's Discord token: a copy of ompcord's settings (the
 * checkout mounted as the workspace, as in `docker run -v "$PWD:/workspace"`), not the project's own.
 */
function tokenCopy(dir: string, token: string): { what: string } | undefined {
  const file = join(dir, ENV_FILE);
  try {
    if (token !== "" && readFileSync(file, "utf8").includes(token)) {
      return { what: `${file}, a .env holding the bot's Discord token` };
    }
  } catch {
    // no .env there (or not readable by ompcord, so not a copy it made)
  }
  return undefined;
}

/** Trust is given to a channel's or a named project, by naming its directory again. */
function trustedWorkDirProblems(config: Config): ConfigProblem[] {
  const channelDirs = new Set([
    ...Object.values(config.omp.channelWorkDirs),
    ...config.omp.projects.map((project) => project.dir),
  ]);
  return config.omp.trustedWorkDirs
    .filter((dir) => !channelDirs.has(dir))
    .map((dir) => ({
      variable: "OMPCORD_TRUSTED_WORKDIRS",
      expected: "directories that are also a channel's directory in OMP_CHANNEL_WORKDIRS",
      received: dir,
      fix:
        channelDirs.size === 0
          ? `No channel has a project directory (OMP_CHANNEL_WORKDIRS is empty): set one first, or remove ${dir} from OMPCORD_TRUSTED_WORKDIRS. Per-session workspaces are never trusted.`
          : `${dir} is not one of the channel directories (${[...channelDirs].join(", ")}): correct the path or remove it from OMPCORD_TRUSTED_WORKDIRS.`,
    }));
}
