import { describe, expect, it } from "vitest";
import { VARIABLE_NAMES } from "../../src/config/index.js";
import { buildChildEnv, OMPCORD_OMP_SETTINGS, pathWithBinDir } from "../../src/omp/env.js";

const parent = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/bot",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TZ: "UTC",
  ANTHROPIC_API_KEY: "fake-anthropic",
  OPENROUTER_API_KEY: "fake-openrouter",
  OMP_LOG_LEVEL: "debug",
  OMP_BIN: "/opt/omp",
  DISCORD_BOT_TOKEN: "fake-discord-token",
  DISCORD_GUILD_ID: "123",
  OMPCORD_API_TOKEN: "parent-api-token",
  DATABASE_URL: "postgres://user:pw@host/db",
  AWS_SECRET_ACCESS_KEY: "fake-aws",
  MY_TOOL_SETTING: "x",
};

describe("buildChildEnv", () => {
  const env = buildChildEnv(parent, {
    sessionId: "sess-1",
    apiUrl: "http://127.0.0.1:8901",
    runToken: "ompcord_run_child-token",
    runId: "run-1",
  });

  it("keeps the basics omp needs and the model provider keys", () => {
    expect(env).toMatchObject({
      PATH: "/usr/bin:/bin",
      HOME: "/home/bot",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TZ: "UTC",
      ANTHROPIC_API_KEY: "fake-anthropic",
      OPENROUTER_API_KEY: "fake-openrouter",
      OMP_LOG_LEVEL: "debug",
    });
  });

  it("never passes the Discord settings, the parent's API token or OMP_BIN", () => {
    expect(env.DISCORD_BOT_TOKEN).toBeUndefined();
    expect(env.DISCORD_GUILD_ID).toBeUndefined();
    expect(env.OMP_BIN).toBeUndefined();
    expect(Object.values(env)).not.toContain("parent-api-token");
  });

  it("drops variables that are not on the allowlist", () => {
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MY_TOOL_SETTING).toBeUndefined();
  });

  it("adds the session and run ids, the sidecar API URL and the run's own token, never an API token", () => {
    expect(env.OMPCORD_SESSION_ID).toBe("sess-1");
    expect(env.OMPCORD_RUN_ID).toBe("run-1");
    expect(env.OMPCORD_API_URL).toBe("http://127.0.0.1:8901");
    expect(env.OMPCORD_RUN_TOKEN).toBe("ompcord_run_child-token");
    expect(env.OMPCORD_API_TOKEN).toBeUndefined();
  });

  it("passes operator-listed names through, but never the forbidden ones", () => {
    const passed = buildChildEnv(parent, {
      sessionId: "s",
      passthrough: ["MY_TOOL_SETTING", "DISCORD_BOT_TOKEN", "OMPCORD_API_TOKEN"],
    });
    expect(passed.MY_TOOL_SETTING).toBe("x");
    expect(passed.DISCORD_BOT_TOKEN).toBeUndefined();
    expect(passed.OMPCORD_API_TOKEN).toBeUndefined();
  });
});

describe("pathWithBinDir", () => {
  it("puts the directory holding bun first when it is missing", () => {
    expect(pathWithBinDir("/usr/bin:/bin", "/app/node_modules/.bin")).toBe(
      "/app/node_modules/.bin:/usr/bin:/bin",
    );
  });
  it("leaves PATH alone when the directory is already there", () => {
    expect(pathWithBinDir("/usr/bin:/app/node_modules/.bin", "/app/node_modules/.bin")).toBe(
      "/usr/bin:/app/node_modules/.bin",
    );
  });
  it("works without a PATH at all", () => {
    expect(pathWithBinDir(undefined, "/app/node_modules/.bin")).toBe("/app/node_modules/.bin");
  });
});

describe("buildChildEnv and ompcord's own OMP_ settings", () => {
  const ompcordSettings = VARIABLE_NAMES.filter((name) => name.startsWith("OMP_"));

  it("knows every OMP_ variable the config defines, and no other", () => {
    expect([...OMPCORD_OMP_SETTINGS].sort()).toEqual([...ompcordSettings].sort());
  });

  it("passes none of them to omp, while omp's own OMP_ variables still pass", () => {
    const env = Object.fromEntries(ompcordSettings.map((name) => [name, "set-by-ompcord"]));
    const child = buildChildEnv({ ...env, OMP_LOG_LEVEL: "debug", PATH: "/usr/bin" }, { sessionId: "s1" });
    for (const name of ompcordSettings) expect(child[name]).toBeUndefined();
    expect(child.OMP_LOG_LEVEL).toBe("debug");
  });
});
