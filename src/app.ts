// Composition root of the running bot: store, sidecar, runner, scheduler, dashboards and the Discord
// client wired in the order the data flows; restart recovery; graceful shutdown. main.ts only adds the
// process around it (config errors, signals), so tests can start the same app in-process.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Client, Events, RESTEvents } from "discord.js";
import type { pino } from "pino";
import { type Config, configSecrets } from "./config/index.js";
import { createDiscordClient } from "./discord/client.js";
import { buildOmpCommand, OMP_COMMAND_NAME } from "./discord/commands/definition.js";
import type { BotContext } from "./discord/context.js";
import { HealthChecks } from "./discord/health.js";
import { onInteractionCreate } from "./discord/listeners/interaction-create.js";
import { onMessageCreate } from "./discord/listeners/message-create.js";
import { onReactionAdd } from "./discord/listeners/reaction-add.js";
import { endSessionOfVanishedThread, onThreadDelete } from "./discord/listeners/thread-delete.js";
import { type DashboardEditInfo, ThreadWriteWindows } from "./discord/live/index.js";
import { recoverAfterRestart } from "./discord/recover.js";
import { SessionDashboards } from "./discord/session-dashboards.js";
import { createLogger } from "./log.js";
import { createOmpRunner } from "./omp/index.js";
import { createRedactor } from "./output/redact.js";
import { RunScheduler } from "./queue/scheduler.js";
import { secretEnvValues } from "./secrets.js";
import { SessionService } from "./sessions/service.js";
import { type Sidecar, startSidecar } from "./sidecar/index.js";
import { openStore } from "./store/index.js";

export interface OmpcordApp {
  readonly ctx: BotContext;
  readonly sidecar: Sidecar;
  /** Stops taking work, lets runs end within `graceMs` (then cancels them), closes everything. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface StartOptions {
  /** The environment secrets are collected from and omp's child env is built from. */
  env?: NodeJS.ProcessEnv;
  /** Where log lines go (stdout by default); every line is redacted whatever the destination. */
  logDestination?: pino.DestinationStream;
  /** Called after each dashboard edit Discord accepted (the stdout → Discord lag benchmark). */
  onDashboardEdit?: (info: DashboardEditInfo) => void;
}

/** How long shutdown lets running prompts finish before cancelling them. */
export const SHUTDOWN_GRACE_MS = 10_000;

