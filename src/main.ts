// Composition root: loads the config, then opens the store and reconciles it with reality. The
// sidecar, scheduler and bot are wired here later; a configuration problem ends start-up with a
// message meant for a person, not a stack trace.

import { type Config, ConfigError, configSecrets, formatConfigHelp, loadConfig } from "./config/index.js";
import { createLogger } from "./log.js";
import { openStore } from "./store/index.js";

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

function main(): void {
  const config = loadConfigOrExplain();
  if (!config) return;
  const secrets = configSecrets(config);
  // Until src/output's redactor is wired in, at least the bot's own secrets never reach a log line.
  const redact = (text: string) =>
    secrets.reduce((out, secret) => out.replaceAll(secret, "[redacted]"), text);
  const logger = createLogger(config, { redact });

  const store = openStore(config.databasePath);
  const { interruptedRuns, affectedSessions } = store.reconcileAfterRestart();
  logger.info(
    {
      database: config.databasePath,
      interruptedRuns: interruptedRuns.length,
      affectedSessions: affectedSessions.length,
      queued: store.stats().promptsQueued,
    },
    "store open and reconciled",
  );
  store.close();
  logger.warn("the Discord bot is not wired into src/main.ts yet; exiting");
}

try {
  main();
} catch (error) {
  // An unexpected start-up failure (unwritable data dir, corrupt database): say what, not where.
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ompcord could not start: ${reason}\n`);
  process.exitCode = 1;
}
