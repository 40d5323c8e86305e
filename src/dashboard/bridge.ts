// The bridge from runs to dashboards: the scheduler's RunObserver and the session service's events
// become LiveDashboard updates, each dashboard's sink is its thread's pinned message via discord.js, and
// what the bot owes a thread goes through the durable outbox (SQLite-backed, posted via discord.js).

import { readFileSync, statSync } from "node:fs";
import { AttachmentBuilder, type Client, DiscordAPIError, RESTJSONErrorCodes } from "discord.js";
import type { Logger } from "../log.js";
import type { OmpEvent } from "../omp/index.js";
import { type RunObserver, type SlotWait, sessionStateAfter } from "../queue/scheduler.js";
import type { SessionEvents } from "../sessions/service.js";
import type { SidecarMetrics } from "../sidecar/index.js";
import type { OutboxRow, SessionRow, Store } from "../store/index.js";
import {
  type DashboardPayload,
  type DashboardView,
  initialDashboardView,
  reduceDashboard,
  renderDashboard,
} from "./index.js";
import {
  type DashboardDelivery,
  type DashboardEditInfo,
  DashboardGoneError,
  DashboardRegistry,
  type DashboardSink,
  type LiveDashboard,
  type OutboxEntry,
  type OutboxItem,
  type OutboxSettlement,
  type OutboxStore,
  type OutboxTarget,
  runEndEntries,
  type ThreadFile,
  type ThreadMessage,
  ThreadOutbox,
  type ThreadPoster,
  ThreadWriteWindows,
} from "./live/index.js";

/** How much of the last transcript a restart reads back to refill the dashboard's tail. */
const RESTORE_TAIL_BYTES = 16 * 1024;

export interface SessionDashboardsOptions {
  client: Client;
  store: Store;
  logger: Logger;
  metrics?: SidecarMetrics | undefined;
  /** Masks secrets in prompt text before a dashboard shows it (output lines arrive redacted already). */
  redact?: ((text: string) => string) | undefined;
  /** Benchmarks measure stdout → edit lag here. */
  onEdit?: ((info: DashboardEditInfo) => void) | undefined;
  /** The per-thread write windows every writer into a thread shares (default: the dashboards' own). */
  writes?: ThreadWriteWindows | undefined;
}

export class SessionDashboards implements SessionEvents {
  readonly registry: DashboardRegistry;
  /** Everything the bot owes a thread: answers, closing notes, replies. */
  readonly outbox: ThreadOutbox;
  readonly writes: ThreadWriteWindows;
  readonly #client: Client;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #redact: (text: string) => string;
  /** Set by the app: what to do when a thread turns out to be deleted. */
  onGone: ((sessionId: string) => void) | undefined;
  /** Set by the app (the scheduler is built after this): whether a session's next prompt waits for a slot. */
  slotWait: ((sessionId: string) => SlotWait | undefined) | undefined;

