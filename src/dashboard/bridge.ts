// The bridge from runs to dashboards: the scheduler's RunObserver and the session lifecycle's calls become
// LiveDashboard updates. Each dashboard's sink is its thread's pinned message and what the bot owes a
// thread goes through the durable outbox; Discord is reached only through the DashboardThreads port.

import { readFileSync, statSync } from "node:fs";
import type { Logger } from "../log.js";
import type { BotMetrics } from "../metrics.js";
import type { OmpEvent } from "../omp/index.js";
import { type RunObserver, type SlotWait, sessionStateAfter } from "../queue/scheduler.js";
import type { SessionRow, Store } from "../store/index.js";
import {
  type DashboardDelivery,
  type DashboardEditInfo,
  DashboardRegistry,
  type DashboardSink,
  type LiveDashboard,
  OUTBOX_STATUS_WINDOW_MS,
  type OutboxTarget,
  runEndEntries,
  ThreadOutbox,
  type ThreadPoster,
  ThreadWriteWindows,
  TypingIndicators,
  writeInWindow,
} from "./live/index.js";
import { reduceDashboard } from "./model.js";
import { StoreOutbox } from "./outbox-store.js";
import { type DashboardPayload, renderDashboard } from "./render.js";
import { type DashboardView, initialDashboardView, isRunning } from "./view.js";

/** The reason a closing note gives for a run the bot's stop cut. */
const SHUTDOWN_CUT_NOTE = "the bot stopped before it finished; send the prompt again once it is back";

/**
 * What the dashboards need of the bot's threads, implemented with discord.js in
 * src/discord/dashboard-sink.ts: posts for the outbox, a fresh dashboard message, its pin, and a sink to
 * edit it. A thread or message that no longer exists is a `DashboardGoneError`.
 */
export interface DashboardThreads extends ThreadPoster {
  /** Posts a new dashboard message in the thread; resolves with its id. */
  postDashboard(threadId: string, payload: DashboardPayload): Promise<string>;
  pin(threadId: string, messageId: string): Promise<void>;
  /** The sink that edits one dashboard message. */
  sink(threadId: string, messageId: string): DashboardSink;
  /** Shows the typing indicator in the thread while a run goes; without it, no typing is shown. */
  typing?(threadId: string): Promise<void>;
}

/** How much of the last transcript a restart reads back to refill the dashboard's tail. */
const RESTORE_TAIL_BYTES = 16 * 1024;

export interface DashboardBridgeOptions {
  threads: DashboardThreads;
  store: Store;
  logger: Logger;
  metrics?: BotMetrics | undefined;
  /** Masks secrets in prompt text before a dashboard shows it (output lines arrive redacted already). */
  redact?: ((text: string) => string) | undefined;
  /** Benchmarks measure stdout → edit lag here. */
  onEdit?: ((info: DashboardEditInfo) => void) | undefined;
  /** The per-thread write windows every writer into a thread shares (default: the dashboards' own). */
  writes?: ThreadWriteWindows | undefined;
  /**
   * A dashboard can no longer be edited: its message or its thread is gone. Called once per dashboard;
   * the session lifecycle decides whether to post a new one or end the session.
   */
  onGone?: ((sessionId: string) => void) | undefined;
}

/** Implements the SessionDashboards port of src/sessions/ports.ts. */
export class DashboardBridge {
  readonly registry: DashboardRegistry;
  /** Everything the bot owes a thread: answers, closing notes, replies. */
  readonly outbox: ThreadOutbox;
  readonly writes: ThreadWriteWindows;
  /** The typing indicator of each session whose run goes, booked in the thread's write window. */
  readonly typing: TypingIndicators | undefined;
  readonly #threads: DashboardThreads;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #redact: (text: string) => string;
  constructor(options: DashboardBridgeOptions) {
    this.#threads = options.threads;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#redact = options.redact ?? ((text) => text);
    const metrics = options.metrics;
    this.registry = new DashboardRegistry({
      logger: options.logger,
      onGone: options.onGone,
      onEdit: (info) => {
        metrics?.dashboardEdits.inc();
        options.onEdit?.(info);
      },
    });
    this.writes = options.writes ?? new ThreadWriteWindows();
    const threads = options.threads;
    this.typing = threads.typing
      ? new TypingIndicators({
          send: (threadId) => threads.typing!(threadId),
          windows: this.writes,
          logger: options.logger,
        })
      : undefined;
    this.outbox = new ThreadOutbox({
      store: new StoreOutbox(options.store),
      poster: options.threads,
      windows: this.writes,
      reserveSlot: () => this.registry.reserveSlot(),
      logger: options.logger,
      onWaiting: (target, waiting) => {
        if (target.sessionId) this.registry.get(target.sessionId)?.deliveryChanged(waiting);
      },
    });
  }

