import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Emulator, startEmulator } from "@ompcord/discord-emulator";
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

describe("start-up with a valid configuration that Discord refuses", () => {
  const config = (emu: Emulator, token: string) => ({
    DISCORD_BOT_TOKEN: token,
    DISCORD_GUILD_ID: "111111111111111111",
    DISCORD_CHANNEL_ID: "222222222222222222",
    DISCORD_ALLOWED_USERS: "333333333333333333",
    DISCORD_API_URL: emu.restUrl,
    OMPCORD_API_TOKEN: "startup-test-api-token",
    OMPCORD_API_PORT: "0",
  });

  it("a wrong token: opens the store, then says how to reset the token and exits 1, never echoing it", async () => {
    const emu = await startEmulator();
    try {
      const { code, stdout, stderr } = await start(config(emu, TOKEN));
      expect(code).toBe(1);
      expect(stderr).toContain("ompcord could not start");
      expect(stderr).toContain("Reset Token");
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(cwd, ".data", "ompcord.db"))).toBe(true);
      expect(stdout + stderr).not.toContain(TOKEN);
      expect(stdout + stderr).not.toContain("startup-test-api-token");
    } finally {
      await emu.close();
    }
  });

  it("the Message Content intent not enabled: says where to turn it on and exits 1", async () => {
    const emu = await startEmulator({ allowedPrivilegedIntents: 0 });
    try {
      const { code, stderr } = await start(config(emu, emu.botToken));
      expect(code).toBe(1);
      expect(stderr).toContain("Message Content Intent");
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await emu.close();
    }
  });
});
