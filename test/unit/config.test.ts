import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NAMED_TOKEN_PREFIX_IN_CONFIG } from "../../src/config/fields.js";
import {
  BUNDLED_OMP_BIN,
  type ConfigError,
  type ConfigProblem,
  configSecrets,
  ensureApiToken,
  formatConfigHelp,
  loadConfig,
  parseDuration,
  VARIABLE_NAMES,
} from "../../src/config/index.js";
import { NAMED_TOKEN_PREFIX } from "../../src/extension-protocol.js";

// A FAKE bot token, shaped like a real one (user id . timestamp . hmac) and never issued by Discord.
const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.secretsecretsecretsecretsecret";
const VALID = {
  DISCORD_BOT_TOKEN: TOKEN,
  DISCORD_GUILD_ID: "111111111111111111",
  DISCORD_CHANNEL_ID: "222222222222222222",
  DISCORD_ALLOWED_USERS: "333333333333333333",
} satisfies NodeJS.ProcessEnv;

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "ompcord-config-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function load(env: NodeJS.ProcessEnv) {
  return loadConfig({ env, cwd });
}

function problemsOf(env: NodeJS.ProcessEnv): ConfigProblem[] {
  try {
    load(env);
  } catch (error) {
    expect((error as Error).name).toBe("ConfigError");
    return (error as ConfigError).problems;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}

function problemFor(variable: string, value: string): ConfigProblem {
  const problems = problemsOf({ ...VALID, [variable]: value });
  expect(problems.map((p) => p.variable)).toEqual([variable]);
  return problems[0]!;
}

describe("defaults", () => {
  it("fills every optional setting from the documented defaults", () => {
    const config = load(VALID);
    expect(config.discord).toEqual({
      token: TOKEN,
      guildId: VALID.DISCORD_GUILD_ID,
      homeChannelId: VALID.DISCORD_CHANNEL_ID,
      allowedUserIds: [VALID.DISCORD_ALLOWED_USERS],
      launchEmoji: "🚀",
      launchChannelIds: [VALID.DISCORD_CHANNEL_ID],
      apiUrl: undefined,
      plainMessages: "queue",
    });
    expect(config.omp).toEqual({
      // npm installed omp next to ompcord: used by path, so `node dist/main.js` finds it without npm's PATH.
      bin: BUNDLED_OMP_BIN,
      model: undefined,
      extraArgs: [],
      workDir: join(cwd, ".data", "workspace"),
      channelWorkDirs: {},
      projects: [],
      maxConcurrentRuns: 2,
      runTimeoutMs: 30 * 60_000,
      killGraceMs: 2_000,
      shutdownGraceMs: 10_000,
      maxRetries: 2,
      usageWaitMaxMs: 6 * 3_600_000,
      envPassthrough: [],
      trustedWorkDirs: [],
    });
    // Sandboxed when a sandbox starts here; a newcomer without bubblewrap still starts (with a warning).
    expect(config.sandbox).toEqual({ mode: "auto", user: "nobody" });
    expect(config.limits).toEqual({ promptMaxChars: 32_000, queueDepthMax: 10, outputKeptBytes: 262_144 });
    expect(config.envFile).toBe(join(cwd, ".env"));
    expect(config.approvals).toEqual({
      policy: "writes",
      channelPolicies: {},
      timeoutMs: 600_000,
      deciders: [VALID.DISCORD_ALLOWED_USERS],
      pings: true,
    });
    expect(config.dataDir).toBe(join(cwd, ".data"));
    expect(config.databasePath).toBe(join(cwd, ".data", "ompcord.db"));
    expect(config.transcriptsDir).toBe(join(cwd, ".data", "transcripts"));
    expect(config.ompSessionsDir).toBe(join(cwd, ".data", "omp-sessions"));
    expect(config.api.host).toBe("127.0.0.1");
    expect(config.api.port).toBe(8901);
    expect(config.logLevel).toBe("info");
    expect(config.configured).toEqual([
      "DISCORD_BOT_TOKEN",
      "DISCORD_GUILD_ID",
      "DISCORD_CHANNEL_ID",
      "DISCORD_ALLOWED_USERS",
    ]);
  });

  it("the bundled omp is node_modules/.bin/omp of this checkout", () => {
    expect(BUNDLED_OMP_BIN).toBe(join(import.meta.dirname, "..", "..", "node_modules", ".bin", "omp"));
  });

  it("records which variables the person set, in any source, so a default may adapt and a setting not", () => {
    mkdirSync(join(cwd, "config"));
    writeFileSync(join(cwd, "config", "ompcord.json"), JSON.stringify({ OMP_WORKDIR: "/srv/work" }));
    writeFileSync(join(cwd, ".env"), "OMPCORD_API_PORT=8901\nOMP_MODEL=\n");
    const config = load({ ...VALID, LOG_LEVEL: "debug" });
    expect(config.configured).toEqual(
      expect.arrayContaining(["OMP_WORKDIR", "OMPCORD_API_PORT", "LOG_LEVEL", "DISCORD_BOT_TOKEN"]),
    );
    // An empty value is unset: the default applies and may adapt.
    expect(config.configured).not.toContain("OMP_MODEL");
    expect(config.configured).not.toContain("OMPCORD_DATA_DIR");
  });

  it("parses every optional setting when given", () => {
    const config = load({
      ...VALID,
      DISCORD_ALLOWED_USERS: "333333333333333333, 444444444444444444",
      OMP_LAUNCH_EMOJI: "🛸",
      OMP_LAUNCH_CHANNEL_IDS: "555555555555555555,666666666666666666",
      DISCORD_API_URL: "http://127.0.0.1:5000/api/",
      OMPCORD_PLAIN_MESSAGES: "false",
      OMP_BIN: "node_modules/.bin/omp",
      OMP_MODEL: "local/fake",
      OMP_EXTRA_ARGS: '["--tools", "read,bash", "--note", "two words"]',
      OMP_WORKDIR: "work",
      OMP_CHANNEL_WORKDIRS: "555555555555555555=/srv/a, 666666666666666666=rel/b",
      OMP_MAX_CONCURRENT_RUNS: "4",
      OMP_RUN_TIMEOUT: "90s",
      OMP_KILL_GRACE: "500ms",
      OMPCORD_SHUTDOWN_GRACE: "2m",
      OMP_MAX_RETRIES: "0",
      OMPCORD_USAGE_WAIT_MAX: "0",
      OMP_ENV_PASSTHROUGH: "OPENAI_API_KEY, HTTPS_PROXY",
      OMPCORD_TRUSTED_WORKDIRS: "/srv/a, rel/b,/srv/a",
      OMPCORD_SANDBOX: "Required",
      OMPCORD_SANDBOX_USER: "ompcord-agent",
      OMPCORD_APPROVALS: "Off",
      OMPCORD_CHANNEL_APPROVALS: "555555555555555555=all, 666666666666666666=WRITES",
      OMPCORD_APPROVAL_TIMEOUT: "2m",
      OMPCORD_APPROVERS: "777777777777777777",
      OMPCORD_PINGS: "false",
      OMPCORD_PROMPT_MAX_CHARS: "1000",
      OMPCORD_QUEUE_DEPTH_MAX: "3",
      OMPCORD_OUTPUT_KEPT_BYTES: "4096",
      OMPCORD_DATA_DIR: "/var/lib/ompcord",
      OMPCORD_DATABASE_PATH: "db/x.db",
      OMPCORD_API_HOST: "localhost",
      OMPCORD_API_PORT: "0",
      OMPCORD_API_TOKEN: "a-long-enough-api-token",
      // A FAKE named token, built at run time.
      OMPCORD_NAMED_TOKENS: `ci:123456789012345678:${NAMED_TOKEN_PREFIX}${"f".repeat(40)}`,
      LOG_LEVEL: "DEBUG",
    });
    expect(config.discord.allowedUserIds).toEqual(["333333333333333333", "444444444444444444"]);
    expect(config.discord.launchEmoji).toBe("🛸");
    expect(config.discord.launchChannelIds).toEqual(["555555555555555555", "666666666666666666"]);
    expect(config.discord.apiUrl).toBe("http://127.0.0.1:5000/api");
    expect(config.discord.plainMessages).toBe("off");
    expect(config.omp).toEqual({
      bin: "node_modules/.bin/omp",
      model: "local/fake",
      extraArgs: ["--tools", "read,bash", "--note", "two words"],
      workDir: join(cwd, "work"),
      channelWorkDirs: { "555555555555555555": "/srv/a", "666666666666666666": join(cwd, "rel/b") },
      projects: [],
      maxConcurrentRuns: 4,
      runTimeoutMs: 90_000,
      killGraceMs: 500,
      shutdownGraceMs: 120_000,
      maxRetries: 0,
      usageWaitMaxMs: 0,
      envPassthrough: ["OPENAI_API_KEY", "HTTPS_PROXY"],
      trustedWorkDirs: ["/srv/a", join(cwd, "rel/b")],
    });
    expect(config.sandbox).toEqual({ mode: "required", user: "ompcord-agent" });
    expect(config.approvals).toEqual({
      policy: "off",
      channelPolicies: { "555555555555555555": "all", "666666666666666666": "writes" },
      timeoutMs: 120_000,
      deciders: ["777777777777777777"],
      pings: false,
    });
    expect(config.limits).toEqual({ promptMaxChars: 1000, queueDepthMax: 3, outputKeptBytes: 4096 });
    expect(config.dataDir).toBe("/var/lib/ompcord");
    expect(config.databasePath).toBe(join(cwd, "db/x.db"));
    expect(config.transcriptsDir).toBe("/var/lib/ompcord/transcripts");
    expect(config.api).toEqual({
      host: "localhost",
      port: 0,
      token: "a-long-enough-api-token",
      namedTokens: [
        { name: "ci", discordUserId: "123456789012345678", token: `${NAMED_TOKEN_PREFIX}${"f".repeat(40)}` },
      ],
    });
    expect(config.logLevel).toBe("debug");
  });

  it("names the sandbox modes when OMPCORD_SANDBOX is none of them", () => {
    const problem = problemFor("OMPCORD_SANDBOX", "on");
    expect(problem.expected).toBe("one of auto, required, off");
    expect(problem.received).toBe("on");
    expect(problem.fix).toContain("OMPCORD_SANDBOX=auto");
  });

  it("accepts whitespace-separated extra args", () => {
    expect(load({ ...VALID, OMP_EXTRA_ARGS: "  --tools read  --no-extensions " }).omp.extraArgs).toEqual([
      "--tools",
      "read",
      "--no-extensions",
    ]);
  });

  it("treats an empty variable as unset", () => {
    expect(load({ ...VALID, OMP_MAX_CONCURRENT_RUNS: "", LOG_LEVEL: "  " }).omp.maxConcurrentRuns).toBe(2);
  });
});

describe("plain messages (OMPCORD_PLAIN_MESSAGES)", () => {
  it("queues plain messages when unset, as before steering existed", () => {
    expect(load(VALID).discord.plainMessages).toBe("queue");
  });

  it.each([
    ["off", "off"],
    ["queue", "queue"],
    ["steer", "steer"],
    [" Steer ", "steer"],
    ["true", "queue"],
    ["TRUE", "queue"],
    ["yes", "queue"],
    ["1", "queue"],
    ["false", "off"],
    ["no", "off"],
    ["0", "off"],
  ])("reads %j as %s", (value, mode) => {
    expect(load({ ...VALID, OMPCORD_PLAIN_MESSAGES: value }).discord.plainMessages).toBe(mode);
  });

  it.each(["sometimes", "steering", "queued", "2"])(
    "refuses %j, naming the three modes and the old words",
    (value) => {
      const problem = problemFor("OMPCORD_PLAIN_MESSAGES", value);
      expect(problem.received).toBe(value);
      expect(problem.expected).toBe("off, queue or steer (true still means queue, false off)");
      expect(problem.fix).toContain("steer to steer the running turn");
    },
  );
});

describe("durations", () => {
  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["1h", 3_600_000],
    ["250ms", 250],
    ["1500", 1500],
    ["1.5s", 1500],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["soon", "10 minutes", "-5s", "1d", ""])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("bad values", () => {
  it("collects every problem at once instead of stopping at the first", () => {
    const problems = problemsOf({ OMP_MAX_CONCURRENT_RUNS: "0", LOG_LEVEL: "loud" });
    expect(problems.map((p) => p.variable)).toEqual([
      "DISCORD_BOT_TOKEN",
      "DISCORD_GUILD_ID",
      "DISCORD_CHANNEL_ID",
      "DISCORD_ALLOWED_USERS",
      "OMP_MAX_CONCURRENT_RUNS",
      "LOG_LEVEL",
    ]);
    expect(problems[0]).toMatchObject({ received: undefined });
  });

  it("teaches in the message: variable, expectation and what came", () => {
    let message = "";
    try {
      load({ ...VALID, OMP_MAX_CONCURRENT_RUNS: "0" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("OMP_MAX_CONCURRENT_RUNS: expected a whole number from 1 to 64, got `0`.");
    expect(message).toContain("Fix:");
  });

  it.each([
    ["DISCORD_GUILD_ID", "1234", "1234"],
    ["DISCORD_CHANNEL_ID", "general", "general"],
    ["DISCORD_ALLOWED_USERS", "333333333333333333,bob", "bob"],
    ["DISCORD_ALLOWED_USERS", ", ,", ", ,"],
    ["OMP_LAUNCH_CHANNEL_IDS", "555555555555555555 #launch", "#launch"],
    ["OMP_LAUNCH_EMOJI", "🚀 🛸", "🚀 🛸"],
    ["DISCORD_API_URL", "127.0.0.1:5000/api", "127.0.0.1:5000/api"],
    ["DISCORD_API_URL", "ftp://127.0.0.1/api", "ftp://127.0.0.1/api"],
    ["OMPCORD_PLAIN_MESSAGES", "sometimes", "sometimes"],
    ["OMP_BIN", "omp -p", "omp -p"],
    ["OMP_MODEL", "local fake", "local fake"],
    ["OMP_EXTRA_ARGS", '["--tools"', '["--tools"'],
    ["OMP_EXTRA_ARGS", '["--max", 3]', "3"],
    ["OMP_EXTRA_ARGS", '[{"a":1}]', '{"a":1}'],
    ["OMP_CHANNEL_WORKDIRS", "555555555555555555:/srv/a", "555555555555555555:/srv/a"],
    ["OMP_CHANNEL_WORKDIRS", "555555555555555555=/srv/a,42=/srv/b", "42=/srv/b"],
    ["OMPCORD_APPROVALS", "write", "write"],
    ["OMPCORD_APPROVALS", "yolo", "yolo"],
    ["OMPCORD_CHANNEL_APPROVALS", "555555555555555555=sometimes", "555555555555555555=sometimes"],
    ["OMPCORD_CHANNEL_APPROVALS", "555555555555555555=all,#launch=off", "#launch=off"],
    ["OMPCORD_CHANNEL_APPROVALS", "555555555555555555", "555555555555555555"],
    ["OMP_MAX_CONCURRENT_RUNS", "0", "0"],
    ["OMP_MAX_CONCURRENT_RUNS", "65", "65"],
    ["OMP_MAX_CONCURRENT_RUNS", "2.5", "2.5"],
    ["OMP_MAX_CONCURRENT_RUNS", "two", "two"],
    ["OMP_RUN_TIMEOUT", "soon", "soon"],
    ["OMP_RUN_TIMEOUT", "500ms", "500ms"],
    ["OMP_RUN_TIMEOUT", "25h", "25h"],
    ["OMP_KILL_GRACE", "2 minutes", "2 minutes"],
    ["OMP_KILL_GRACE", "5m", "5m"],
    ["OMPCORD_SHUTDOWN_GRACE", "forever", "forever"],
    ["OMPCORD_SHUTDOWN_GRACE", "2h", "2h"],
    ["OMP_MAX_RETRIES", "-1", "-1"],
    ["OMPCORD_USAGE_WAIT_MAX", "8d", "8d"],
    ["OMP_ENV_PASSTHROUGH", "OPENAI_API_KEY,2BAD", "2BAD"],
    ["OMPCORD_PROMPT_MAX_CHARS", "0", "0"],
    ["OMPCORD_QUEUE_DEPTH_MAX", "1e3", "1e3"],
    ["OMPCORD_OUTPUT_KEPT_BYTES", "10", "10"],
    ["OMPCORD_API_HOST", "http://localhost", "http://localhost"],
    ["OMPCORD_API_PORT", "65536", "65536"],
    ["OMPCORD_API_PORT", "http", "http"],
    ["LOG_LEVEL", "verbose", "verbose"],
  ])("%s=%j is refused, naming %j", (variable, value, received) => {
    const problem = problemFor(variable, value);
    expect(problem.received).toBe(received);
    expect(problem.expected.length).toBeGreaterThan(5);
    expect(problem.fix.length).toBeGreaterThan(10);
    expect(problem.source).toBe("environment");
  });

  it("a misspelt approval policy is told the three policies and what each means", () => {
    let message = "";
    try {
      load({ ...VALID, OMPCORD_APPROVALS: "write", OMPCORD_CHANNEL_APPROVALS: "555555555555555555=yes" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("OMPCORD_APPROVALS: expected one of off, writes, all, got `write`.");
    expect(message).toContain("OMPCORD_CHANNEL_APPROVALS: expected comma-separated channelId=policy pairs");
    expect(message).toContain("got `555555555555555555=yes`");
    expect(message).toContain("writes (commands, file changes and subagents wait for a person's approval)");
  });

  it("names each bad id of a list separately", () => {
    const problems = problemsOf({ ...VALID, DISCORD_ALLOWED_USERS: "1, 2, 333333333333333333" });
    expect(problems.map((p) => p.received)).toEqual(["1", "2"]);
  });

  it("refuses to pass the bot's own secrets to omp", () => {
    const problem = problemFor("OMP_ENV_PASSTHROUGH", "HOME,DISCORD_BOT_TOKEN");
    expect(problem.received).toBe("DISCORD_BOT_TOKEN");
    expect(problem.fix).toContain("never the Discord token");
  });
});

describe("secrets", () => {
  it.each([
    ["DISCORD_BOT_TOKEN", `Bot ${TOKEN}`],
    ["DISCORD_BOT_TOKEN", `"${TOKEN}"`],
    ["OMPCORD_API_TOKEN", "short"],
    ["OMPCORD_API_TOKEN", "a token with spaces in it"],
  ])("a bad %s is reported without its value", (variable, value) => {
    const problem = problemFor(variable, value);
    expect(problem.received).toBe("(set, hidden)");
    let message = "";
    try {
      load({ ...VALID, [variable]: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("(set, hidden)");
    expect(message).not.toContain(value);
  });

  it("hides a token pasted into the wrong variable", () => {
    const problem = problemFor("DISCORD_GUILD_ID", TOKEN);
    expect(problem.received).toBe("(set, hidden)");
  });

  it.each([
    ["a token without the named-token prefix", `ci:333333333333333333:${"x".repeat(50)}`],
    ["a short token", `ci:333333333333333333:${NAMED_TOKEN_PREFIX}short`],
    ["a user that is not an id", `ci:alice:${NAMED_TOKEN_PREFIX}${"x".repeat(40)}`],
  ])("OMPCORD_NAMED_TOKENS with %s is refused without showing the token", (_what, value) => {
    const problem = problemFor("OMPCORD_NAMED_TOKENS", value);
    expect(problem.received).toBe("(set, hidden)");
    expect(problem.fix).toMatch(/openssl rand/);
  });

  it("configured named tokens use the prefix the sidecar issues, and are secrets for the redactor", () => {
    expect(NAMED_TOKEN_PREFIX_IN_CONFIG).toBe(NAMED_TOKEN_PREFIX);
    const named = `${NAMED_TOKEN_PREFIX}${"n".repeat(40)}`;
    const config = load({ ...VALID, OMPCORD_NAMED_TOKENS: `cron:333333333333333333:${named}` });
    expect(configSecrets(config)).toContain(named);
  });

  it("lists the secret values for the redactor", () => {
    const config = load({ ...VALID, OMPCORD_API_TOKEN: "a-long-enough-api-token" });
    expect(configSecrets(config)).toEqual([TOKEN, "a-long-enough-api-token"]);
  });
});

describe("sources", () => {
  it("reads a .env file and lets the environment win over it", () => {
    writeFileSync(
      join(cwd, ".env"),
      [
        "# comment",
        `DISCORD_BOT_TOKEN="${TOKEN}"`,
        "DISCORD_GUILD_ID=111111111111111111",
        "DISCORD_CHANNEL_ID=222222222222222222",
        "DISCORD_ALLOWED_USERS=333333333333333333",
        "OMP_MAX_CONCURRENT_RUNS=3",
        "LOG_LEVEL=debug",
      ].join("\n"),
    );
    const config = load({ LOG_LEVEL: "warn" });
    expect(config.discord.token).toBe(TOKEN);
    expect(config.omp.maxConcurrentRuns).toBe(3);
    expect(config.logLevel).toBe("warn");
  });

  it("reads config/ompcord.json below .env and the environment", () => {
    mkdirSync(join(cwd, "config"));
    writeFileSync(
      join(cwd, "config", "ompcord.json"),
      JSON.stringify({
        $comment: "non-secret settings",
        OMP_MAX_CONCURRENT_RUNS: 5,
        OMP_RUN_TIMEOUT: "10m",
        OMPCORD_PLAIN_MESSAGES: false,
        OMP_EXTRA_ARGS: ["--note", "two words"],
        OMP_LAUNCH_CHANNEL_IDS: ["555555555555555555", "666666666666666666"],
        OMP_CHANNEL_WORKDIRS: { "555555555555555555": "/srv/a" },
        OMPCORD_APPROVALS: "all",
        OMPCORD_CHANNEL_APPROVALS: { "555555555555555555": "off" },
        LOG_LEVEL: "trace",
      }),
    );
    writeFileSync(join(cwd, ".env"), "OMP_RUN_TIMEOUT=20m\n");
    const config = load({ ...VALID, LOG_LEVEL: "error" });
    expect(config.omp.maxConcurrentRuns).toBe(5);
    expect(config.omp.runTimeoutMs).toBe(20 * 60_000);
    expect(config.discord.plainMessages).toBe("off");
    expect(config.omp.extraArgs).toEqual(["--note", "two words"]);
    expect(config.discord.launchChannelIds).toEqual(["555555555555555555", "666666666666666666"]);
    expect(config.omp.channelWorkDirs).toEqual({ "555555555555555555": "/srv/a" });
    expect(config.approvals).toMatchObject({
      policy: "all",
      channelPolicies: { "555555555555555555": "off" },
    });
    expect(config.logLevel).toBe("error");
  });

  it("says which file a bad value came from", () => {
    writeFileSync(join(cwd, ".env"), "OMP_MAX_RETRIES=many\n");
    expect(problemsOf(VALID)).toEqual([
      expect.objectContaining({ variable: "OMP_MAX_RETRIES", source: ".env" }),
    ]);
  });

  it("refuses secrets, unknown keys and broken JSON in config/ompcord.json", () => {
    mkdirSync(join(cwd, "config"));
    const file = join(cwd, "config", "ompcord.json");
    writeFileSync(file, JSON.stringify({ DISCORD_BOT_TOKEN: TOKEN, OMP_MAX_CONCURENT_RUNS: 3 }));
    const problems = problemsOf(VALID);
    expect(problems.map((p) => p.variable)).toEqual(["DISCORD_BOT_TOKEN", "OMP_MAX_CONCURENT_RUNS"]);
    expect(JSON.stringify(problems)).not.toContain(TOKEN);

    writeFileSync(file, "{ not json");
    expect(problemsOf(VALID)).toEqual([expect.objectContaining({ variable: "config/ompcord.json" })]);
    writeFileSync(file, "[1, 2]");
    expect(problemsOf(VALID)).toEqual([expect.objectContaining({ variable: "config/ompcord.json" })]);
  });

  it("the shipped example file is valid", () => {
    mkdirSync(join(cwd, "config"));
    const example = readFileSync(new URL("../../config/ompcord.example.json", import.meta.url), "utf8");
    writeFileSync(join(cwd, "config", "ompcord.json"), example);
    const config = load(VALID);
    for (const adapting of ["OMP_BIN", "OMPCORD_API_PORT", "OMP_WORKDIR"] as const) {
      expect(config.configured, adapting).not.toContain(adapting);
    }
  });

  it("reports whether a .env file was found, for the start-up hint", () => {
    try {
      load({});
    } catch (error) {
      expect((error as ConfigError).envFileFound).toBe(false);
      expect((error as ConfigError).cwd).toBe(cwd);
      return;
    }
    throw new Error("expected a ConfigError");
  });
});

describe("API token", () => {
  it("is generated once into <dataDir>/api-token with mode 0600 and reused", () => {
    const first = load(VALID).api.token;
    const file = join(cwd, ".data", "api-token");
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, "utf8").trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(load(VALID).api.token).toBe(first);
  });

  it("is not written when OMPCORD_API_TOKEN is set or validation fails", () => {
    load({ ...VALID, OMPCORD_API_TOKEN: "a-long-enough-api-token" });
    problemsOf({ ...VALID, LOG_LEVEL: "loud" });
    expect(() => statSync(join(cwd, ".data", "api-token"))).toThrow();
  });

  it("replaces an unusable token file and tightens loose permissions", () => {
    const dataDir = join(cwd, "data");
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, "api-token"), "short\n", { mode: 0o644 });
    const token = ensureApiToken(dataDir);
    expect(token).not.toBe("short");
    expect(statSync(join(dataDir, "api-token")).mode & 0o777).toBe(0o600);

    writeFileSync(join(dataDir, "api-token"), "kept-token-of-enough-length\n", { mode: 0o644 });
    chmodSync(join(dataDir, "api-token"), 0o644);
    expect(ensureApiToken(dataDir)).toBe("kept-token-of-enough-length");
    expect(statSync(join(dataDir, "api-token")).mode & 0o777).toBe(0o600);
  });
});

describe(".env.example", () => {
  const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");

  it("documents every variable with a comment line above it", () => {
    const lines = example.split("\n");
    for (const variable of VARIABLE_NAMES) {
      const index = lines.findIndex((line) => line.startsWith(`${variable}=`));
      expect(index, variable).toBeGreaterThan(0);
      expect(lines[index - 1], variable).toMatch(/^# \S/);
    }
  });

  it("is a valid .env once the Discord block is filled in", () => {
    const filled = example
      .replace(/^DISCORD_BOT_TOKEN=$/m, `DISCORD_BOT_TOKEN=${TOKEN}`)
      .replace(/^DISCORD_GUILD_ID=$/m, "DISCORD_GUILD_ID=111111111111111111")
      .replace(/^DISCORD_CHANNEL_ID=$/m, "DISCORD_CHANNEL_ID=222222222222222222")
      .replace(/^DISCORD_ALLOWED_USERS=$/m, "DISCORD_ALLOWED_USERS=333333333333333333");
    writeFileSync(join(cwd, ".env"), filled);
    const config = load({});
    expect(config.omp.maxConcurrentRuns).toBe(2);
    expect(config.discord.launchEmoji).toBe("🚀");
    // Defaults that adapt stay unset: the bundled omp, a free port when 8901 is taken, a created workspace.
    for (const adapting of ["OMP_BIN", "OMPCORD_API_PORT", "OMP_WORKDIR"] as const) {
      expect(config.configured, adapting).not.toContain(adapting);
    }
  });
});

describe("start-up help", () => {
  it("separates missing from invalid settings and says where values come from", () => {
    let help = "";
    try {
      load({ DISCORD_BOT_TOKEN: TOKEN, OMP_KILL_GRACE: "forever" });
    } catch (error) {
      help = formatConfigHelp(error as ConfigError);
    }
    expect(help).toMatch(/Missing:\n {2}DISCORD_GUILD_ID: a Discord server id/);
    expect(help).toContain("Invalid:\n  OMP_KILL_GRACE: expected a duration");
    expect(help).toContain("Bot → Reset Token");
    expect(help).toContain("Developer Mode");
    expect(help).toContain("cp .env.example .env");
    expect(help).not.toContain(TOKEN);
  });
});
