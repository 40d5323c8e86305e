import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Emulator, startEmulator } from "@ompcord/discord-emulator";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULTS, EXIT_CONFIG } from "../../src/config/index.js";
import { spawnBotProcess } from "../support/bot-process.js";

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
  // With none of the four at all, `npm start` is the local playground (test/integration/playground-start.test.ts).
  it("with some Discord settings missing, says what is missing and where to get it, and exits 78 (EX_CONFIG) without a stack trace", async () => {
    const { code, stdout, stderr } = await start({ DISCORD_GUILD_ID: "111111111111111111" });
    expect(code).toBe(EXIT_CONFIG);
    expect(stdout).toBe("");
    for (const variable of ["DISCORD_BOT_TOKEN", "DISCORD_CHANNEL_ID", "DISCORD_ALLOWED_USERS"]) {
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
    expect(code).toBe(EXIT_CONFIG);
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

  it("a wrong token: opens the store, then says how to reset the token and exits 78, never echoing it", async () => {
    const emu = await startEmulator();
    try {
      const { code, stdout, stderr } = await start(config(emu, TOKEN));
      expect(code).toBe(EXIT_CONFIG);
      expect(stderr).toContain("ompcord could not start");
      expect(stderr).toContain("Reset Token");
      // A wrong configuration, like a partial one, also points at the way to try ompcord without Discord.
      expect(stderr).toContain("npm run playground");
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(cwd, ".data", "ompcord.db"))).toBe(true);
      expect(stdout + stderr).not.toContain(TOKEN);
      expect(stdout + stderr).not.toContain("startup-test-api-token");
    } finally {
      await emu.close();
    }
  });

  it("the Message Content intent not enabled: says where to turn it on and exits 78", async () => {
    const emu = await startEmulator({ allowedPrivilegedIntents: 0 });
    try {
      const { code, stderr } = await start(config(emu, emu.botToken));
      expect(code).toBe(EXIT_CONFIG);
      expect(stderr).toContain("Message Content Intent");
      expect(stderr).toContain("npm run playground");
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await emu.close();
    }
  });
});

describe("start-up with a path or port that cannot work", () => {
  const discord = {
    DISCORD_BOT_TOKEN: TOKEN,
    DISCORD_GUILD_ID: "111111111111111111",
    DISCORD_CHANNEL_ID: "222222222222222222",
    DISCORD_ALLOWED_USERS: "333333333333333333",
    OMPCORD_API_TOKEN: "startup-test-api-token",
  };

  it("an OMP_WORKDIR that does not exist: names it and the fix, exits 78, and does not create it", async () => {
    const missing = join(cwd, "my-projcet");
    const { code, stdout, stderr } = await start({ ...discord, OMP_WORKDIR: missing });
    expect(code).toBe(EXIT_CONFIG);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `OMP_WORKDIR: expected an existing directory ompcord can write to, got \`${missing}\`.`,
    );
    expect(stderr).toContain(`mkdir -p ${missing}`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(missing)).toBe(false);
  });

  it("an OMPCORD_API_PORT another program listens on: names the variable and the fix, exits 78", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const { code, stderr } = await start({ ...discord, OMPCORD_API_PORT: String(port) });
      expect(code).toBe(EXIT_CONFIG);
      expect(stderr).toContain(
        `OMPCORD_API_PORT: expected a port no other program listens on, got \`${port}\`.`,
      );
      expect(stderr).toContain("remove OMPCORD_API_PORT");
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stderr).not.toContain("EADDRINUSE");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("start-up when the default sidecar port is taken", () => {
  /** Holds the default port: waits for whoever has it (a parallel test's bot) to let go first. */
  async function holdDefaultPort(): Promise<Server> {
    const server = createServer();
    await vi.waitFor(
      () =>
        new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(DEFAULTS.apiPort, "127.0.0.1", () => {
            server.off("error", reject);
            resolve();
          });
        }),
      { timeout: 180_000, interval: 500 },
    );
    return server;
  }

  it("listens on a free port instead, logs it and writes the URL to <data dir>/sidecar.json (removed at exit)", async () => {
    const emu = await startEmulator();
    const world = emu.seed();
    const held = await holdDefaultPort();
    try {
      const bot = spawnBotProcess({
        cwd,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: cwd,
          DISCORD_BOT_TOKEN: emu.botToken,
          DISCORD_GUILD_ID: world.guildId,
          DISCORD_CHANNEL_ID: world.channelId,
          DISCORD_ALLOWED_USERS: world.users.alice.id,
          DISCORD_API_URL: emu.restUrl,
        },
      });
      await bot.ready(120_000);
      const file = join(cwd, ".data", "sidecar.json");
      const sidecar = JSON.parse(readFileSync(file, "utf8")) as { url: string; port: number; pid: number };
      expect(sidecar.port).not.toBe(DEFAULTS.apiPort);
      expect(sidecar).toEqual({ url: `http://127.0.0.1:${sidecar.port}`, port: sidecar.port, pid: bot.pid });
      expect((await fetch(`${sidecar.url}/healthz`)).ok).toBe(true);
      expect(bot.output()).toContain(
        `port ${DEFAULTS.apiPort} is taken, listening on ${sidecar.port} instead`,
      );
      expect(await bot.stop()).toEqual({ code: 0, signal: null });
      expect(existsSync(file)).toBe(false);
    } finally {
      await new Promise((resolve) => held.close(resolve));
      await emu.close();
    }
  }, 300_000);
});
