// How `npm start` chooses between Discord and the local playground, and what it says: pure decisions
// over the settings a person has, and the package the bot loads only when it is installed.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as playgroundPackage from "@ompcord/playground";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  configuredDataDir,
  discordSettingsSet,
  formatConfigHelp,
} from "../../src/config/index.js";
import {
  chooseStartMode,
  isPackageMissing,
  loadPlayground,
  type PlaygroundModule,
  playgroundBanner,
  playgroundInstalled,
} from "../../src/playground.js";

// The bot declares what it uses of the package instead of importing it (the Docker build does not have
// it): the type checker holds the package to that declaration here.
const contract: PlaygroundModule = playgroundPackage;

describe("choosing the start mode", () => {
  it("starts the playground when none of the four Discord settings is set, Discord otherwise", () => {
    expect(chooseStartMode([], [])).toEqual({ mode: "playground", explicit: false });
    expect(chooseStartMode([], ["DISCORD_BOT_TOKEN"])).toEqual({ mode: "discord", explicit: false });
    expect(chooseStartMode([], ["DISCORD_GUILD_ID", "DISCORD_ALLOWED_USERS"])).toEqual({
      mode: "discord",
      explicit: false,
    });
  });

  it("starts the playground when asked by name, even with a full Discord configuration", () => {
    const all = ["DISCORD_BOT_TOKEN", "DISCORD_GUILD_ID", "DISCORD_CHANNEL_ID", "DISCORD_ALLOWED_USERS"];
    expect(chooseStartMode(["--playground"], all)).toEqual({ mode: "playground", explicit: true });
  });
});

describe("reading which Discord settings a person has", () => {
  let cwd: string | undefined;
  afterEach(() => {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    cwd = undefined;
  });

  it("counts a value from any source, and an empty one as unset (a fresh copy of .env.example)", () => {
    cwd = mkdtempSync(join(tmpdir(), "ompcord-mode-"));
    writeFileSync(join(cwd, ".env"), "DISCORD_BOT_TOKEN=\nDISCORD_GUILD_ID=\nOMP_RUN_TIMEOUT=30m\n");
    expect(discordSettingsSet({ env: {}, cwd })).toEqual([]);
    writeFileSync(join(cwd, ".env"), "DISCORD_GUILD_ID=123456789012345678\n");
    expect(discordSettingsSet({ env: { DISCORD_ALLOWED_USERS: "x" }, cwd })).toEqual([
      "DISCORD_GUILD_ID",
      "DISCORD_ALLOWED_USERS",
    ]);
    mkdirSync(join(cwd, "config"));
    writeFileSync(join(cwd, "config/ompcord.json"), JSON.stringify({ DISCORD_CHANNEL_ID: "1" }));
    expect(discordSettingsSet({ env: {}, cwd })).toContain("DISCORD_CHANNEL_ID");
  });

  it("finds the data dir the person named, or the default, to keep the playground's data under it", () => {
    cwd = mkdtempSync(join(tmpdir(), "ompcord-mode-"));
    expect(configuredDataDir({ env: {}, cwd })).toBe(join(cwd, ".data"));
    expect(configuredDataDir({ env: { OMPCORD_DATA_DIR: "/srv/ompcord" }, cwd })).toBe("/srv/ompcord");
    expect(configuredDataDir({ env: { OMPCORD_DATA_DIR: "state" }, cwd })).toBe(join(cwd, "state"));
  });
});

describe("the playground package, loaded only when installed", () => {
  it("is installed in this checkout and has what the bot uses", async () => {
    expect(playgroundInstalled()).toBe(true);
    const module = await loadPlayground();
    expect(typeof module?.startPlayground).toBe("function");
    expect(typeof contract.openBrowser).toBe("function");
  });

  it("is undefined, not an error, when the package is missing; other failures still throw", async () => {
    expect(await loadPlayground("@ompcord/not-installed")).toBeUndefined();
    expect(playgroundInstalled("@ompcord/not-installed")).toBe(false);
    const inside = Object.assign(new Error("Cannot find module '/x/dist/index.js' imported from /y"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    expect(isPackageMissing(inside, "@ompcord/playground")).toBe(false);
    const missing = Object.assign(
      new Error("Cannot find package '@ompcord/playground' imported from /app/dist/x.js"),
      {
        code: "ERR_MODULE_NOT_FOUND",
      },
    );
    expect(isPackageMissing(missing, "@ompcord/playground")).toBe(true);
  });
});

describe("what the person reads", () => {
  const facts = {
    url: "http://127.0.0.1:4000/?key=abc",
    cwd: "/home/p/ompcord",
    dataDir: "/home/p/ompcord/.data/playground",
    logFile: "/home/p/ompcord/.data/playground/ompcord.log",
    browserOpened: false,
  };

  it("says it is the local playground, where to open it, and how to connect a real Discord server", () => {
    const text = playgroundBanner({ ...facts, discordConfigured: false });
    expect(text).toContain("ompcord playground");
    expect(text).toContain("Open  http://127.0.0.1:4000/?key=abc\n");
    expect(text).toContain("Data  .data/playground");
    expect(text).toContain("cp .env.example .env");
    expect(text).toContain("DISCORD_BOT_TOKEN, DISCORD_GUILD_ID, DISCORD_CHANNEL_ID, DISCORD_ALLOWED_USERS");
    expect(text).toContain("npx omp");
  });

  it("points at `npm start` when a Discord configuration exists, and says when the browser opens", () => {
    const text = playgroundBanner({ ...facts, browserOpened: true, discordConfigured: true });
    expect(text).toContain("(opening in your browser)");
    expect(text).toContain("`npm start` runs the bot on your Discord server");
    expect(text).not.toContain("cp .env.example");
  });

  it("adds the playground to the configuration help only where it is installed", () => {
    const error = new ConfigError(
      [
        {
          variable: "DISCORD_GUILD_ID",
          expected: "a Discord server id",
          received: undefined,
          fix: "Copy it.",
        },
      ],
      { cwd: "/x", envFileFound: true },
    );
    expect(formatConfigHelp(error, { playground: true })).toContain("npm run playground");
    expect(formatConfigHelp(error)).not.toContain("playground");
  });
});
