// OMPCORD_SANDBOX at start, where bubblewrap is installed but no sandbox can start (a `bwrap` that fails
// as Debian's does without unprivileged user namespaces): `required` stops start-up before anything is
// opened, naming the variable, the reason and the fix; `off` never tries. (`auto` starts and says what
// runs can reach: test/e2e/sandbox-modes.test.ts.)

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { startEmulator } from "@ompcord/discord-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OmpcordApp, startOmpcord } from "../../src/app.js";
import { ConfigError, formatConfigHelp, loadConfig } from "../../src/config/index.js";
import { NODE_BIN_DIR } from "../support/omp-home.js";
import { brokenBwrapDir } from "../support/sandbox.js";

const DISCORD = {
  DISCORD_BOT_TOKEN: ["FAKE", "startup", "sandbox-test-token"].join("."),
  DISCORD_GUILD_ID: "111111111111111111",
  DISCORD_CHANNEL_ID: "222222222222222222",
  DISCORD_ALLOWED_USERS: "333333333333333333",
  OMPCORD_API_TOKEN: "startup-sandbox-api-token",
  OMPCORD_API_PORT: "0",
};

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "ompcord-startup-sandbox-"));
});
afterEach(() => {
  // The stopped bot's background model listing (omp) may still be writing under it: retry what it adds.
  rmSync(cwd, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

/** The bot's environment with the broken bwrap first on PATH. */
function environment(): NodeJS.ProcessEnv {
  return {
    HOME: cwd,
    PATH: [brokenBwrapDir(cwd), NODE_BIN_DIR, "/usr/bin", "/bin"].join(delimiter),
  };
}

describe("start-up where bubblewrap is installed but no sandbox starts", () => {
  it("OMPCORD_SANDBOX=required stops start-up naming the variable, the reason and the fix, before the database is opened", async () => {
    const config = loadConfig({ env: { ...DISCORD, OMPCORD_SANDBOX: "required" }, cwd });
    let app: OmpcordApp | undefined;
    const error = await startOmpcord(config, { env: environment() }).then(
      (started) => {
        app = started;
        return undefined;
      },
      (thrown: unknown) => thrown,
    );
    await app?.stop({ graceMs: 0 });
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ variable: "OMPCORD_SANDBOX", received: "required" });
    const help = formatConfigHelp(error as ConfigError);
    expect(help).toContain("a trial sandbox did not start (bwrap: No permissions to create new namespace");
    expect(help).toContain("Unprivileged user namespaces are off: allow them");
    expect(help).toContain("OMPCORD_SANDBOX=auto");
    expect(existsSync(config.databasePath)).toBe(false);
  });

  it("OMPCORD_SANDBOX=off never tries one: no bwrap is started, and the bot starts", async () => {
    const env = environment();
    // A bwrap that leaves a mark when anything starts it.
    const mark = join(cwd, "bwrap-was-started");
    writeFileSync(join(cwd, "broken-bwrap", "bwrap"), `#!/bin/sh\ntouch '${mark}'\nexit 1\n`, {
      mode: 0o755,
    });
    const emu = await startEmulator();
    try {
      const world = emu.seed();
      const discord = {
        DISCORD_BOT_TOKEN: emu.botToken,
        DISCORD_GUILD_ID: world.guildId,
        DISCORD_CHANNEL_ID: world.channelId,
        DISCORD_ALLOWED_USERS: world.users.alice.id,
        DISCORD_API_URL: emu.restUrl,
      };
      const config = loadConfig({ env: { ...DISCORD, ...discord, OMPCORD_SANDBOX: "off" }, cwd });
      const app = await startOmpcord(config, { env });
      await app.stop({ graceMs: 0 });
      expect(existsSync(mark)).toBe(false);
    } finally {
      await emu.close();
    }
  });
});
