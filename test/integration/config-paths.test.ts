// The start-up check of every path (`preparePaths`, and the data dir behind the generated API token) on
// a real file system: what ompcord owns is created, what a person named must already be usable, and
// each problem names its variable and the fix. Unwritable directories are checked in a child process
// as an unprivileged user when the suite runs as root, because root may write anywhere.

import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Config,
  ConfigError,
  type ConfigProblem,
  directoryProblem,
  formatConfigHelp,
  loadConfig,
  pathProblems,
  preparePaths,
} from "../../src/config/index.js";
import { TSX_LOADER } from "../support/bot-process.js";

const CONFIG_MODULE = pathToFileURL(resolve(import.meta.dirname, "../../src/config/index.ts")).href;
/** `nobody`: who runs the unprivileged checks when the suite runs as root. */
const UNPRIVILEGED = 65_534;
const isRoot = process.getuid?.() === 0;

// A FAKE bot token, shaped like a real one and never issued by Discord.
const TOKEN = ["MTIzNDU2Nzg5MDEyMzQ1Njc4", "GabcDe", "fake-paths-test-token-value"].join(".");
const VALID = {
  DISCORD_BOT_TOKEN: TOKEN,
  DISCORD_GUILD_ID: "111111111111111111",
  DISCORD_CHANNEL_ID: "222222222222222222",
  DISCORD_ALLOWED_USERS: "333333333333333333",
} satisfies NodeJS.ProcessEnv;

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "ompcord-paths-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const load = (env: NodeJS.ProcessEnv = {}): Config => loadConfig({ env: { ...VALID, ...env }, cwd });

