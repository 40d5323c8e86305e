// The local playground start mode: with no Discord settings at all (a fresh clone, or right after
// `cp .env.example .env`), or with `npm run playground`, the real bot runs against the playground's
// local Discord and the page's address is printed. The playground is a workspace package loaded here
// only, at start and only when installed: the production image leaves it out, and a start there
// without settings prints the configuration help instead.

import { isAbsolute, join, relative } from "node:path";
import { pino } from "pino";
import { type OmpcordApp, startOmpcord } from "./app.js";
import { configuredDataDir, DEFAULTS, environmentWithDotenv, loadConfig } from "./config/index.js";
import { NO_MODEL_ERROR } from "./omp/outcome.js";

/** Loaded by name with a dynamic import, never statically: the bot must build and run without it. */
export const PLAYGROUND_PACKAGE = "@ompcord/playground";
/** `npm run playground` passes it: the playground even when a Discord configuration exists. */
export const PLAYGROUND_FLAG = "--playground";
/** The playground's data lives under the data dir's own subdirectory, apart from a real Discord setup's. */
export const PLAYGROUND_DATA_SUBDIR = "playground";
/** The bot's log in playground mode: the terminal keeps the address and the instructions readable. */
export const PLAYGROUND_LOG_FILE = "ompcord.log";

/**
 * The part of `@ompcord/playground` the bot uses. The package is not a dependency of the bot's build,
 * so this is declared here and `test/unit/playground-mode.test.ts` holds the package to it.
 */
export interface PlaygroundModule {
  startPlayground(options?: PlaygroundModuleOptions): Promise<PlaygroundInstance>;
  openBrowser(url: string, env?: NodeJS.ProcessEnv): { open: boolean; reason?: string };
}

export interface PlaygroundModuleOptions {
  personName?: string;
  webRoot?: string;
  noticeRules?: { pattern: RegExp; notice: { id: string; level: "info" | "warning"; text: string } }[];
}

export interface PlaygroundInstance {
  readonly discord: {
    token: string;
    guildId: string;
    channelId: string;
    allowedUserIds: string[];
    apiUrl: string;
  };
  readonly url: string;
  readonly origin: string;
  readonly person: { id: string; name: string };
  close(): Promise<void>;
}

export interface StartModeChoice {
  mode: "discord" | "playground";
  /** Asked for by name (`npm run playground`), not chosen for lack of settings. */
  explicit: boolean;
}

/** The playground when asked for, or when none of the four Discord settings is set anywhere. */
export function chooseStartMode(
  argv: readonly string[],
  discordSettingsSet: readonly string[],
): StartModeChoice {
  if (argv.includes(PLAYGROUND_FLAG)) return { mode: "playground", explicit: true };
  return { mode: discordSettingsSet.length === 0 ? "playground" : "discord", explicit: false };
}

/** Whether `error` says the package `name` itself is not installed (not a module inside it). */
export function isPackageMissing(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes(`'${name}'`);
}

/** The playground package, or undefined when this install does not have it (the Docker image). */
export async function loadPlayground(
  specifier: string = PLAYGROUND_PACKAGE,
): Promise<PlaygroundModule | undefined> {
  try {
    return (await import(specifier)) as PlaygroundModule;
  } catch (error) {
    if (isPackageMissing(error, specifier)) return undefined;
    throw error;
  }
}

/** Whether this install has the playground, without loading it (for the configuration help's hint). */
export function playgroundInstalled(specifier: string = PLAYGROUND_PACKAGE): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

export interface PlaygroundStartOptions {
  module: PlaygroundModule;
  /** Where `.env` and `config/` are read and relative paths resolve. */
  cwd: string;
  /** The process environment (the person's: HOME, provider keys); `.env` is read beneath it. */
  env: NodeJS.ProcessEnv;
  /** `npm run playground` with a Discord configuration present: the text says how to use it instead. */
  discordConfigured: boolean;
  /** Where the start-up text goes. */
  out: NodeJS.WritableStream;
  /** Open the page in a browser on a desktop session (default true). */
  openBrowser?: boolean;
  /** For tests: the page's build, the person's name. */
  playground?: Pick<PlaygroundModuleOptions, "webRoot" | "personName">;
}

