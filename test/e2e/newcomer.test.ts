// The first guard of the README's promise: a person copies `.env.example` to `.env`, fills in the four
// DISCORD_* values and runs `npm start`; a 🚀 launch and a `/omp new` then each run to their answer.
// Nothing else is configured: no OMP_BIN, no OMP_WORKDIR, no OMPCORD_API_PORT, no OMP_MODEL. Only
// what points at the test world changes: DISCORD_API_URL (the emulator) and a throwaway HOME whose omp
// settings make the fake model omp's default model. The tree is a fresh copy (what git would give a
// newcomer), so the developer's own `.env`, `config/` and `.data/` are neither read nor touched.

import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { type Emulator, type SeededWorld, startEmulator } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotProcess, spawnBotProcess } from "../support/bot-process.js";
import { type FakeModel, reply, startFakeModel } from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, type OmpHome } from "../support/omp-home.js";

const REPO = resolve(import.meta.dirname, "../..");
/** `npm start` builds with tsc first; on a loaded 2-core machine that alone can take a minute or two. */
const START_CEILING_MS = 300_000;
const RUN_CEILING_MS = 120_000;
/** How the bot announces a run that did not succeed (`💥 Run #1 crashed: …`): ends the wait early. */
const RUN_DID_NOT_SUCCEED = /Run #\d+ (crashed|failed|hit the time limit|was cancelled)/;

/** A copy of the tree as a clone would hold it: tracked files, plus new ones not yet committed. */
function copyTree(target: string): void {
  const list = (...args: string[]) =>
    execFileSync("git", ["ls-files", "-z", ...args], { cwd: REPO, encoding: "utf8" })
      .split("\0")
      .filter(Boolean);
  // Untracked files outside config/ are work in progress that belongs to the tree; in config/ they are
  // a person's own settings (config/ompcord.json), which a newcomer does not have.
  const files = [
    ...list("--cached"),
    ...list("--others", "--exclude-standard").filter((file) => !file.startsWith("config/")),
  ];
  for (const file of new Set(files)) {
    const from = join(REPO, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(from, join(target, file));
  }
  // `npm install` is the README's first step; the installed dependencies are shared, not reinstalled.
  symlinkSync(join(REPO, "node_modules"), join(target, "node_modules"), "dir");
}

/** `cp .env.example .env`, then the person types in the values the README asks for. */
function writeDotenv(tree: string, values: Record<string, string>): void {
  copyFileSync(join(tree, ".env.example"), join(tree, ".env"));
  let text = readFileSync(join(tree, ".env"), "utf8");
  for (const [variable, value] of Object.entries(values)) {
    const line = new RegExp(`^${variable}=$`, "m");
    if (!line.test(text)) throw new Error(`.env.example has no empty \`${variable}=\` line to fill in`);
    text = text.replace(line, `${variable}=${value}`);
  }
  writeFileSync(join(tree, ".env"), text);
}

/**
 * A person's shell PATH: node and npm on it, no project's `node_modules/.bin` (the test runner's own
 * would hide a bot that only finds omp because of it).
 */
function personPath(): string {
  const entries = (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin")
    .split(delimiter)
    .filter((entry) => entry !== "" && !entry.includes("node_modules"));
  return [dirname(process.execPath), ...entries].join(delimiter);
}

describe("a newcomer following the README", () => {
  let emu: Emulator;
  let world: SeededWorld;
  let model: FakeModel;
  let home: OmpHome;
  let root: string;
  let tree: string;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    emu = await startEmulator();
    world = emu.seed();
    model = await startFakeModel();
    model.on("greet the newcomer", reply("Welcome aboard, launched by rocket."));
    model.on("introduce yourself", reply("Hello from a session opened with /omp new."));
    home = createOmpHome(model.baseUrl, { defaultModel: FAKE_MODEL_ID });
    root = mkdtempSync(join(tmpdir(), "ompcord-newcomer-"));
    tree = join(root, "ompcord");
    copyTree(tree);
    writeDotenv(tree, {
      DISCORD_BOT_TOKEN: emu.botToken,
      DISCORD_GUILD_ID: world.guildId,
      DISCORD_CHANNEL_ID: world.channelId,
      DISCORD_ALLOWED_USERS: world.users.alice.id,
      DISCORD_API_URL: emu.restUrl,
    });
    bot = spawnBotProcess({
      command: { file: "npm", args: ["start"] },
      cwd: tree,
      env: { PATH: personPath(), HOME: home.home, LANG: "C.UTF-8" },
      logFile: join(root, "npm-start.log"),
    });
    await bot.ready(START_CEILING_MS);
  }, START_CEILING_MS + 30_000);

  afterAll(async () => {
    await bot?.stop();
    await emu?.close();
    await model?.close();
    home?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("is ready with its default workspace created and says where its API listens", async () => {
    // Before any run: the workspace is made at start, not by chance on the way.
    expect(statSync(join(tree, ".data", "workspace")).isDirectory()).toBe(true);
    // 8901 may be taken by another program (or a parallel test): the bot then listens elsewhere and
    // says where in sidecar.json.
    const file = join(tree, ".data", "sidecar.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sidecar = JSON.parse(readFileSync(file, "utf8")) as { url: string; port: number; pid: number };
    expect(sidecar.url).toBe(`http://127.0.0.1:${sidecar.port}`);
    expect(() => process.kill(sidecar.pid, 0)).not.toThrow(); // the bot's own process, alive
    const health = await fetch(`${sidecar.url}/healthz`);
    expect(health.ok).toBe(true);
  });

  it(
    "a 🚀 on a message runs it and the model's answer appears in the thread",
    async () => {
      const alice = emu.as(world.users.alice.id);
      const message = alice.postMessage(world.channelId, "please greet the newcomer");
      alice.react(world.channelId, message.id, "🚀");
      const thread = await emu.waitForThread(
        (t) => t.starterMessageId === message.id || t.id === message.id,
        {
          timeoutMs: RUN_CEILING_MS,
        },
      );
      const answer = await emu.waitForMessage(
        (m) =>
          m.channelId === thread.id &&
          m.author.bot &&
          (m.content.includes("Welcome aboard") || RUN_DID_NOT_SUCCEED.test(m.content)),
        { timeoutMs: RUN_CEILING_MS },
      );
      expect(answer.content).toBe("Welcome aboard, launched by rocket.");
    },
    RUN_CEILING_MS * 2,
  );

  it(
    "/omp new opens a session whose answer appears in its thread",
    async () => {
      const handle = emu.as(world.users.alice.id).runCommand({
        channelId: world.channelId,
        name: "omp",
        subcommand: "new",
        options: { prompt: "introduce yourself" },
      });
      await handle.waitForReply({ timeoutMs: RUN_CEILING_MS });
      const thread = await emu.waitForThread((t) => t.name.includes("introduce yourself"), {
        timeoutMs: RUN_CEILING_MS,
      });
      const answer = await emu.waitForMessage(
        (m) =>
          m.channelId === thread.id &&
          m.author.bot &&
          (m.content.includes("Hello from a session") || RUN_DID_NOT_SUCCEED.test(m.content)),
        { timeoutMs: RUN_CEILING_MS },
      );
      expect(answer.content).toBe("Hello from a session opened with /omp new.");
      expect(thread.parentId).toBe(world.channelId);
    },
    RUN_CEILING_MS * 2,
  );
});