function problemsOf(action: () => void): ConfigProblem[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

/**
 * `pathProblems` for `env` in a child process that cannot write where root could: as `nobody` when the
 * suite runs as root (the temp dir handed over to it), as this user otherwise.
 */
async function problemsUnprivileged(env: NodeJS.ProcessEnv): Promise<ConfigProblem[]> {
  if (isRoot) chownSync(cwd, UNPRIVILEGED, UNPRIVILEGED);
  const script = `
    const { loadConfig, pathProblems } = await import(${JSON.stringify(CONFIG_MODULE)});
    const config = loadConfig({ env: JSON.parse(process.env.CHECK_ENV), cwd: process.cwd() });
    process.stdout.write(JSON.stringify(pathProblems(config)));
  `;
  const child = spawn(process.execPath, ["--import", TSX_LOADER, "--input-type=module", "-e", script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, CHECK_ENV: JSON.stringify({ ...VALID, ...env }) },
    stdio: ["ignore", "pipe", "pipe"],
    ...(isRoot ? { uid: UNPRIVILEGED, gid: UNPRIVILEGED } : {}),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((done) => child.on("close", done));
  if (code !== 0) throw new Error(`the unprivileged check failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as ConfigProblem[];
}

/** A directory the unprivileged check cannot write to (nor could its owner, were it not root). */
function readOnlyDirectory(name: string): string {
  const dir = join(cwd, name);
  mkdirSync(dir);
  chmodSync(dir, 0o555);
  return dir;
}

describe("what ompcord owns is created at start", () => {
  it("the data dir, its transcripts and omp-sessions folders, and the default workspace", () => {
    const config = load({ OMPCORD_API_TOKEN: "a-long-enough-api-token" });
    expect(existsSync(config.dataDir)).toBe(false);
    preparePaths(config);
    for (const dir of [config.dataDir, config.transcriptsDir, config.ompSessionsDir, config.omp.workDir]) {
      expect(statSync(dir).isDirectory(), dir).toBe(true);
    }
    expect(config.omp.workDir).toBe(join(cwd, ".data", "workspace"));
  });

  it("a data dir set by the person is created too, with what belongs in it", () => {
    const config = load({ OMPCORD_DATA_DIR: "state/ompcord" });
    preparePaths(config);
    expect(statSync(join(cwd, "state", "ompcord", "workspace")).isDirectory()).toBe(true);
  });

  it("running twice changes nothing and finds nothing wrong", () => {
    const config = load();
    preparePaths(config);
    expect(pathProblems(config)).toEqual([]);
  });
});

describe("a working directory the person named", () => {
  it("that does not exist stops start-up naming OMP_WORKDIR and the fix, and is not created", () => {
    const missing = join(cwd, "projcet"); // a typo
    const problems = problemsOf(() => preparePaths(load({ OMP_WORKDIR: missing })));
    expect(problems).toEqual([
      {
        variable: "OMP_WORKDIR",
        expected: "an existing directory ompcord can write to",
        received: missing,
        fix: `${missing} does not exist: create it (mkdir -p ${missing}) or correct OMP_WORKDIR. ompcord does not create a working directory you named, so that a typo cannot become an empty workspace.`,
      },
    ]);
    expect(existsSync(missing)).toBe(false);
  });

  it("that is a file stops start-up saying it is not a directory", () => {
    const file = join(cwd, "notes.txt");
    writeFileSync(file, "");
    const [problem] = problemsOf(() => preparePaths(load({ OMP_WORKDIR: file })));
    expect(problem).toMatchObject({ variable: "OMP_WORKDIR", received: file });
    expect(problem?.fix).toBe(`${file} is not a directory: point OMP_WORKDIR at a directory.`);
  });

  it("an OMP_CHANNEL_WORKDIRS entry that does not exist names the entry, each one", () => {
    const good = join(cwd, "good");
    mkdirSync(good);
    const gone = join(cwd, "gone");
    const problems = problemsOf(() =>
      preparePaths(load({ OMP_CHANNEL_WORKDIRS: `555555555555555555=${good},666666666666666666=${gone}` })),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      variable: "OMP_CHANNEL_WORKDIRS",
      received: `666666666666666666=${gone}`,
    });
    expect(problems[0]?.fix).toContain(`mkdir -p ${gone}`);
    expect(existsSync(gone)).toBe(false);
  });

  it("a relative OMP_WORKDIR resolves from where ompcord starts and passes once it exists there", () => {
    mkdirSync(join(cwd, "work"));
    const config = load({ OMP_WORKDIR: "work" });
    expect(pathProblems(config)).toEqual([]);
    expect(config.omp.workDir).toBe(join(cwd, "work"));
  });

  it("that is not writable stops start-up naming OMP_WORKDIR and how to give access", async () => {
    const dir = readOnlyDirectory("read-only");
    const problems = await problemsUnprivileged({ OMP_WORKDIR: dir });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ variable: "OMP_WORKDIR", received: dir });
    expect(problems[0]?.fix).toBe(
      `${dir} is not writable (permission denied): let the user running ompcord write to it (chown or chmod), or point OMP_WORKDIR at another directory.`,
    );
  });
});

describe("a working directory that would show the agent ompcord's own files", () => {
  it("one holding the .env (the directory ompcord starts in) is refused, naming OMP_WORKDIR", () => {
    const problems = problemsOf(() => preparePaths(load({ OMP_WORKDIR: cwd })));
    expect(problems).toEqual([
      expect.objectContaining({
        variable: "OMP_WORKDIR",
        expected: "a working directory that holds none of ompcord's own files",
        received: cwd,
      }),
    ]);
    expect(problems[0]?.fix).toContain(`the .env file ompcord reads (${join(cwd, ".env")})`);
  });

  it("one holding the data directory, or ompcord's checkout, is refused for a channel too", () => {
    const root = join(cwd, "srv");
    mkdirSync(root);
    const problems = problemsOf(() =>
      preparePaths(
        load({
          OMPCORD_DATA_DIR: join(root, "ompcord-data"),
          OMP_CHANNEL_WORKDIRS: `555555555555555555=${root},666666666666666666=/`,
        }),
      ),
    );
    expect(problems.map((p) => [p.variable, p.received])).toEqual([
      ["OMP_CHANNEL_WORKDIRS", `555555555555555555=${root}`],
      ["OMP_CHANNEL_WORKDIRS", "666666666666666666=/"],
    ]);
    expect(problems[0]?.fix).toContain(`ompcord's data directory ${join(root, "ompcord-data")}`);
    expect(problems[1]?.fix).toContain("ompcord's own checkout");
  });

  it("a link to such a directory is seen through", () => {
    symlinkSync(cwd, join(cwd, "..", `${basename(cwd)}-link`));
    const link = join(cwd, "..", `${basename(cwd)}-link`);
    try {
      expect(problemsOf(() => preparePaths(load({ OMP_WORKDIR: link })))[0]?.variable).toBe("OMP_WORKDIR");
    } finally {
      rmSync(link);
    }
  });

  it("one whose .env holds the bot's Discord token (the checkout mounted as the workspace) is refused", () => {
    const copy = join(cwd, "mounted-checkout");
    mkdirSync(copy);
    writeFileSync(join(copy, ".env"), `DISCORD_BOT_TOKEN=${TOKEN}\n`);
    const problems = problemsOf(() => preparePaths(load({ OMP_WORKDIR: copy })));
    expect(problems.map((p) => p.variable)).toEqual(["OMP_WORKDIR"]);
    expect(problems[0]?.fix).toContain(`${join(copy, ".env")}, a .env holding the bot's Discord token`);
  });

  it("a project's own .env without the bot's token is the project's business", () => {
    const project = join(cwd, "project");
    mkdirSync(project);
    writeFileSync(join(project, ".env"), "DATABASE_URL=postgres://localhost/dev\n");
    expect(pathProblems(load({ OMP_CHANNEL_WORKDIRS: `555555555555555555=${project}` }))).toEqual([]);
  });

  it("a directory beside them, or inside the data dir, is fine", () => {
    const work = join(cwd, "work");
    mkdirSync(work);
    expect(pathProblems(load({ OMP_WORKDIR: work }))).toEqual([]);
  });
});

