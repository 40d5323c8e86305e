import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const repo = join(import.meta.dirname, "..", "..");
const tsxLoader = pathToFileURL(join(repo, "node_modules", "tsx", "dist", "loader.mjs")).href;
const mainModule = join(repo, "src", "main.ts");

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.startup-test-secret-value";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "ompcord-startup-"));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

/** Starts the real entry point as `node --import tsx src/main.ts` would, with only the env given. */
function start(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, mainModule], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("start-up without a usable configuration", () => {
  it("with no Discord settings at all, says what is missing and where to get it, and exits 1 without a stack trace", async () => {
    const { code, stdout, stderr } = await start({});
    expect(code).toBe(1);
    expect(stdout).toBe("");
    for (const variable of [
      "DISCORD_BOT_TOKEN",
      "DISCORD_GUILD_ID",
      "DISCORD_CHANNEL_ID",
      "DISCORD_ALLOWED_USERS",
    ]) {
      expect(stderr).toContain(variable);
    }
    expect(stderr).toContain("Missing:");
    expect(stderr).toContain("Bot → Reset Token");
    expect(stderr).toContain("Developer Mode");
    expect(stderr).toContain("Copy ID");
    expect(stderr).toContain(".env.example");
    expect(stderr).toContain(`No .env file in ${cwd}`);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("ConfigError");
  });

  it("names invalid values from .env with their fix, and never prints the token", async () => {
    writeFileSync(
      join(cwd, ".env"),
      [
        `DISCORD_BOT_TOKEN="Bot ${TOKEN}"`,
        "DISCORD_GUILD_ID=111111111111111111",
        "DISCORD_CHANNEL_ID=general",
        "DISCORD_ALLOWED_USERS=333333333333333333",
        "OMP_MAX_CONCURRENT_RUNS=0",
      ].join("\n"),
    );
    const { code, stderr } = await start({});
    expect(code).toBe(1);
    expect(stderr).toContain("Invalid:");
    expect(stderr).toContain(
      "OMP_MAX_CONCURRENT_RUNS (from .env): expected a whole number from 1 to 64, got `0`.",
    );
    expect(stderr).toContain("DISCORD_CHANNEL_ID (from .env)");
    expect(stderr).toContain("DISCORD_BOT_TOKEN (from .env): expected");
    expect(stderr).toContain("(set, hidden)");
    expect(stderr).not.toContain(TOKEN);
    expect(stderr).not.toContain("No .env file");
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe("start-up with a valid configuration", () => {
  it("opens and reconciles the store, logs as JSON without secrets, and exits cleanly", async () => {
    const { code, stdout, stderr } = await start({
      DISCORD_BOT_TOKEN: TOKEN,
      DISCORD_GUILD_ID: "111111111111111111",
      DISCORD_CHANNEL_ID: "222222222222222222",
      DISCORD_ALLOWED_USERS: "333333333333333333",
      OMPCORD_API_TOKEN: "startup-test-api-token",
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { msg: string; database?: string });
    expect(lines.find((line) => line.msg === "store open and reconciled")?.database).toBe(
      join(cwd, ".data", "ompcord.db"),
    );
    expect(stdout).not.toContain(TOKEN);
    expect(stdout).not.toContain("startup-test-api-token");
  });
});
