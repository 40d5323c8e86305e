// Process entry: load the config and start the app (a configuration problem, found while reading the
// settings or while preparing directories and the sidecar port, ends start-up with a message meant for
// a person, not a stack trace), or the local playground when no Discord setting is set at all (or with
// --playground), and shut down gracefully on SIGTERM/SIGINT.

import { type OmpcordApp, startOmpcord } from "./app.js";
import {
  ConfigError,
  discordSettingsSet,
  EXIT_CONFIG,
  environmentWithDotenv,
  formatConfigHelp,
  loadConfig,
  PLAYGROUND_HINT,
} from "./config/index.js";
import { chooseStartMode, loadPlayground, playgroundInstalled, startPlaygroundMode } from "./playground.js";

/** What main needs of a started bot: its logger for the signal lines, and a graceful stop. */
interface Running {
  logger: OmpcordApp["ctx"]["logger"];
  stop(): Promise<void>;
}

/** The running bot (on Discord or in the playground), or `undefined` after telling the person what to fix. */
async function startOrExplain(): Promise<Running | undefined> {
  const cwd = process.cwd();
  const choice = chooseStartMode(process.argv.slice(2), discordSettingsSet({ cwd }));
  try {
    if (choice.mode === "playground") {
      const module = await loadPlayground();
      if (module) {
        const run = await startPlaygroundMode({
          module,
          cwd,
          env: process.env,
          discordConfigured: choice.explicit && discordSettingsSet({ cwd }).length > 0,
          out: process.stdout,
        });
        return { logger: run.app.ctx.logger, stop: () => run.stop() };
      }
      if (choice.explicit) {
        process.stderr.write(
          "The local playground is not part of this install (the Docker image and `npm install --workspaces=false` leave it out).\nTry it from a clone of the repository: npm install && npm run playground\n",
        );
        process.exitCode = 1;
        return undefined;
      }
      // Without the playground, a start without settings is what it always was: the help below.
    }
    const config = loadConfig();
    const app = await startOmpcord(config, { env: environmentWithDotenv(process.env, cwd) });
    return { logger: app.ctx.logger, stop: () => app.stop() };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Pointing at the playground helps only a person who is not in it already.
    const hint = choice.mode === "discord" && playgroundInstalled();
    process.stderr.write(`${formatConfigHelp(error, { playground: hint })}\n`);
    process.exitCode = EXIT_CONFIG;
    return undefined;
  }
}

async function main(): Promise<void> {
  const app = await startOrExplain();
  if (!app) return;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      // A second Ctrl-C means "now": runs are killed by the OS with us; the next start reconciles.
      app.logger.warn({ signal }, "second signal: exiting immediately");
      process.exit(130);
    }
    app.logger.info({ signal }, "signal received");
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

/** What a person should do about a start-up failure Discord caused; undefined for anything else. */
export function startupAdvice(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (code === "TokenInvalid" || (error as { status?: unknown }).status === 401) {
    return "Discord refused the bot token. Reset it in the developer portal (your app → Bot → Reset Token) and put the new one in DISCORD_BOT_TOKEN.";
  }
  // discord.js names the code; @discordjs/ws (close code 4014) only says it in the message.
  if (code === "DisallowedIntents" || /disallowed intents/i.test((error as Error).message ?? "")) {
    return "Discord refused the Message Content intent. Turn on Message Content Intent in the developer portal (your app → Bot → Privileged Gateway Intents).";
  }
  return undefined;
}

main().catch((error: unknown) => {
  // An unexpected start-up failure (unwritable data dir, corrupt database, Discord refusing the token):
  // say what and what to do, not where.
  const reason = error instanceof Error ? error.message : String(error);
  const advice = startupAdvice(error);
  // Discord refused the settings (only Discord does): like a partial configuration, also show the way in
  // without Discord.
  const hint = advice && playgroundInstalled() ? `\n${PLAYGROUND_HINT}\n` : "";
  process.stderr.write(`ompcord could not start: ${reason}\n${advice ? `${advice}\n` : ""}${hint}`);
  process.exit(advice ? EXIT_CONFIG : 1);
});
