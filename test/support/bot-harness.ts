// The whole bot under test, wired as in production: the Discord emulator (discord.js talks to it), the
// fake model (real omp talks to it, from a throwaway HOME) or the fake omp, and ompcord's app started
// in-process from a config loaded the way `npm start` loads it. Helpers act as users would.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type ChannelView,
  type Emulator,
  type InteractionView,
  type MessageView,
  type SeededWorld,
  startEmulator,
} from "@ompcord/discord-emulator";
import { pino } from "pino";
import { type OmpcordApp, type StartOptions, startOmpcord } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config/index.js";
import { DASHBOARD_STATES } from "../../src/dashboard/index.js";
import type { DashboardEditInfo } from "../../src/dashboard/live/index.js";
import type { SessionState } from "../../src/store/index.js";
import { type BotProcess, spawnBotProcess } from "./bot-process.js";
import { type FakeModel, startFakeModel } from "./fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "./omp-home.js";

export const FAKE_OMP_BIN = resolve(import.meta.dirname, "fake-omp/fake-omp.mjs");
export const LAUNCH_EMOJI = "🚀";

// Ceilings for waits on the bot. CI and developers' machines are shared: with both cores busy, omp
// alone takes over 10 s to start. A wait ends as soon as its event happens, so a generous ceiling
// costs time only when a test is failing.
/** Something the bot does without waiting for omp: an answer to a command, a thread, a notice. */
export const EVENT_WAIT_MS = 60_000;
/** Something that waits for omp runs to end (a dashboard going Idle, an answer posted). */
export const RUN_WAIT_MS = 120_000;
/**
 * The bot's time limit per run in end-to-end tests: far beyond any run they make, so that a loaded
 * machine never turns a slow run into a timed-out one.
 */
const E2E_RUN_TIMEOUT = "10m";
/**
 * Time omp gets to end on SIGTERM before SIGKILL: omp ends in about 0.1 s on an idle machine, and may
 * take seconds on a loaded one; it is spent only when omp is slow.
 */
const E2E_KILL_GRACE = "5s";

export interface BotHarnessOptions {
  /** Real omp against the fake model (default), or the fake omp for misbehaviour on demand. */
  omp?: "real" | "fake" | string;
  /** Extra configuration variables (limits, switches); a function gets the seeded world's ids. */
  env?: Record<string, string> | ((world: SeededWorld) => Record<string, string>);
  /**
   * Extra variables of the bot's own process environment (secrets are collected from it and omp's
   * child env is built from it), as a real deployment's `process.env` would hold them.
   */
  processEnv?: Record<string, string>;
  /** The configuration variables are in the bot's process environment too, as when deployed with env vars. */
  configInProcessEnv?: boolean;
  /** Usernames of more members to create before the app starts, each on the allowed list like alice. */
  moreAllowedUsers?: string[];
  /** Told of every dashboard edit Discord accepted (when it was sent, when it settled), in-process app only. */
  onDashboardEdit?: (info: DashboardEditInfo) => void;
  /**
   * The launch channel works in one project directory, `home.workDir`, shared by its sessions
   * (OMP_CHANNEL_WORKDIRS), instead of each session in its own directory under it.
   */
  channelProject?: boolean;
  /** More model ids the fake provider offers (`local/<id>`), for choosing a model per session. */
  moreModels?: readonly string[];
  /** List omp's models as the bot starts, as in production (default false: it costs a Bun start). */
  warmModelList?: boolean;
  /** Opens each run's transcript in the in-process app (a writer that fails like a full disk). */
  openTranscript?: StartOptions["openTranscript"];
}

/** Row counts of the bot's database tables: what "nothing changed" means for the store. */
export interface StoreCounts {
  sessions: number;
  prompts: number;
  runs: number;
  events: number;
}

