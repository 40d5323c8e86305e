// Composition root of the running bot: store, sidecar, runner, scheduler, dashboards and the Discord
// client wired in the order the data flows; restart recovery; graceful shutdown. main.ts only adds the
// process around it (config errors, signals), so tests can start the same app in-process.

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type Client, Events, RESTEvents } from "discord.js";
import type { pino } from "pino";
import { ApprovalDesk, type RunClockPort } from "./approvals/desk.js";
import { policyForChannel } from "./approvals/policy.js";
import { type Config, ConfigError, configSecrets, DEFAULTS, preparePaths } from "./config/index.js";
import { DashboardBridge } from "./dashboard/bridge.js";
import { type DashboardEditInfo, ThreadWriteWindows } from "./dashboard/live/index.js";
import { accessPolicy } from "./discord/access/index.js";
import { createDiscordClient } from "./discord/client.js";
import { buildOmpCommand, OMP_COMMAND_NAME } from "./discord/commands/index.js";
import type { BotContext } from "./discord/context.js";
import { DiscordDashboardThreads } from "./discord/dashboard-sink.js";
import { DiscordDecisionCards } from "./discord/decision-cards.js";
import { HomeReports, STOP_REPORT_WAIT_MS } from "./discord/home-reports.js";
import { LaunchGuard } from "./discord/launch-guard.js";
import { onInteractionCreate } from "./discord/listeners/interaction-create.js";
import { onMessageCreate } from "./discord/listeners/message-create.js";
import { onReactionAdd } from "./discord/listeners/reaction-add.js";
import { onThreadDelete } from "./discord/listeners/thread-delete.js";
import { DiscordMirrorThreads } from "./discord/mirror-threads.js";
import { createDiscordReads } from "./discord/reads.js";
import { DiscordSessionThreads } from "./discord/session-threads.js";
import { createTasks } from "./discord/tasks.js";
import { DISCORD_LIMITS, escapeMentions, stripControlCharacters, truncateEnd } from "./format/index.js";
import { HealthChecks } from "./health/checks.js";
import { ompVersionWarning, testedOmpVersion } from "./health/omp-version.js";
import { workDirBeforeRun, workDirsOf } from "./health/work-dirs.js";
import { createLogger, endLogFile, type Logger } from "./log.js";
import { BotMetrics } from "./metrics.js";
import { ensureExtensionBundle } from "./omp/extension.js";
import {
  chooseSandbox,
  createOmpRunner,
  describeSandbox,
  findBun,
  neutralisePrompt,
  type RunnerOptions,
  type Sandbox,
  type SandboxStatus,
  trySandbox,
} from "./omp/index.js";
import { ModelCatalog, ompModelLister } from "./omp/model-catalog.js";
import { DiskFullLog } from "./output/disk-full.js";
import { createRedactor } from "./output/redact.js";
import { combineObservers } from "./queue/observers.js";
import { RunScheduler } from "./queue/scheduler.js";
import { secretEnvValues } from "./secrets.js";
import { LaunchChoices } from "./sessions/launch-choice.js";
import { MirrorService } from "./sessions/mirrors.js";
import { RetentionSweep } from "./sessions/retention.js";
import { SessionService } from "./sessions/service.js";
import { SpendGuard } from "./sessions/spend.js";
import { SessionSteering } from "./sessions/steering.js";
import {
  type AgentNotice,
  type DiscordReadPort,
  discordRoutes,
  mirrorRoutes,
  NamedTokens,
  removeSidecarDiscovery,
  type Sidecar,
  SidecarListenError,
  type SidecarPorts,
  startSidecar,
  type TasksPort,
  taskRoutes,
  writeSidecarDiscovery,
} from "./sidecar/index.js";
import {
  DecisionStore,
  NamedTokenStore,
  openStore,
  RetentionStore,
  removeSessionFiles,
  SpendLedger,
  type Store,
  TaskReads,
} from "./store/index.js";

/** Under the data dir: the directory a mirror's session records (never created; nothing runs there). */
const MIRRORS_DIR = "mirrors";

