// What every bot benchmark stands on: the Discord emulator and a throwaway data directory in the driver,
// the bot's configuration as environment variables, and small statistics helpers.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Emulator, type SeededWorld, startEmulator } from "@ompcord/discord-emulator";

export const FAKE_OMP_BIN = resolve(import.meta.dirname, "../../test/support/fake-omp/fake-omp.mjs");
export const LAUNCH_EMOJI = "🚀";

export interface BotWorld {
  emu: Emulator;
  world: SeededWorld;
  dataDir: string;
  /** The bot's config variables (pass with `extra` overrides), as the bot process reads them. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startBotWorld(options: { ompBin: string; workDir?: string }): Promise<BotWorld> {
  const emu = await startEmulator();
  const world = emu.seed();
  const dataDir = mkdtempSync(join(tmpdir(), "ompcord-bench-bot-"));
  // Not the bot's own directory: that holds the .env it reads, and the bot refuses such a workspace.
  const workDir = options.workDir ?? join(dataDir, "workspace");
  mkdirSync(workDir, { recursive: true });
  return {
    emu,
    world,
    dataDir,
    env(extra = {}) {
      return {
        DISCORD_BOT_TOKEN: emu.botToken,
        DISCORD_GUILD_ID: world.guildId,
        DISCORD_CHANNEL_ID: world.channelId,
        DISCORD_ALLOWED_USERS: world.users.alice.id,
        DISCORD_API_URL: emu.restUrl,
        OMP_BIN: options.ompBin,
        OMP_WORKDIR: workDir,
        OMP_RUN_TIMEOUT: "300s",
        OMP_KILL_GRACE: "1s",
        OMP_MAX_RETRIES: "0",
        // The fake omp lives in the checkout, which a sandboxed run cannot see (sandbox-overhead measures
        // the sandbox on its own).
        OMPCORD_SANDBOX: "off",
        OMPCORD_DATA_DIR: join(dataDir, "data"),
        OMPCORD_API_PORT: "0",
        LOG_LEVEL: "warn",
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? dataDir,
        ...extra,
      };
    },
    async close() {
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The `p`th percentile (0–100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summary(values: readonly number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const round = (v: number) => Math.round(v);
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? Math.max(...values) : Number.NaN),
  };
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Polls `ready` every `stepMs` until it is true; throws after `timeoutMs` with `what`. */
export async function pollUntil(
  ready: () => boolean,
  what: string,
  timeoutMs: number,
  stepMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}