  /** After a restart: delivers what the threads are still owed. Returns how many messages. */
  resumeDeliveries(): number {
    return this.outbox.resume();
  }

  /** Starts keeping a dashboard up to date; `justPosted` when its message was sent a moment ago. */
  attach(
    session: SessionRow,
    messageId: string,
    view: DashboardView,
    options: { justPosted?: boolean } = {},
  ): LiveDashboard {
    return this.registry.open(view, this.#threads.sink(session.threadId, messageId), {
      ...options,
      writes: this.writes.for(session.threadId),
      delivery: this.#deliveryFor(session),
    });
  }

  /** The thread is gone: its dashboard stops, and what it was owed is given up. */
  detach(sessionId: string): void {
    this.typing?.stop(sessionId);
    void this.registry.close(sessionId);
    const session = this.#store.getSession(sessionId);
    if (session) this.outbox.abandon(session.threadId, "the thread no longer exists");
  }

  /**
   * Paints the newest state now and stops (a stopped session: nothing changes after this). Messages the
   * thread is still owed are given up: the thread is being archived, and a post would reopen it.
   */
  async settle(sessionId: string): Promise<void> {
    const dashboard = this.registry.get(sessionId);
    if (dashboard) {
      await dashboard.flushNow();
      await this.registry.close(sessionId);
    }
    const session = this.#store.getSession(sessionId);
    if (session) {
      const dropped = this.outbox.abandon(
        session.threadId,
        "the session was stopped before the message could be delivered",
      );
      if (dropped > 0) {
        this.#logger.warn(
          { sessionId, threadId: session.threadId, dropped },
          "session stopped with messages still owed to its thread; see /omp status",
        );
      }
    }
  }

  /**
   * What the threads are owed, for `/omp status`: messages not delivered yet, and those given up within
   * `OUTBOX_STATUS_WINDOW_MS` (the newest few, and how many in all).
   */
  deliveryStatus(now: Date = new Date()) {
    const given = this.#store.undeliverableOutbox(new Date(now.getTime() - OUTBOX_STATUS_WINDOW_MS));
    return {
      pending: this.#store.countPendingOutbox(),
      undeliverable: {
        total: given.total,
        windowMs: OUTBOX_STATUS_WINDOW_MS,
        recent: given.rows.map((row) => ({
          threadId: row.threadId,
          kind: row.kind,
          reason: row.lastError ?? "no reason recorded",
          at: row.settledAt ?? row.createdAt,
        })),
      },
    };
  }

  /** Shutdown: final paints, then the outbox stops; what is still owed is delivered after the restart. */
  async settleAll(): Promise<void> {
    this.typing?.stopAll();
    await this.registry.closeAll();
    await this.outbox.close();
  }

  /**
   * Posts and pins a new session's dashboard, its first paint already true: the first prompt shows as
   * about to run (or waiting for a global run slot), since it is queued right after; "ready for
   * prompts" would be false. Then keeps it up to date.
   */
  async open(
    session: SessionRow,
    first: { prompt: string; authorId: string; waitingForSlot: SlotWait | undefined },
  ): Promise<void> {
    const view = reduceDashboard(
      sessionLabels(initialDashboardView({ sessionId: session.id, sessionName: session.name }), session),
      {
        type: "pending",
        prompt: this.#redact(first.prompt),
        authorId: first.authorId,
        waitingForSlot: first.waitingForSlot,
      },
    );
    await this.#post(session, view);
  }

  /** Posts and pins a dashboard with nothing run yet (a terminal mirror: its prompts come later). */
  async openIdle(session: SessionRow): Promise<LiveDashboard | undefined> {
    await this.#post(session, initialDashboardView({ sessionId: session.id, sessionName: session.name }));
    return this.registry.get(session.id);
  }

  /**
   * Someone deleted the dashboard message but the thread is still there: post and pin a fresh one,
   * rebuilt from the store, so the session goes on in view.
   */
  async repost(session: SessionRow, waitingForSlot: SlotWait | undefined): Promise<void> {
    const messageId = await this.#post(session, this.#viewFromStore(session, waitingForSlot));
    this.#logger.info({ sessionId: session.id, messageId }, "dashboard was deleted; posted a new one");
  }

  /** Posts `view` as the session's dashboard message, pins it, and keeps it up to date. */
  async #post(session: SessionRow, view: DashboardView): Promise<string> {
    // Both are writes into the thread like any other: booked in its window, so the edits, answers and
    // typing that follow at once cannot make a sixth in Discord's 5 s (seen under load with typing on).
    const writes = this.writes.for(session.threadId);
    const messageId = await writeInWindow(writes, () =>
      this.#threads.postDashboard(session.threadId, renderDashboard(view, new Date())),
    );
    this.#store.setDashboardMessage(session.id, messageId);
    try {
      await writeInWindow(writes, () => this.#threads.pin(session.threadId, messageId));
    } catch (error) {
      // A missing Pin Messages permission should not stop the session: the dashboard is still there.
      this.#logger.warn(
        { err: error, sessionId: session.id, threadId: session.threadId },
        "could not pin the dashboard; grant the bot Pin Messages",
      );
    }
    this.attach(session, messageId, view, { justPosted: true });
    return messageId;
  }

  /**
   * After a restart: rebuild a session's view from the store and its last transcript; a run cut by the
   * restart repaints as Degraded with a note (SPEC §7). Queued prompts resume right after, and the
   * scheduler's events say which start and which wait for a run slot.
   */
  async restore(session: SessionRow, options: { interrupted: boolean }): Promise<void> {
    if (!session.dashboardMessageId) return;
    const dashboard = this.attach(session, session.dashboardMessageId, this.#storedView(session));
    if (options.interrupted) dashboard.apply({ type: "interrupted" });
    await dashboard.flushNow();
  }

  // ── session events ──────────────────────────────────────────────────────────────────────────────

  queueChanged(sessionId: string, depth: number): void {
    this.registry.get(sessionId)?.apply({ type: "queue", depth });
  }

  /** The session's model changed: the dashboard's Model field shows it. */
  modelChanged(sessionId: string, model: string | undefined): void {
    this.registry.get(sessionId)?.apply({ type: "model", model });
  }

  /**
   * The bot is stopping and its runs have ended: a dashboard still showing a prompt about to run says ⏸
   * bot stopped (those whose run the stop cut already do). The next start repaints them all.
   */
  botStopping(): void {
    for (const dashboard of this.registry.all()) {
      if (isRunning(dashboard.view)) dashboard.apply({ type: "bot_stopped", cut: false });
    }
  }

  stopped(sessionId: string, by: string | undefined): void {
    this.typing?.stop(sessionId);
    this.registry.get(sessionId)?.apply({ type: "stopped", by });
  }

  /** The context window a session's running agent uses, as its extension reported it (sidecar telemetry). */
  contextUsage(sessionId: string, usage: { tokens: number; contextWindow: number }): void {
    this.registry
      .get(sessionId)
      ?.apply({ type: "context", tokens: usage.tokens, contextWindow: usage.contextWindow });
  }

  /** omp's retries, compactions and fallbacks as the dashboard's "Now" and "Model" (SPEC §1). */
  #activityFrom(dashboard: LiveDashboard, event: OmpEvent): void {
    switch (event.type) {
      case "auto_retry_start":
        dashboard.apply({
          type: "activity",
          activity: {
            kind: "retrying",
            delayMs: event.delayMs,
            reason: this.#redact(event.errorMessage),
            attempt: event.attempt,
            maxAttempts: event.maxAttempts,
          },
        });
        return;
      case "auto_compaction_start":
        dashboard.apply({ type: "activity", activity: { kind: "compacting" } });
        return;
      case "retry_fallback_applied":
        dashboard.apply({ type: "fell_back", model: this.#redact(event.to) });
        return;
      case "auto_retry_end":
      case "auto_compaction_end":
      case "agent_start":
      case "turn_start":
      case "message_start":
      case "text_delta":
        // The agent went on. Only a shown activity costs an edit to clear.
        if (dashboard.view.activity) dashboard.apply({ type: "activity", activity: undefined });
        return;
      default:
        return;
    }
  }

  // ── RunObserver ────────────────────────────────────────────────────────────────────────────────

  readonly observer: RunObserver = {
    onWaitingForSlot: (sessionId, { prompt, inUse, max, usageWaits }) => {
      const dashboard = this.registry.get(sessionId);
      if (!dashboard) return;
      const shown = dashboard.view.pending?.waitingForSlot;
      // Already painted so (a launch's first paint): an identical edit would only spend the rate limit.
      if (shown && shown.inUse === inUse && shown.max === max && shown.usageWaits === usageWaits) return;
      dashboard.apply({
        type: "pending",
        prompt: this.#redact(prompt.text),
        authorId: prompt.authorId,
        waitingForSlot: usageWaits ? { inUse, max, usageWaits } : { inUse, max },
      });
    },
    onStart: ({ sessionId, runNumber, prompt }) => {
      const threadId = this.typing && this.#store.getSession(sessionId)?.threadId;
      if (threadId) this.typing?.start(sessionId, threadId);
      const dashboard = this.registry.get(sessionId);
      dashboard?.apply({
        type: "run_started",
        prompt: this.#redact(prompt.text),
        authorId: prompt.authorId,
        runNumber,
        at: prompt.startedAt ?? new Date(),
      });
      dashboard?.apply({ type: "queue", depth: this.#store.countQueued(sessionId) });
    },
    onLine: (sessionId, line) => this.registry.get(sessionId)?.line(line),
    onEvent: (sessionId, event) => {
      const dashboard = this.registry.get(sessionId);
      if (!dashboard) return;
      if (event.type === "tool_execution_start") dashboard.apply({ type: "tool", name: event.toolName });
      this.#activityFrom(dashboard, event);
      if (event.type === "message_end" && event.message.usage) {
        dashboard.apply({
          type: "usage",
          tokens: event.message.usage.totalTokens,
          cost: event.message.usage.cost,
        });
      }
    },
    onUsageWait: (sessionId, wait) => {
      this.registry.get(sessionId)?.apply({ type: "usage_wait", resumesAt: wait?.resumesAt });
    },
    onEnd: ({ sessionId, runNumber, result, cutByShutdown }) => {
      this.typing?.stop(sessionId);
      const dashboard = this.registry.get(sessionId);
      // The bot's stop cut it: the closing note says so, and the dashboard shows ⏸ (SPEC §7).
      if (cutByShutdown) result = { ...result, error: SHUTDOWN_CUT_NOTE };
      if (!dashboard) {
        this.#sendRunEndWithoutDashboard(sessionId, runNumber, result);
        return;
      }
      dashboard.apply({ type: "queue", depth: this.#store.countQueued(sessionId) });
      if (sessionStateAfter(result) === "failed") {
        dashboard.apply({ type: "failed", reason: result.error ?? "omp could not start" });
      }
      const ended = dashboard.runEnded(result, { runNumber });
      if (cutByShutdown) dashboard.apply({ type: "bot_stopped", cut: true });
      void ended.then(() => {
        // A stop that raced the run's end keeps the last word on the dashboard.
        const session = this.#store.getSession(sessionId);
        if (session?.stoppedAt) dashboard.apply({ type: "stopped" });
      });
    },
  };

  #deliveryFor(session: SessionRow): DashboardDelivery {
    const target: OutboxTarget = { threadId: session.threadId, sessionId: session.id };
    return {
      send: (entries, options) => this.outbox.enqueue(target, entries, options).progress,
      waiting: () => this.outbox.waiting(session.threadId),
    };
  }

  /**
   * A run ended while its session had no open dashboard (its message was deleted and a new one is on its
   * way): the answer is still owed. Without a dashboard nobody knows what was shown, so the transcript
   * goes along. A stopped session gets nothing, as with a dashboard.
   */
  #sendRunEndWithoutDashboard(sessionId: string, runNumber: number, result: RunEndResult): void {
    const session = this.#store.getSession(sessionId);
    if (!session || session.stoppedAt !== null) return;
    const bytes = transcriptBytes(result.transcriptPath);
    const entries = runEndEntries({
      runNumber,
      outcome: result.outcome,
      error: result.error,
      finalText: result.finalText ?? "",
      outputFitted: false,
      transcript: bytes === undefined ? undefined : { path: result.transcriptPath, bytes },
      transcriptPath: result.transcriptPath || undefined,
    });
    this.outbox.enqueue({ threadId: session.threadId, sessionId }, entries);
  }

  /**
   * A session's dashboard rebuilt from the store, for a dashboard posted anew. A session with nothing
   * running and a queued prompt shows that prompt as next to run (with `waitingForSlot` when it waits for
   * a global slot): it is about to start, so "ready for prompts" would not be true.
   */
  #viewFromStore(session: SessionRow, waitingForSlot: SlotWait | undefined): DashboardView {
    const view = this.#storedView(session);
    if (view.stopped || this.#store.latestRun(session.id)?.endedAt === null) return view;
    const next = this.#store.nextQueuedPrompt(session.id);
    if (!next) return view;
    return reduceDashboard(view, {
      type: "pending",
      prompt: this.#redact(next.text),
      authorId: next.authorId,
      waitingForSlot,
    });
  }

  #storedView(session: SessionRow): DashboardView {
    const base = sessionLabels(
      initialDashboardView({ sessionId: session.id, sessionName: session.name }),
      session,
    );
    const latest = this.#store.latestRun(session.id);
    const prompt = latest ? this.#store.getPrompt(latest.promptId) : undefined;
    return {
      ...base,
      state: session.state,
      prompt: prompt && { text: this.#redact(prompt.text), authorId: prompt.authorId },
      tail: latest?.transcriptPath ? readTail(latest.transcriptPath) : [],
      runStartedAt: latest?.startedAt ?? undefined,
      runEndedAt: latest?.endedAt ?? undefined,
      queueDepth: this.#store.countQueued(session.id),
      runNumber: latest?.runNumber ?? 0,
      tokens: latest?.tokens ?? undefined,
      cost: latest?.cost ?? undefined,
      stopped: session.stoppedAt !== null,
    };
  }
}

/** The last lines of a transcript file, or none when it is missing (a run that never wrote). */
function readTail(path: string): string[] {
  try {
    const size = statSync(path).size;
    const start = Math.max(0, size - RESTORE_TAIL_BYTES);
    const text = readFileSync(path).subarray(start).toString("utf8");
    const lines = text.split("\n").filter((line) => line.length > 0);
    return start > 0 ? lines.slice(1) : lines; // the first line may be cut
  } catch {
    return [];
  }
}

/** The session's chosen model and project, shown on its dashboard when set. */
function sessionLabels(view: DashboardView, session: SessionRow): DashboardView {
  return { ...view, model: session.model ?? undefined, project: session.project ?? undefined };
}

type RunEndResult = Parameters<RunObserver["onEnd"]>[0]["result"];

function transcriptBytes(path: string | undefined): number | undefined {
  if (!path) return undefined;
  try {
    const info = statSync(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
