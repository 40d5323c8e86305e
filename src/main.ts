// Process entry: load the config (a problem ends start-up with a message meant for a person, not a
// stack trace), start the app, and shut down gracefully on SIGTERM/SIGINT.

import { startOmpcord } from "./app.js";
import {
  type Config,
  ConfigError,
  environmentWithDotenv,
  formatConfigHelp,
  loadConfig,
} from "./config/index.js";

/** The config, or `undefined` after telling the person what to fix. */
function loadConfigOrExplain(): Config | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${formatConfigHelp(error)}\n`);
    process.exitCode = 1;
    return undefined;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExplain();
  if (!config) return;
  const app = await startOmpcord(config, { env: environmentWithDotenv(process.env, process.cwd()) });
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

main().catch((error: unknown) => {
  // An unexpected start-up failure (unwritable data dir, corrupt database, Discord refusing the token):
  // say what, not where.
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ompcord could not start: ${reason}\n`);
  process.exit(1);
});