  constructor(options: SessionDashboardsOptions) {
    this.#client = options.client;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#redact = options.redact ?? ((text) => text);
    const metrics = options.metrics;
    this.registry = new DashboardRegistry({
      logger: options.logger,
      onGone: (sessionId) => this.onGone?.(sessionId),
      onEdit: (info) => {
        metrics?.dashboardEdits.inc();
        options.onEdit?.(info);
      },
    });
    this.writes = options.writes ?? new ThreadWriteWindows();
    this.outbox = new ThreadOutbox({
      store: new StoreOutbox(options.store),
      poster: new DiscordThreadPoster(options.client),
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
    const sink = new ThreadDashboardSink(this.#client, session.threadId, messageId);
    return this.registry.open(view, sink, {
      ...options,
      writes: this.writes.for(session.threadId),
      delivery: this.#deliveryFor(session),
    });
  }

  /** The thread is gone: its dashboard stops, and what it was owed is given up. */
  detach(sessionId: string): void {
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

  /** Shutdown: final paints, then the outbox stops; what is still owed is delivered after the restart. */
  async settleAll(): Promise<void> {
    await this.registry.closeAll();
    await this.outbox.close();
  }

  /**
   * Someone deleted the dashboard message but the thread is still there: post and pin a fresh one,
   * rebuilt from the store, so the session goes on in view. False when the thread itself is gone.
   */
  async repost(session: SessionRow): Promise<boolean> {
    let thread: Awaited<ReturnType<Client["channels"]["fetch"]>>;
    try {
      thread = await this.#client.channels.fetch(session.threadId, { force: true });
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status === 404) return false;
      throw error;
    }
    if (!thread?.isThread()) return false;
    const view = this.#viewFromStore(session, this.slotWait?.(session.id));
    const message = await thread.send(renderDashboard(view, new Date()));
    this.#store.setDashboardMessage(session.id, message.id);
    await message
      .pin()
      .catch((error: unknown) =>
        this.#logger.warn({ err: error, sessionId: session.id }, "could not pin the new dashboard"),
      );
    this.attach(session, message.id, view, { justPosted: true });
    this.#logger.info(
      { sessionId: session.id, messageId: message.id },
      "dashboard was deleted; posted a new one",
    );
    return true;
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

  // ── SessionEvents ──────────────────────────────────────────────────────────────────────────────

  queueChanged(sessionId: string, depth: number): void {
    this.registry.get(sessionId)?.apply({ type: "queue", depth });
  }

  stopped(sessionId: string, by: string | undefined): void {
    this.registry.get(sessionId)?.apply({ type: "stopped", by });
  }

  // ── RunObserver ────────────────────────────────────────────────────────────────────────────────

  readonly observer: RunObserver = {
    onWaitingForSlot: (sessionId, { prompt, inUse, max }) => {
      const dashboard = this.registry.get(sessionId);
      if (!dashboard) return;
      const shown = dashboard.view.pending?.waitingForSlot;
      // Already painted so (a launch's first paint): an identical edit would only spend the rate limit.
      if (shown && shown.inUse === inUse && shown.max === max) return;
      dashboard.apply({
        type: "pending",
        prompt: this.#redact(prompt.text),
        authorId: prompt.authorId,
        waitingForSlot: { inUse, max },
      });
    },
    onStart: ({ sessionId, runNumber, prompt }) => {
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
    onEvent: (sessionId, raw) => {
      const event = raw as OmpEvent;
      const dashboard = this.registry.get(sessionId);
      if (!dashboard) return;
      if (event.type === "tool_execution_start") dashboard.apply({ type: "tool", name: event.toolName });
      if (event.type === "message_end" && event.message.usage) {
        dashboard.apply({
          type: "usage",
          tokens: event.message.usage.totalTokens,
          cost: event.message.usage.cost,
        });
      }
    },
    onEnd: ({ sessionId, runNumber, result }) => {
      const dashboard = this.registry.get(sessionId);
      if (!dashboard) {
        this.#sendRunEndWithoutDashboard(sessionId, runNumber, result);
        return;
      }
      dashboard.apply({ type: "queue", depth: this.#store.countQueued(sessionId) });
      if (sessionStateAfter(result) === "failed") {
        dashboard.apply({ type: "failed", reason: result.error ?? "omp could not start" });
      }
      void dashboard.runEnded(result, { runNumber }).then(() => {
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
    const base = initialDashboardView({ sessionId: session.id, sessionName: session.name });
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

/** How files are kept in an outbox row: a path on the host, or small data inline. */
type StoredFile = { name: string; path: string } | { name: string; base64: string };

/** The outbox's items in the bot's SQLite store; rows are rebuilt into messages after a restart. */
class StoreOutbox implements OutboxStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  add(target: OutboxTarget, entries: readonly OutboxEntry[]): OutboxItem[] {
    const rows = this.#store.addOutbox(
      target,
      entries.map((entry) => ({
        kind: entry.kind,
        content: entry.message.content,
        files: entry.message.files?.length ? JSON.stringify(entry.message.files.map(storedFile)) : null,
        replyTo: entry.message.replyTo ?? null,
        fallback: entry.fallback ?? null,
      })),
    );
    return rows.map((row, i) => ({
      ...entries[i]!,
      id: row.id,
      threadId: row.threadId,
      sessionId: target.sessionId,
    }));
  }

  pending(): OutboxItem[] {
    return this.#store.pendingOutbox().map(itemFromRow);
  }

  attemptFailed(id: string, reason: string): void {
    this.#store.outboxAttemptFailed(id, reason);
  }

  settle(id: string, how: OutboxSettlement, reason?: string): void {
    this.#store.settleOutbox(id, how, reason);
  }
}

function storedFile(file: ThreadFile): StoredFile {
  return "path" in file
    ? { name: file.name, path: file.path }
    : { name: file.name, base64: file.data.toString("base64") };
}

function itemFromRow(row: OutboxRow): OutboxItem {
  const stored = row.files ? (JSON.parse(row.files) as StoredFile[]) : [];
  const files: ThreadFile[] = stored.map((file) =>
    "path" in file
      ? { name: file.name, path: file.path }
      : { name: file.name, data: Buffer.from(file.base64, "base64") },
  );
  return {
    id: row.id,
    threadId: row.threadId,
    sessionId: row.sessionId ?? undefined,
    kind: row.kind,
    message: {
      content: row.content,
      ...(files.length > 0 ? { files } : {}),
      ...(row.replyTo ? { replyTo: row.replyTo } : {}),
      allowedMentions: { parse: [] },
    },
    ...(row.fallback !== null ? { fallback: row.fallback } : {}),
  };
}

/** Posts into a thread through discord.js; a deleted thread is `DashboardGoneError`. */
class DiscordThreadPoster implements ThreadPoster {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async post(threadId: string, message: ThreadMessage): Promise<void> {
    const thread = await fetchThread(this.#client, threadId);
    const files = message.files?.map((file) =>
      "path" in file
        ? new AttachmentBuilder(file.path, { name: file.name })
        : new AttachmentBuilder(file.data, { name: file.name }),
    );
    try {
      await thread.send({
        content: message.content,
        files,
        allowedMentions: { parse: [] },
        // A reply to a message deleted meanwhile still lands, as a plain message.
        ...(message.replyTo ? { reply: { messageReference: message.replyTo, failIfNotExists: false } } : {}),
      });
    } catch (error) {
      throw gone(error);
    }
  }
}

async function fetchThread(client: Client, threadId: string) {
  try {
    const channel = await client.channels.fetch(threadId);
    if (!channel?.isThread()) throw new DashboardGoneError("thread");
    return channel;
  } catch (error) {
    throw gone(error);
  }
}

/** One thread's dashboard message, edited through discord.js; Discord's "unknown" errors mean gone. */
class ThreadDashboardSink implements DashboardSink {
  readonly #client: Client;
  readonly #threadId: string;
  readonly #messageId: string;
  readonly #poster: DiscordThreadPoster;

  constructor(client: Client, threadId: string, messageId: string) {
    this.#client = client;
    this.#threadId = threadId;
    this.#messageId = messageId;
    this.#poster = new DiscordThreadPoster(client);
  }

  async edit(payload: DashboardPayload): Promise<void> {
    const thread = await this.#thread();
    try {
      await thread.messages.edit(this.#messageId, payload);
    } catch (error) {
      if (
        error instanceof DiscordAPIError &&
        error.code === RESTJSONErrorCodes.InvalidActionOnArchivedThread
      ) {
        // Someone archived a live session's thread by hand: reopen it so the dashboard keeps working.
        await thread.setArchived(false, "ompcord session still active").catch(() => undefined);
      }
      throw gone(error);
    }
  }

  /** Unused by the bot's dashboards (their posts go through the outbox); kept for the interface. */
  post(message: ThreadMessage): Promise<void> {
    return this.#poster.post(this.#threadId, message);
  }

  #thread() {
    return fetchThread(this.#client, this.#threadId);
  }
}

function gone(error: unknown): unknown {
  if (!(error instanceof DiscordAPIError)) return error;
  if (error.code === RESTJSONErrorCodes.UnknownChannel)
    return new DashboardGoneError("thread", { cause: error });
  if (error.code === RESTJSONErrorCodes.UnknownMessage)
    return new DashboardGoneError("message", { cause: error });
  return error;
}