export function packageVersion(): string {
  const path = new URL("../package.json", import.meta.url);
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

export async function startOmpcord(config: Config, options: StartOptions = {}): Promise<OmpcordApp> {
  const env = options.env ?? process.env;
  const secrets = [...configSecrets(config), ...secretEnvValues(env)];
  const redactor = createRedactor({ secrets });
  const logger = createLogger(config, {
    redact: (text) => redactor.redact(text),
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });

  const store = openStore(config.databasePath);
  // Before anything can start a run: what was running when the last process died is interrupted now.
  const reconciled = store.reconcileAfterRestart();

  const sidecar = await startSidecar({
    host: config.api.host,
    port: config.api.port,
    token: config.api.token,
    ports: {
      sessionExists: (id) => store.getSession(id) !== undefined,
      recordEvent: (event) => {
        store.recordEvent({
          sessionId: event.sessionId,
          eventType: event.eventType,
          content: redactor.redact(event.content),
          timestamp: event.timestamp,
        });
      },
      takeSteering: (id) =>
        store.takeSteering(id).map((row) => ({ id: row.id, content: row.text, createdAt: row.createdAt })),
    },
    onError: (error, context) => logger.error({ err: error, route: context.route }, "sidecar request failed"),
  });

  const runner = createOmpRunner({
    bin: config.omp.bin,
    model: config.omp.model,
    extraArgs: config.omp.extraArgs,
    runTimeoutMs: config.omp.runTimeoutMs,
    killGraceMs: config.omp.killGraceMs,
    maxRetries: config.omp.maxRetries,
    envPassthrough: config.omp.envPassthrough,
    apiUrl: sidecar.url,
    apiToken: config.api.token,
    secrets,
    outputKeptBytes: config.limits.outputKeptBytes,
    overlayPath: join(config.dataDir, "omp-overlay.yml"),
    env,
  });

  const client = createDiscordClient(config);
  // One write window per channel, shared by every writer into it: dashboards, the outbox, listeners.
  const writes = new ThreadWriteWindows();
  const dashboards = new SessionDashboards({
    client,
    store,
    logger,
    metrics: sidecar.metrics,
    redact: (text) => redactor.redact(text),
    onEdit: options.onDashboardEdit,
    writes,
  });
  const scheduler = new RunScheduler({
    store,
    runner,
    observer: dashboards.observer,
    maxConcurrentRuns: config.omp.maxConcurrentRuns,
    transcriptsDir: config.transcriptsDir,
    ompSessionsDir: config.ompSessionsDir,
    logger,
  });
  const sessions = new SessionService({ config, store, scheduler, events: dashboards });
  const health = new HealthChecks({
    client,
    store,
    ompBin: config.omp.bin,
    envPassthrough: config.omp.envPassthrough,
    sidecarUrl: sidecar.url,
    env,
  });
  const ctx: BotContext = {
    config,
    client,
    store,
    scheduler,
    sessions,
    dashboards,
    outbox: dashboards.outbox,
    writes,
    health,
    logger,
    startedAt: new Date(),
    version: packageVersion(),
    metrics: sidecar.metrics,
    redact: (text) => redactor.redact(text),
    accepting: true,
  };
  // A dashboard that cannot be edited any more: a deleted thread ends its session, a deleted message
  // (the thread still there) gets a fresh dashboard and the session goes on.
  dashboards.onGone = (sessionId) => {
    const session = store.getSession(sessionId);
    if (!session || session.stoppedAt !== null) return;
    dashboards
      .repost(session)
      .then((reposted) => (reposted ? undefined : endSessionOfVanishedThread(ctx, session.threadId)))
      .catch((error: unknown) =>
        logger.warn({ err: error, sessionId, threadId: session.threadId }, "could not replace the dashboard"),
      );
  };
  const metricsTimer = setInterval(() => {
    const stats = scheduler.stats();
    sidecar.metrics.runsActive.set(stats.active);
    sidecar.metrics.runsQueued.set(stats.queued);
    sidecar.metrics.sessions.set(store.stats().sessionsActive);
  }, 5_000).unref();

  listen(ctx);
  try {
    await login(client, config.discord.token);
    await registerCommands(ctx);
    await recoverAfterRestart(ctx, reconciled);
  } catch (error) {
    await dashboards.outbox.close();
    clearInterval(metricsTimer);
    await client.destroy();
    await sidecar.close();
    store.close();
    throw error;
  }
  // What threads were still owed when the bot last stopped goes out before new runs add to it.
  const owed = dashboards.resumeDeliveries();
  const resumed = scheduler.resumeAll();
  logger.info(
    {
      guild: config.discord.guildId,
      launchChannels: config.discord.launchChannelIds,
      allowedUsers: config.discord.allowedUserIds.length,
      sidecar: sidecar.url,
      resumedSessions: resumed.length,
      owedMessages: owed,
      maxConcurrentRuns: config.omp.maxConcurrentRuns,
    },
    `ompcord ready as ${client.user?.tag ?? "?"}; react ${config.discord.launchEmoji} or use /omp new`,
  );

  let stopping: Promise<void> | undefined;
  return {
    ctx,
    sidecar,
    stop({ graceMs = SHUTDOWN_GRACE_MS } = {}) {
      stopping ??= (async () => {
        ctx.accepting = false;
        logger.info({ graceMs }, "shutting down: no new work, letting runs finish");
        clearInterval(metricsTimer);
        await scheduler.shutdown({ graceMs });
        await dashboards.settleAll();
        await client.destroy();
        await sidecar.close();
        store.close();
        logger.info("shut down");
      })();
      return stopping;
    },
  };
}

function listen(ctx: BotContext): void {
  const { client, logger } = ctx;
  const guard =
    <A extends unknown[]>(name: string, handler: (ctx: BotContext, ...args: A) => Promise<void>) =>
    (...args: A) => {
      handler(ctx, ...args).catch((error: unknown) =>
        logger.error({ err: error, event: name }, "listener failed"),
      );
    };
  client.on(Events.InteractionCreate, guard("interactionCreate", onInteractionCreate));
  client.on(Events.MessageReactionAdd, guard("messageReactionAdd", onReactionAdd));
  client.on(Events.MessageCreate, guard("messageCreate", onMessageCreate));
  client.on(Events.ThreadDelete, guard("threadDelete", onThreadDelete));
  client.on(Events.Error, (error) => logger.error({ err: error }, "discord client error"));
  // discord.js waits out every 429 itself; counting them shows when the bot asks for more than it needs.
  client.rest.on(RESTEvents.RateLimited, (info) => {
    ctx.metrics.rateLimitHits.inc();
    logger.debug({ route: info.route, retryAfter: info.retryAfter, global: info.global }, "rate limited");
  });
  client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, "gateway disconnected"));
  client.on(Events.ShardResume, () => logger.info("gateway resumed"));
}

async function login(client: Client, token: string): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(token);
  await ready;
}

/** Guild commands update at once (global ones take up to an hour); a bulk overwrite is idempotent. */
async function registerCommands(ctx: BotContext): Promise<void> {
  const { client, config, logger } = ctx;
  const body = [buildOmpCommand({ promptMaxChars: config.limits.promptMaxChars })];
  await client.application!.commands.set(body, config.discord.guildId);
  logger.info({ guild: config.discord.guildId, command: OMP_COMMAND_NAME }, "slash commands registered");
}