export interface PlaygroundRun {
  readonly app: OmpcordApp;
  readonly playground: PlaygroundInstance;
  /** Where the bot's log goes. */
  readonly logFile: string;
  /** Stops the bot (runs get `graceMs`), then the playground. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function startPlaygroundMode(options: PlaygroundStartOptions): Promise<PlaygroundRun> {
  const { cwd, env } = options;
  const dataDir = join(configuredDataDir({ env, cwd }), PLAYGROUND_DATA_SUBDIR);
  const playground = await options.module.startPlayground({
    ...options.playground,
    noticeRules: [
      { pattern: /omp has no model/, notice: { id: "no-model", level: "warning", text: NO_MODEL_ERROR } },
    ],
  });
  const logFile = join(dataDir, PLAYGROUND_LOG_FILE);
  let app: OmpcordApp;
  try {
    // The person's settings stay (omp, limits, workspace); what names a Discord server, and the data
    // that belongs to one (database, sidecar port), is the playground's own.
    const config = loadConfig({
      cwd,
      env: {
        ...env,
        DISCORD_BOT_TOKEN: playground.discord.token,
        DISCORD_GUILD_ID: playground.discord.guildId,
        DISCORD_CHANNEL_ID: playground.discord.channelId,
        DISCORD_ALLOWED_USERS: playground.discord.allowedUserIds.join(","),
        DISCORD_API_URL: playground.discord.apiUrl,
        OMP_LAUNCH_CHANNEL_IDS: playground.discord.channelId,
        OMPCORD_DATA_DIR: dataDir,
        OMPCORD_DATABASE_PATH: join(dataDir, DEFAULTS.databaseFile),
        OMPCORD_API_PORT: "0",
      },
    });
    const logDestination = pino.destination({ dest: logFile, mkdir: true, sync: true });
    app = await startOmpcord(config, { env: environmentWithDotenv(env, cwd), logDestination });
  } catch (error) {
    await playground.close();
    throw error;
  }
  const browser =
    options.openBrowser === false
      ? { open: false, reason: "not asked to" }
      : options.module.openBrowser(playground.url, env);
  options.out.write(
    playgroundBanner({
      url: playground.url,
      cwd,
      dataDir,
      logFile,
      browserOpened: browser.open,
      discordConfigured: options.discordConfigured,
    }),
  );
  let stopping: Promise<void> | undefined;
  return {
    app,
    playground,
    logFile,
    stop(stopOptions) {
      stopping ??= (async () => {
        options.out.write("Stopping the playground: letting runs end…\n");
        try {
          await app.stop(stopOptions);
        } finally {
          await playground.close();
        }
      })();
      return stopping;
    },
  };
}

/** A path as the person would type it from where they started ompcord. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** The start-up text: where the page is, that this is the playground, and how to connect Discord instead. */
export function playgroundBanner(facts: {
  url: string;
  cwd: string;
  dataDir: string;
  logFile: string;
  browserOpened: boolean;
  discordConfigured: boolean;
}): string {
  const lines = [
    "",
    "ompcord playground: the real bot on a local Discord, in your browser. No Discord account needed.",
    "",
    `  Open  ${facts.url}${facts.browserOpened ? "   (opening in your browser)" : ""}`,
    "        The address carries this start's key: keep it to yourself.",
    `  Data  ${shown(facts.dataDir, facts.cwd)}  (kept apart from a real Discord setup)`,
    `  Log   ${shown(facts.logFile, facts.cwd)}`,
    "  omp   runs with your own omp settings and logins. No model yet? Run `npx omp` and /login,",
    "        or put a provider key (e.g. ANTHROPIC_API_KEY) in .env.",
    "",
  ];
  if (facts.discordConfigured) {
    lines.push("Your Discord configuration is set: `npm start` runs the bot on your Discord server instead.");
  } else {
    lines.push(
      "To connect a real Discord server instead, create a Discord bot (README → Create the Discord application):",
      "  cp .env.example .env   fill in DISCORD_BOT_TOKEN, DISCORD_GUILD_ID, DISCORD_CHANNEL_ID, DISCORD_ALLOWED_USERS",
      "  npm start",
    );
  }
  lines.push("Stop with Ctrl-C.", "");
  return `${lines.join("\n")}\n`;
}
