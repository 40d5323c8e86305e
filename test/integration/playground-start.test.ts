// `npm start`'s choice as a process makes it: a partial Discord configuration fails with today's help
// plus the playground hint; an install without the playground package (the Docker image) answers a
// start without settings with the configuration help, and `--playground` with what to do instead.

import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CONFIG } from "../../src/config/index.js";
import { TSX_LOADER } from "../support/bot-process.js";

const REPO = resolve(import.meta.dirname, "../..");
const EXIT_CEILING_MS = 60_000;

/** Runs `<root>/src/main.ts` under tsx in `cwd` and collects what it printed until it exits. */
function runMain(root: string, cwd: string, env: Record<string, string>, args: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, join(root, "src/main.ts"), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, LANG: "C.UTF-8", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`main did not exit within ${EXIT_CEILING_MS} ms:\n${stdout}\n${stderr}`));
    }, EXIT_CEILING_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe("a partial Discord configuration", () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "ompcord-partial-"));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it(
    "fails with the configuration help, which also names the playground",
    async () => {
      const result = await runMain(REPO, cwd, { DISCORD_GUILD_ID: "123456789012345678" });
      expect(result.code).toBe(EXIT_CONFIG);
      expect(result.stderr).toContain("Missing:\n  DISCORD_BOT_TOKEN");
      expect(result.stderr).toContain("npm run playground");
      expect(result.stdout).not.toContain("http://127.0.0.1");
    },
    EXIT_CEILING_MS,
  );
});

describe("an install without the playground package (as the Docker image)", () => {
  let root: string;
  beforeAll(() => {
    // The bot's source and every dependency but the workspace packages, as `--workspaces=false` installs.
    root = mkdtempSync(join(tmpdir(), "ompcord-image-"));
    cpSync(join(REPO, "src"), join(root, "src"), { recursive: true });
    cpSync(join(REPO, "package.json"), join(root, "package.json"));
    mkdirSync(join(root, "node_modules"));
    for (const entry of readdirSync(join(REPO, "node_modules"))) {
      if (entry === "@ompcord") continue;
      symlinkSync(join(REPO, "node_modules", entry), join(root, "node_modules", entry));
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    "answers a start without settings with the configuration help, and no playground hint",
    async () => {
      const result = await runMain(root, root, {});
      expect(result.code).toBe(EXIT_CONFIG);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("ompcord cannot start: its configuration needs attention.");
      for (const variable of [
        "DISCORD_BOT_TOKEN",
        "DISCORD_GUILD_ID",
        "DISCORD_CHANNEL_ID",
        "DISCORD_ALLOWED_USERS",
      ]) {
        expect(result.stderr).toContain(variable);
      }
      expect(result.stderr).toContain("Missing:");
      expect(result.stderr).toContain(`No .env file in ${root}`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr).not.toContain("playground");
    },
    EXIT_CEILING_MS,
  );

  it(
    "answers --playground with where the playground can be had",
    async () => {
      const result = await runMain(root, root, {}, ["--playground"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("The local playground is not part of this install");
      expect(result.stderr).toContain("npm run playground");
    },
    EXIT_CEILING_MS,
  );
});