export interface BotHarness {
  readonly emu: Emulator;
  readonly world: SeededWorld;
  readonly model: FakeModel;
  readonly home: OmpHome;
  readonly config: Config;
  readonly dataDir: string;
  /** The configuration variables the app was started with (to start it again after a crash). */
  readonly configEnv: Record<string, string>;
  app: OmpcordApp | undefined;
  /** alice is allowed; bob is a member who is not. */
  readonly alice: string;
  readonly bob: string;
  /** Ids of the `moreAllowedUsers`, by username. */
  readonly allowedUsers: Record<string, string>;
  /**
   * Starts the bot as a real process (`src/main.ts` under tsx) with this configuration, once it is ready;
   * `env` changes some variables for this process only, `user` runs it as that account.
   */
  spawnBot(options?: {
    env?: Record<string, string>;
    user?: { uid: number; gid: number };
  }): Promise<BotProcess>;
  /** Starts the app (again) with the same configuration and data directory. */
  startApp(): Promise<OmpcordApp>;
  /** alice (or `by`) posts `prompt` in the launch channel and reacts 🚀; resolves with the session's thread and dashboard. */
  launch(
    prompt: string,
    options?: { by?: string; reactor?: string },
  ): Promise<{ thread: ChannelView; dashboard: MessageView; message: MessageView }>;
  /** The thread's pinned dashboard message, in its current state. */
  dashboard(threadId: string): MessageView | undefined;
  /** Waits until the dashboard satisfies `predicate` (its state, its text); `RUN_WAIT_MS` by default. */
  waitForDashboard(
    threadId: string,
    predicate: (d: DashboardReading) => boolean,
    timeoutMs?: number,
  ): Promise<DashboardReading>;
  /** Runs `/omp <sub>` as `user` in `channelId` and waits for the visible answer. */
  command(
    user: string,
    channelId: string,
    sub: string,
    options?: Record<string, string>,
  ): Promise<InteractionView>;
  /** `user` types `typed` in the autocompleted option `focused` of `/omp <sub>`; resolves with the choices. */
  autocomplete(
    user: string,
    channelId: string,
    sub: string,
    focused: string,
    typed: string,
  ): Promise<Array<{ name: string; value: string | number }>>;
  /** Bot messages in a thread other than the dashboard, oldest first. */
  botPosts(threadId: string): MessageView[];
  /** Row counts of the running app's database. */
  storeCounts(): StoreCounts;
  /** The bot's log so far (pino JSON lines). */
  logText(): string;
  close(): Promise<void>;
}

/** The dashboard as a person reads it. */
export interface DashboardReading {
  message: MessageView;
  /**
   * The state its colour shows, except that a prompt shown Busy before its run started (Run `#2,
   * starting` or `#2, queued` while it waits for a run slot) reads as `starting`: `busy` always means a
   * run is going, with a process to cancel.
   */
  state: SessionState | "starting" | undefined;
  /** Title, description, fields and footer as one text. */
  text: string;
}

export function readDashboard(message: MessageView): DashboardReading {
  const embed = message.embeds[0];
  const look = (Object.entries(DASHBOARD_STATES) as [SessionState, { color: number }][]).find(
    ([, candidate]) => candidate.color === embed?.color,
  )?.[0];
  const run = embed?.fields?.find((f) => f.name === "Run")?.value ?? "";
  const state = look === "busy" && /^#\d+, (starting|queued)$/.test(run) ? "starting" : look;
  const text = [
    embed?.title,
    embed?.description,
    ...(embed?.fields ?? []).map((f) => `${f.name}: ${f.value}`),
    embed?.footer?.text,
  ]
    .filter(Boolean)
    .join("\n");
  return { message, state, text };
}

/** Everything the user saw of an interaction's answer: content, embeds, follow-ups. */
export function answerText(view: InteractionView): string {
  const parts = [view.original, ...view.followUps, view.message].flatMap((m) =>
    m
      ? [
          m.content,
          ...m.embeds.flatMap((e) => [
            e.title,
            e.description,
            ...(e.fields ?? []).map((f) => `${f.name} ${f.value}`),
          ]),
        ]
      : [],
  );
  return parts.filter(Boolean).join("\n");
}

