// OMPCORD_PROJECTS: named projects with a directory and the launch channels that may use them, read from
// the environment or config/ompcord.json, and each mistake named with its fix.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ConfigError, type ConfigProblem, loadConfig, pathProblems } from "../../src/config/index.js";

const LAUNCH = "222222222222222222";
const OTHER = "555555555555555555";
const VALID = {
  // A FAKE token built from pieces, never issued by Discord.
  DISCORD_BOT_TOKEN: ["MTIzNDU2Nzg5MDEyMzQ1Njc4", "GabcDe", "fakefakefakefakefake"].join("."),
  DISCORD_GUILD_ID: "111111111111111111",
  DISCORD_CHANNEL_ID: LAUNCH,
  DISCORD_ALLOWED_USERS: "333333333333333333",
  OMP_LAUNCH_CHANNEL_IDS: `${LAUNCH},${OTHER}`,
} satisfies NodeJS.ProcessEnv;

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "ompcord-projects-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const load = (env: NodeJS.ProcessEnv) => loadConfig({ env: { ...VALID, ...env }, cwd });

function problemsOf(env: NodeJS.ProcessEnv): ConfigProblem[] {
  try {
    load(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}

describe("OMPCORD_PROJECTS", () => {
  it("reads names, directories (made absolute) and the channels each may be used in", () => {
    const config = load({ OMPCORD_PROJECTS: `api@${LAUNCH},${OTHER}=/srv/api; docs = rel/docs ;` });
    expect(config.omp.projects).toEqual([
      { name: "api", dir: "/srv/api", channelIds: [LAUNCH, OTHER] },
      { name: "docs", dir: join(cwd, "rel/docs"), channelIds: undefined },
    ]);
  });

  it("is empty when unset", () => {
    expect(load({}).omp.projects).toEqual([]);
  });

  it("reads the object form of config/ompcord.json", () => {
    mkdirSync(join(cwd, "config"));
    writeFileSync(
      join(cwd, "config", "ompcord.json"),
      JSON.stringify({
        OMPCORD_PROJECTS: { api: { dir: "/srv/api", channels: [OTHER] }, web: "/srv/web" },
      }),
    );
    expect(load({}).omp.projects).toEqual([
      { name: "api", dir: "/srv/api", channelIds: [OTHER] },
      { name: "web", dir: "/srv/web", channelIds: undefined },
    ]);
  });

  it.each([
    ["an entry without a directory", "api", "api"],
    ["an empty directory", "api=", "api="],
    ["a name with a space", "my api=/srv/api", "my api=/srv/api"],
    ["a channel that is not an id", "api@#general=/srv/api", "#general"],
    ["an @ without channels", "api@=/srv/api", "api@=/srv/api"],
  ])("%s is refused, naming the entry and the fix", (_what, value, received) => {
    const problems = problemsOf({ OMPCORD_PROJECTS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ variable: "OMPCORD_PROJECTS", received, source: "environment" });
    expect(problems[0]!.fix.length).toBeGreaterThan(20);
  });

  it("a name used twice, in any letter case, is refused once with the name", () => {
    const problems = problemsOf({ OMPCORD_PROJECTS: "api=/srv/a; API=/srv/b" });
    expect(problems).toEqual([
      expect.objectContaining({
        variable: "OMPCORD_PROJECTS",
        received: "API",
        expected: expect.stringContaining("each project name once"),
      }),
    ]);
  });

  it("a channel that is not a launch channel is refused: nobody could use the project there", () => {
    const problems = problemsOf({ OMPCORD_PROJECTS: "api@999999999999999999=/srv/api" });
    expect(problems).toEqual([
      expect.objectContaining({
        variable: "OMPCORD_PROJECTS",
        received: "api@999999999999999999",
        fix: expect.stringContaining("OMP_LAUNCH_CHANNEL_IDS"),
      }),
    ]);
  });

  it("invalid JSON in the object form is refused", () => {
    const problems = problemsOf({ OMPCORD_PROJECTS: '{"api": ' });
    expect(problems.map((p) => p.variable)).toEqual(["OMPCORD_PROJECTS"]);
  });

  it("a project directory that does not exist is a start-up problem naming the project, never created", () => {
    const here = join(cwd, "here");
    mkdirSync(here);
    const gone = join(cwd, "gone");
    const config = load({ OMPCORD_PROJECTS: `ok=${here}; lost=${gone}` });
    const problems = pathProblems(config).filter((p) => p.variable === "OMPCORD_PROJECTS");
    expect(problems).toEqual([
      expect.objectContaining({ received: `lost=${gone}`, fix: expect.stringContaining(`mkdir -p ${gone}`) }),
    ]);
  });

  it("a project directory holding ompcord's data directory is refused", () => {
    const config = load({ OMPCORD_PROJECTS: `all=${cwd}` });
    const problems = pathProblems(config).filter((p) => p.variable === "OMPCORD_PROJECTS");
    expect(problems).toEqual([
      expect.objectContaining({ expected: "a working directory that holds none of ompcord's own files" }),
    ]);
  });

  it("a project's directory may be trusted", () => {
    const dir = join(cwd, "..", `${cwd.split("/").pop()}-proj`);
    mkdirSync(dir, { recursive: true });
    try {
      const config = load({ OMPCORD_PROJECTS: `api=${dir}`, OMPCORD_TRUSTED_WORKDIRS: dir });
      expect(pathProblems(config).filter((p) => p.variable === "OMPCORD_TRUSTED_WORKDIRS")).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