export interface OmpcordApp {
  readonly ctx: BotContext;
  /** The database, for tests and tools that read what the bot recorded. */
  readonly store: Store;
  readonly sidecar: Sidecar;
  /**
   * Stops taking work, lets runs end within `graceMs` (then cancels them), closes everything. `graceMs`
   * is `OMPCORD_SHUTDOWN_GRACE` unless given.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface StartOptions {
  /** The environment secrets are collected from and omp's child env is built from. */
  env?: NodeJS.ProcessEnv;
  /** Where log lines go (stdout by default); every line is redacted whatever the destination. */
  logDestination?: pino.DestinationStream;
  /** Called after each dashboard edit Discord accepted (the stdout → Discord lag benchmark). */
  onDashboardEdit?: (info: DashboardEditInfo) => void;
  /**
   * List omp's models once logged in, so the first autocomplete has them (default true); tests that do
   * not use models turn it off to spare a Bun start.
   */
  warmModelList?: boolean;
  /** Opens each run's transcript (tests hand in a writer that fails like a full disk). */
  openTranscript?: RunnerOptions["openTranscript"];
}

export function packageVersion(): string {
  const path = new URL("../package.json", import.meta.url);
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

export async function startOmpcord(config: Config, options: StartOptions = {}): Promise<OmpcordApp> {
  // Directories and files first: a problem there is a configuration error for a person to fix, not a
  // crash of the first run.
  preparePaths(config);
  const env = options.env ?? process.env;
  const secrets = [...configSecrets(config), ...secretEnvValues(env)];
  const redactor = createRedactor({ secrets });
  const logger = createLogger(config, {
    redact: (text, options) => redactor.redact(text, options),
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });

  // Every run loads it (and a run cannot start without it): built or found before anything opens.
  const extensionPath = ensureExtensionBundle({ log: (message) => logger.info(message) });
  const { sandbox, status: sandboxStatus } = await sandboxForRuns(config, env, logger);

  // Prompts are stored as typed until they have run, then redacted (store.ts); omp's own session files
  // keep the raw conversation, which resuming needs.
  const store = openStore(config.databasePath, { redact: (text) => redactor.redact(text) });
  // Before anything can start a run: what was running when the last process died is interrupted now.
  const reconciled = store.reconcileAfterRestart();

  const ports: SidecarPorts = {
    sessionExists: (id) => store.getSession(id) !== undefined,
    recordEvent: (event) => {
      store.recordEvent({
        sessionId: event.sessionId,
        eventType: event.eventType,
        content: event.content,
        timestamp: event.timestamp,
      });
    },
    enqueueSteering: (input) => store.enqueueSteering(input),
    leaseSteering: (id, runId) => store.leaseSteering(id, runId),
    ackSteering: (runId, ids) => store.ackSteering(runId, ids),
    leasedSteering: (runId) => store.leasedSteering(runId),
    releaseSteering: (runId) => store.releaseSteering(runId),
    pendingSteering: (id) => store.pendingSteering(id),
    setRunContext: (runId, usage) => store.setRunContext(runId, usage),
  };
  // People's and scripts' tokens (issue 14): the MCP server, /api/tasks, terminal mirrors.
  const tokens = new NamedTokens({
    store: new NamedTokenStore(store.sqlite),
    configured: config.api.namedTokens,
    isAllowed: (id) => config.discord.allowedUserIds.includes(id),
  });
  const metrics = new BotMetrics();
  const client = createDiscordClient(config);
  // One write window per channel, shared by every writer into it: dashboards, the outbox, listeners.
  const writes = new ThreadWriteWindows();
  const dashboards = new DashboardBridge({
    threads: new DiscordDashboardThreads(client),
    store,
    logger,
    metrics,
    redact: (text) => redactor.redact(text),
    onEdit: options.onDashboardEdit,
    writes,
    // A dashboard that cannot be edited any more: its session decides (a fresh dashboard, or the end).
    onGone: (sessionId) => void sessions.dashboardVanished(sessionId),
  });
  // The agent's notices (its `discord_notify` tool) go to its own thread through the outbox.
  const postNotice = ({ sessionId, text }: AgentNotice): void => {
    const session = store.getSession(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    const content = truncateEnd(`📣 ${text}`, DISCORD_LIMITS.messageContent);
    dashboards.outbox.enqueue({ threadId: session.threadId, sessionId }, [
      { kind: "note", message: { content, allowedMentions: { parse: [] } } },
    ]);
  };
  // Approvals and questions (SPEC §6): the desk holds a run's tool call until a person decides.
  const policyOf = (sessionId: string) => {
    const session = store.getSession(sessionId);
    return policyForChannel(config.approvals, session?.parentChannelId ?? "");
  };
  // The run's time limit pauses while a card waits for a person (the scheduler is built below).
  const runClock: RunClockPort = {
    pause: (runId, reason) => scheduler.pauseRunClock(runId, reason),
    resume: (runId) => scheduler.resumeRunClock(runId),
  };
  const desk = new ApprovalDesk({
    store: new DecisionStore(store.sqlite, { redact: (text) => redactor.redact(text) }),
    cards: new DiscordDecisionCards(client, writes),
    sessions: {
      session: (sessionId) => {
        const session = store.getSession(sessionId);
        return session ? { threadId: session.threadId, policy: policyOf(sessionId) } : undefined;
      },
      run: (runId) => {
        const run = store.getRun(runId);
        const prompt = run ? store.getPrompt(run.promptId) : undefined;
        return run && prompt ? { authorId: prompt.authorId, runNumber: run.runNumber } : undefined;
      },
    },
    redactor,
    timeoutMs: config.approvals.timeoutMs ?? DEFAULTS.approvalTimeoutMs,
    deciders: config.approvals.deciders ?? config.discord.allowedUserIds,
    pings: config.approvals.pings ?? DEFAULTS.pings,
    runClock,
    onWaiting: (sessionId, note) =>
      dashboards.registry.get(sessionId)?.apply({ type: "waiting", waiting: note !== undefined, note }),
    onError: (error, context) => logger.warn({ err: error, ...context }, "approval card not delivered"),
  });
  let sidecar: Sidecar;
  let tasks: TasksPort | undefined;
  let reads: DiscordReadPort | undefined;
  // Terminal mirrors need the sidecar's steering ledger; until they exist their routes answer 503.
  let mirrors: MirrorService | undefined;
  try {
    sidecar = await startSidecar({
      metrics,
      host: config.api.host,
      port: config.api.port,
      // A port nobody chose gives way (a second bot, a test, another program); a chosen one does not.
      fallbackToFreePort: !config.configured.includes("OMPCORD_API_PORT"),
      token: config.api.token,
      // The sidecar redacts an event's type and content before they reach the store.
      redact: (text) => redactor.redact(text),
      ports,
      namedTokens: tokens,
      // Tasks over HTTP start sessions as /omp new does; the Discord side is wired once ctx exists.
      // A person's own omp is mirrored into a thread with their named token (mirrors are built below).
      routes: [
        taskRoutes(() => tasks),
        discordRoutes(
          () => reads,
          (text) => escapeMentions(stripControlCharacters(text)),
        ),
        mirrorRoutes(() => mirrors),
      ],
      // A steer reaches omp as a prompt would: neutralised, so omp acts on none of its words.
      prepareSteering: neutralisePrompt,
      notify: {
        port: { post: postNotice },
        mentionSafe: (text) => escapeMentions(stripControlCharacters(text)),
      },
      decisions: desk,
      onError: (error, context) =>
        logger.error({ err: error, route: context.route }, "sidecar request failed"),
    });
  } catch (error) {
    await client.destroy();
    store.close();
    throw error instanceof SidecarListenError ? sidecarConfigError(error) : error;
  }
  if (sidecar.fellBackFrom !== undefined) {
    logger.warn(
      { wanted: sidecar.fellBackFrom, port: sidecar.port, url: sidecar.url },
      `sidecar API: port ${sidecar.fellBackFrom} is taken, listening on ${sidecar.port} instead (set OMPCORD_API_PORT to choose one)`,
    );
  }
  // The context use runs report through their extension shows on their dashboards ("context 63 %").
  sidecar.telemetry.onContextUsage((report) => dashboards.contextUsage(report.sessionId, report.usage));
  // A run that ends while a card waits (cancel, Stop, shutdown, omp's crash): cancelled, never approved.
  sidecar.runs.onRevoke((run) => desk.runEnded(run.runId, "the run ended before anyone decided"));
  const discoveryPath = join(config.dataDir, DEFAULTS.sidecarFile);
  writeSidecarDiscovery(discoveryPath, { url: sidecar.url, port: sidecar.port, pid: process.pid });

  const diskFull = new DiskFullLog({ log: (fields, message) => logger.error(fields, message) });
  const runner = createOmpRunner({
    bin: config.omp.bin,
    model: config.omp.model,
    extraArgs: config.omp.extraArgs,
    runTimeoutMs: config.omp.runTimeoutMs,
    killGraceMs: config.omp.killGraceMs,
    maxRetries: config.omp.maxRetries,
    usageWaitMaxMs: config.omp.usageWaitMaxMs,
    // omp's --max-time backstop leaves room for this many full waits for a person (the bot's own limit
    // pauses for every one of them; the backstop only matters when the bot cannot end the run itself).
    personWaitMaxMs:
      (config.approvals.timeoutMs ?? DEFAULTS.approvalTimeoutMs) * DEFAULTS.personWaitsInBackstop,
    envPassthrough: config.omp.envPassthrough,
    approvalPolicyFor: policyOf,
    approvalTimeoutMs: config.approvals.timeoutMs,
    apiUrl: sidecar.url,
    // Each run gets its own token, never the bot's (the agent can read its environment).
    credentials: sidecar.runs,
    extensionPath,
    secrets,
    outputKeptBytes: config.limits.outputKeptBytes,
    overlayPath: join(config.dataDir, DEFAULTS.overlayFile),
    launchDir: join(config.dataDir, DEFAULTS.launchDir),
    sandbox,
    trustedWorkDirs: config.omp.trustedWorkDirs,
    env,
    openTranscript: options.openTranscript,
    // The run fails saying so in its thread; the log says it once, not once per run.
    onDiskFull: (what, error, run) => diskFull.report(what, error, run),
  });

  // The spend caps (off unless configured): a run stopped at its cap, a day over its cap starting nothing.
  const spend = new SpendGuard({
    settings: config.spend,
    records: new SpendLedger(store.sqlite),
    notes: {
      post: (sessionId, text) => {
        const session = store.getSession(sessionId);
        if (!session) return;
        dashboards.outbox.enqueue({ threadId: session.threadId, sessionId }, [
          { kind: "note", message: { content: text, allowedMentions: { parse: [] } } },
        ]);
      },
    },
    sessionOf: (sessionId) => store.getSession(sessionId),
    cancelRun: (sessionId): Promise<boolean> => scheduler.cancelRun(sessionId),
    queueChanged: (sessionId) => dashboards.queueChanged(sessionId, store.countQueued(sessionId)),
    logger,
  });
  const scheduler = new RunScheduler({
    store,
    runner,
    observer: combineObservers([dashboards.observer, spend.observer], (hook, error) =>
      logger.error({ hook, err: error }, "run observer threw"),
    ),
    admission: spend.admission,
    maxConcurrentRuns: config.omp.maxConcurrentRuns,
    transcriptsDir: config.transcriptsDir,
    ompSessionsDir: config.ompSessionsDir,
    checkWorkDir: (dir) => workDirBeforeRun(config, dir, logger),
    logger,
  });
  mirrors = new MirrorService({
    store,
    threads: new DiscordMirrorThreads(client, config.discord.homeChannelId),
    dashboards,
    steering: () => sidecar.steering,
    redact: (text) => redactor.redact(text),
    // Recorded only: a mirror's agent runs in the person's terminal, never here.
    workDirFor: (id) => join(config.dataDir, MIRRORS_DIR, id),
    logger,
  });
  const sessions = new SessionService({
    config,
    store,
    scheduler,
    dashboards,
    threads: new DiscordSessionThreads(client, logger),
    logger,
  });
  // Steering runs through the sidecar's ledger; what a run gives back as it ends becomes a follow-up.
  const steering = new SessionSteering({
    ledger: sidecar.steering,
    records: store,
    sessions,
    tell: (sessionId, content) => {
      const session = store.getSession(sessionId);
      if (!session) return;
      dashboards.outbox.enqueue({ threadId: session.threadId, sessionId }, [
        { kind: "note", message: { content, allowedMentions: { parse: [] } } },
      ]);
    },
    logger,
  });
  // omp's models, for autocomplete and for judging a chosen model; listed as a run would see them.
  const modelCatalog = new ModelCatalog({
    list: ompModelLister({
      bin: config.omp.bin,
      env,
      envPassthrough: config.omp.envPassthrough,
      cwd: join(config.dataDir, DEFAULTS.launchDir),
      overlayPath: join(config.dataDir, DEFAULTS.overlayFile),
    }),
    onError: (error) => logger.warn({ err: error }, "could not list omp's models"),
  });
  const launchChoices = new LaunchChoices({ config, catalog: modelCatalog });
  const health = new HealthChecks({
    client,
    store,
    ompBin: config.omp.bin,
    envPassthrough: config.omp.envPassthrough,
    sidecarUrl: sidecar.url,
    workDirs: workDirsOf(config),
    sandbox: sandboxStatus,
    launchDir: join(config.dataDir, DEFAULTS.launchDir),
    env,
    testedOmpVersion: testedOmpVersion(),
    dataDir: config.dataDir,
    diskWarnBytes: DEFAULTS.diskWarnBytes,
  });
  // A session's own directories in the data dir, deleted path-checked by `/omp stop delete_files` and
  // by the retention sweep (OMPCORD_RETENTION_DAYS, off unless set).
  const removeFiles = (sessionId: string) =>
    removeSessionFiles(sessionId, {
      dataDir: config.dataDir,
      roots: [config.transcriptsDir, config.ompSessionsDir, join(config.dataDir, DEFAULTS.sandboxDir)],
    });
  const retention =
    config.retention.days === undefined
      ? undefined
      : new RetentionSweep({
          days: config.retention.days,
          records: new RetentionStore(store.sqlite),
          removeFiles,
          logger,
        });
  const ctx: BotContext = {
    config,
    client,
    sessions,
    steering,
    launchChoices,
    policy: accessPolicy(config),
    dashboards,
    outbox: dashboards.outbox,
    writes,
    health,
    launches: new LaunchGuard(),
    logger,
    startedAt: new Date(),
    version: packageVersion(),
    metrics,
    redact: (text) => redactor.redact(text),
    tokens,
    mirrors,
    spend,
    sessionFiles: { remove: removeFiles },
    decisions: desk,
    accepting: true,
  };
  const taskReads = new TaskReads(store.sqlite);
  tasks = createTasks(ctx, {
    reads: {
      getSession: (id) => store.getSession(id),
      countQueued: (id) => store.countQueued(id),
      runs: (id) => taskReads.runs(id),
      answerSince: (id, since) => taskReads.answerSince(id, since),
    },
  });
  reads = createDiscordReads(ctx, { activeSessions: () => store.listActiveSessions() });
  const metricsTimer = setInterval(() => {
    const { runs, sessionsActive } = sessions.stats();
    metrics.runsActive.set(runs.active);
    metrics.runsQueued.set(runs.queued);
    metrics.sessions.set(sessionsActive);
  }, 5_000).unref();

  // From here on this process counts as running: a next start that finds it so knows it crashed.
  const home = new HomeReports({
    client,
    writes: writes.for(config.discord.homeChannelId),
    channelId: config.discord.homeChannelId,
    enabled: config.homeReports,
    dataDir: config.dataDir,
    logger,
  });
  home.begin();

  listen(ctx);
  try {
    await login(client, config.discord.token);
    await registerCommands(ctx);
    if (options.warmModelList ?? true) void modelCatalog.refresh();
    // Terminal mirrors of the last process ended with it (their sessions' workDir names them).
    mirrors.endOrphans((dir) => dirname(dir) === join(config.dataDir, MIRRORS_DIR));
    await sessions.recover(reconciled);
    // What runs had leased and not taken when the bot stopped comes back as follow-ups, said so.
    steering.recover(reconciled.releasedSteering);
    // Cards a previous process left open: their runs are gone, so they are expired, never approved.
    desk.expireLeftOpen();
  } catch (error) {
    await dashboards.outbox.close();
    clearInterval(metricsTimer);
    await client.destroy();
    await sidecar.close();
    removeSidecarDiscovery(discoveryPath, process.pid);
    store.close();
    // A start that failed with a reason (main.ts says it) is no crash for the next start to report.
    home.markStopped();
    throw error;
  }
  // What threads were still owed when the bot last stopped goes out before new runs add to it.
  const owed = dashboards.resumeDeliveries();
  const resumed = scheduler.resumeAll();
  retention?.start(DEFAULTS.retentionSweepMs);
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
  const recovered = {
    sessions: store.listActiveSessions().filter((session) => session.dashboardMessageId).length,
    interruptedRuns: reconciled.interruptedRuns.length,
    resumedSessions: resumed.length,
    owedMessages: owed,
  };
  // omp's version takes a Bun start: the report follows when it answers, without holding up the start.
  const startReport = health.ompVersion().then(({ version }) =>
    home.started({
      version: ctx.version,
      ompVersion: version,
      ompWarning: version ? ompVersionWarning(version, testedOmpVersion()) : undefined,
      recovered,
    }),
  );

  let stopping: Promise<void> | undefined;
  return {
    ctx,
    store,
    sidecar,
    stop({ graceMs = config.omp.shutdownGraceMs } = {}) {
      stopping ??= (async () => {
        ctx.accepting = false;
        logger.info({ graceMs }, "shutting down: no new work, letting runs finish");
        clearInterval(metricsTimer);
        retention?.stop();
        const { cutSessions } = await scheduler.shutdown({ graceMs });
        dashboards.botStopping();
        const queuedPrompts = store.stats().promptsQueued;
        await dashboards.settleAll();
        await desk.idle();
        // The start report first if it is still on its way (omp answering), so the channel reads in order.
        await Promise.race([startReport, delay(STOP_REPORT_WAIT_MS)]);
        await home.stopping({
          version: ctx.version,
          uptimeMs: Date.now() - ctx.startedAt.getTime(),
          cutRuns: cutSessions.length,
          queuedPrompts,
        });
        await client.destroy();
        await sidecar.close();
        removeSidecarDiscovery(discoveryPath, process.pid);
        store.close();
        home.markStopped();
        logger.info("shut down");
        await endLogFile(logger);
      })();
      return stopping;
    },
  };
}

/** A port or host the sidecar cannot use, as the configuration error a person fixes. */
function sidecarConfigError(error: SidecarListenError): ConfigError {
  const { host, port, code } = error;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new ConfigError([
      {
        variable: "OMPCORD_API_HOST",
        expected: "an address of this machine, such as 127.0.0.1",
        received: host,
        fix: `No network interface here has the address ${host}: set OMPCORD_API_HOST=127.0.0.1 (or remove it).`,
      },
    ]);
  }
  const inUse = code === "EADDRINUSE";
  return new ConfigError([
    {
      variable: "OMPCORD_API_PORT",
      expected: inUse ? "a port no other program listens on" : "a port this user may listen on (1024 and up)",
      received: String(port),
      fix: inUse
        ? `Another program listens on ${host}:${port} (\`ss -ltnp | grep :${port}\` shows which). Stop it, set OMPCORD_API_PORT to a free port, or remove OMPCORD_API_PORT: ompcord then uses ${DEFAULTS.apiPort}, or a free port when that is taken.`
        : `${host}:${port} cannot be used (${code}): set OMPCORD_API_PORT to a free port from 1024 up, or 0 for any free port.`,
    },
  ]);
}

/**
 * Runs' sandbox, decided once at start by OMPCORD_SANDBOX and a trial sandbox: `required` without one
 * is a configuration error; `auto` without one starts and says, loudly, what runs can reach.
 */
async function sandboxForRuns(
  config: Config,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<{ sandbox: Sandbox | undefined; status: SandboxStatus }> {
  let sandbox: Sandbox | undefined;
  let trial: Parameters<typeof chooseSandbox>[1] = { ok: false, reason: "not tried", fix: "" };
  if (config.sandbox.mode !== "off") {
    const binDir = isAbsolute(config.omp.bin) ? dirname(config.omp.bin) : undefined;
    const result = await trySandbox({
      root: join(config.dataDir, DEFAULTS.sandboxDir),
      workRoot: config.omp.workDir,
      ompBin: config.omp.bin,
      bun: findBun(binDir, env.PATH),
      launchDir: join(config.dataDir, DEFAULTS.launchDir),
      env,
      user: config.sandbox.user,
      onWarning: (message, error) => logger.warn({ err: error }, message),
    });
    if (result.ok) sandbox = result.sandbox;
    trial = result.ok
      ? { ok: true, user: result.sandbox.user }
      : {
          ...result,
          userSettingWrong:
            result.variable === "OMPCORD_SANDBOX_USER" && config.configured.includes("OMPCORD_SANDBOX_USER"),
        };
  }
  const choice = chooseSandbox(config.sandbox.mode, trial);
  if ("refuse" in choice) {
    const wrongUser = !trial.ok && trial.userSettingWrong;
    throw new ConfigError([
      {
        variable: wrongUser ? "OMPCORD_SANDBOX_USER" : "OMPCORD_SANDBOX",
        expected: wrongUser
          ? "an existing unprivileged account"
          : "a bubblewrap sandbox that starts on this machine (OMPCORD_SANDBOX=required)",
        received: wrongUser ? config.sandbox.user : config.sandbox.mode,
        fix: `${choice.refuse.reason}. ${choice.refuse.fix}${wrongUser ? "" : " Or set OMPCORD_SANDBOX=auto to start without it (a loud warning says what runs can then reach)."}`,
      },
    ]);
  }
  const { ok, log } = describeSandbox(choice.status);
  if (choice.status.mode !== "off" && choice.status.active) logger.info({ sandbox: "bubblewrap" }, log);
  else logger.warn({ sandbox: "none", ok }, log);
  return { sandbox, status: choice.status };
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
  // discord.js holds a request back when a rate limit is used up (it rarely sees a 429 at all) and waits
  // it out itself; counting the held requests shows when the bot asks for more than it needs.
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