export async function startBotHarness(options: BotHarnessOptions = {}): Promise<BotHarness> {
  const emu = await startEmulator();
  const world = emu.seed();
  const model = await startFakeModel();
  const home = createOmpHome(model.baseUrl, { moreModels: options.moreModels ?? [] });
  const dataDir = mkdtempSync(join(tmpdir(), "ompcord-e2e-"));
  const allowedUsers = Object.fromEntries(
    (options.moreAllowedUsers ?? []).map((username) => [username, emu.createUser({ username }).id]),
  );
  const bin =
    options.omp === undefined || options.omp === "real"
      ? OMP_BIN
      : options.omp === "fake"
        ? FAKE_OMP_BIN
        : options.omp;
  const configEnv: Record<string, string> = {
    DISCORD_BOT_TOKEN: emu.botToken,
    DISCORD_GUILD_ID: world.guildId,
    DISCORD_CHANNEL_ID: world.channelId,
    DISCORD_ALLOWED_USERS: [world.users.alice.id, ...Object.values(allowedUsers)].join(","),
    DISCORD_API_URL: emu.restUrl,
    OMP_BIN: bin,
    OMP_MODEL: FAKE_MODEL_ID,
    OMP_WORKDIR: home.workDir,
    ...(options.channelProject ? { OMP_CHANNEL_WORKDIRS: `${world.channelId}=${home.workDir}` } : {}),
    OMP_RUN_TIMEOUT: E2E_RUN_TIMEOUT,
    OMP_KILL_GRACE: E2E_KILL_GRACE,
    OMP_MAX_RETRIES: "0",
    OMPCORD_DATA_DIR: join(dataDir, "data"),
    OMPCORD_API_PORT: "0",
    LOG_LEVEL: "debug",
    // Most tests count the launch channel's messages; the home channel tests turn the reports on.
    OMPCORD_HOME_REPORTS: "off",
    // Flows that are not about approvals run tools unasked; test/e2e/flows-approvals.test.ts sets its
    // policy, and the newcomer test (its own process) keeps the README's default.
    OMPCORD_APPROVALS: "off",
    ...(typeof options.env === "function" ? options.env(world) : options.env),
  };
  const config = loadConfig({ env: configEnv, cwd: dataDir });

  const harness: BotHarness = {
    emu,
    world,
    model,
    home,
    config,
    dataDir,
    configEnv,
    app: undefined,
    alice: world.users.alice.id,
    bob: world.users.bob.id,
    allowedUsers,

    async spawnBot({ env = {}, user } = {}) {
      const bot = spawnBotProcess({
        env: { ...home.env, ...configEnv, ...env },
        cwd: dataDir,
        logFile: join(dataDir, "bot-process.log"),
        ...(user ? { user } : {}),
      });
      await bot.ready();
      return bot;
    },

    async startApp() {
      const logDestination = pino.destination({ dest: join(dataDir, "bot.log"), sync: true });
      const env = {
        ...(options.configInProcessEnv ? configEnv : {}),
        ...home.env,
        ...options.processEnv,
      };
      harness.app = await startOmpcord(config, {
        env,
        logDestination,
        ...(options.onDashboardEdit ? { onDashboardEdit: options.onDashboardEdit } : {}),
        warmModelList: options.warmModelList ?? false,
        ...(options.openTranscript ? { openTranscript: options.openTranscript } : {}),
      });
      return harness.app;
    },

    async launch(prompt, { by = world.users.alice.id, reactor = by } = {}) {
      const message = emu.as(by).postMessage(world.channelId, prompt);
      emu.as(reactor).react(world.channelId, message.id, LAUNCH_EMOJI);
      const thread = await emu.waitForThread(
        (t) => t.starterMessageId === message.id || t.id === message.id,
        { timeoutMs: EVENT_WAIT_MS },
      );
      const dashboard = await emu.waitFor(() => emu.pins(thread.id)[0], {
        timeoutMs: EVENT_WAIT_MS,
        what: "pinned dashboard",
      });
      return { thread, dashboard, message };
    },

    dashboard(threadId) {
      return emu.pins(threadId)[0];
    },

    waitForDashboard(threadId, predicate, timeoutMs = RUN_WAIT_MS) {
      return emu.waitFor(
        () => {
          const message = emu.pins(threadId)[0];
          if (!message) return undefined;
          const reading = readDashboard(message);
          return predicate(reading) ? reading : undefined;
        },
        { timeoutMs, what: `dashboard of ${threadId}` },
      );
    },

    async command(user, channelId, sub, commandOptions = {}) {
      const handle = emu
        .as(user)
        .runCommand({ channelId, name: "omp", subcommand: sub, options: commandOptions });
      await handle.waitForReply({ timeoutMs: EVENT_WAIT_MS });
      return handle.view();
    },

    async autocomplete(user, channelId, sub, focused, typed) {
      const handle = emu
        .as(user)
        .autocomplete({ channelId, name: "omp", subcommand: sub, focused, options: { [focused]: typed } });
      const view = await handle.waitForReply({ timeoutMs: EVENT_WAIT_MS });
      return view.choices ?? [];
    },

    botPosts(threadId) {
      const dashboardId = emu.pins(threadId)[0]?.id;
      return emu.messages(threadId).filter((m) => m.author.bot && m.id !== dashboardId && !m.interactionId);
    },

    storeCounts() {
      const sqlite = harness.app!.store.sqlite;
      const count = (table: string) =>
        (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return {
        sessions: count("sessions"),
        prompts: count("prompts"),
        runs: count("runs"),
        events: count("events"),
      };
    },

    logText() {
      return readFileSync(join(dataDir, "bot.log"), "utf8");
    },

    async close() {
      await harness.app?.stop({ graceMs: 0 }).catch(() => undefined);
      await emu.close();
      await model.close();
      home.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await harness.startApp();
  return harness;
}