describe("OMPCORD_TRUSTED_WORKDIRS", () => {
  it("trusts only channel project directories: any other path is refused with the channels' list", () => {
    const project = join(cwd, "project");
    mkdirSync(project);
    const config = load({
      OMP_CHANNEL_WORKDIRS: `555555555555555555=${project}`,
      OMPCORD_TRUSTED_WORKDIRS: `${project},${join(cwd, "elsewhere")}`,
    });
    expect(pathProblems(config)).toEqual([
      {
        variable: "OMPCORD_TRUSTED_WORKDIRS",
        expected: "directories that are also a channel's directory in OMP_CHANNEL_WORKDIRS",
        received: join(cwd, "elsewhere"),
        fix: `${join(cwd, "elsewhere")} is not one of the channel directories (${project}): correct the path or remove it from OMPCORD_TRUSTED_WORKDIRS.`,
      },
    ]);
  });
});

describe("the data directory", () => {
  it("that cannot be created (a file is in the way) stops loadConfig naming OMPCORD_DATA_DIR, not an ENOTDIR stack", () => {
    writeFileSync(join(cwd, "blocker"), "");
    const problems = problemsOf(() => load({ OMPCORD_DATA_DIR: "blocker/data" }));
    expect(problems).toEqual([
      {
        variable: "OMPCORD_DATA_DIR",
        expected: "a directory ompcord can create and write to",
        received: join(cwd, "blocker", "data"),
        fix: `${join(cwd, "blocker", "data")} cannot be created (a parent is not a directory): make it writable for the user running ompcord, or set OMPCORD_DATA_DIR to another directory.`,
      },
    ]);
  });

  it("with OMPCORD_API_TOKEN set, the start-up check reports the same problem", () => {
    writeFileSync(join(cwd, "blocker"), "");
    const config = load({ OMPCORD_DATA_DIR: "blocker/data", OMPCORD_API_TOKEN: "a-long-enough-api-token" });
    const problems = problemsOf(() => preparePaths(config));
    expect(problems.map((p) => p.variable)).toEqual(["OMPCORD_DATA_DIR"]);
  });

  it("the default one, unwritable where ompcord starts, says to start elsewhere or set OMPCORD_DATA_DIR", async () => {
    const data = readOnlyDirectory(".data");
    const problems = await problemsUnprivileged({ OMPCORD_API_TOKEN: "a-long-enough-api-token" });
    expect(problems).toEqual([
      {
        variable: "OMPCORD_DATA_DIR",
        expected: "a directory ompcord can create and write to",
        received: `${data} (the default)`,
        fix: `${data} is not writable (permission denied): start ompcord from a directory you can write to, or set OMPCORD_DATA_DIR to a writable directory.`,
      },
    ]);
  });

  it("a default workspace that cannot be created names OMP_WORKDIR and says it is the default", () => {
    const config = load();
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(config.omp.workDir, "a file where the workspace goes");
    const problems = problemsOf(() => preparePaths(config));
    expect(problems).toEqual([
      {
        variable: "OMP_WORKDIR",
        expected: "a directory ompcord can create and write to",
        received: `${config.omp.workDir} (the default)`,
        fix: `The default working directory ${config.omp.workDir} is not a directory: make the data directory writable, or set OMP_WORKDIR to a directory the agent may work in.`,
      },
    ]);
  });

  it("a configured database file in a folder that cannot be created names OMPCORD_DATABASE_PATH", () => {
    writeFileSync(join(cwd, "blocker"), "");
    const problems = problemsOf(() => preparePaths(load({ OMPCORD_DATABASE_PATH: "blocker/db/ompcord.db" })));
    expect(problems.map((p) => p.variable)).toEqual(["OMPCORD_DATABASE_PATH"]);
    expect(problems[0]?.fix).toContain("cannot be created");
  });
});

describe("the start-up message", () => {
  it("lists path problems with the other invalid settings, without suggesting a .env that exists", () => {
    const missing = join(cwd, "missing");
    let help = "";
    try {
      preparePaths(load({ OMP_WORKDIR: missing }));
    } catch (error) {
      help = formatConfigHelp(error as ConfigError);
    }
    expect(help).toContain(
      `Invalid:\n  OMP_WORKDIR: expected an existing directory ompcord can write to, got \`${missing}\`.`,
    );
    expect(help).toContain(`→ ${missing} does not exist: create it (mkdir -p ${missing})`);
    expect(help).not.toContain("No .env file");
  });
});

describe("directoryProblem", () => {
  it("says nothing about a writable directory, and names a missing one, a file and an unwritable one", async () => {
    expect(directoryProblem(cwd)).toBeUndefined();
    expect(directoryProblem(join(cwd, "nope"))).toEqual({ kind: "missing", reason: "does not exist" });
    writeFileSync(join(cwd, "file"), "");
    expect(directoryProblem(join(cwd, "file"))).toEqual({
      kind: "not_a_directory",
      reason: "is not a directory",
    });
    expect(directoryProblem(join(cwd, "file", "below"))).toEqual({
      kind: "missing",
      reason: "does not exist",
    });
    const dir = readOnlyDirectory("ro");
    const [problem] = await problemsUnprivileged({ OMP_WORKDIR: dir });
    expect(problem?.fix).toContain("is not writable (permission denied)");
  });
});
