// Process entry: load the config and start the app (a configuration problem, found while reading the
// settings or while preparing directories and the sidecar port, ends start-up with a message meant for
// a person, not a stack trace), and shut down gracefully on SIGTERM/SIGINT.

import { type OmpcordApp, startOmpcord } from "./app.js";
import { ConfigError, environmentWithDotenv, formatConfigHelp, loadConfig } from "./config/index.js";

/** The running app, or `undefined` after telling the person which setting to fix. */
async function startOrExplain(): Promise<OmpcordApp | undefined> {
  try {
    const config = loadConfig();
    return await startOmpcord(config, { env: environmentWithDotenv(process.env, process.cwd()) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${formatConfigHelp(error)}\n`);
    process.exitCode = 1;
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
      app.ctx.logger.warn({ signal }, "second signal: exiting immediately");
      process.exit(130);
    }
    app.ctx.logger.info({ signal }, "signal received");
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.ctx.logger.error({ err: error }, "shutdown failed");
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
  process.stderr.write(`ompcord could not start: ${reason}\n${advice ? `${advice}\n` : ""}`);
  process.exit(1);
});
