// Fakes for the live dashboard tests: a manual clock and a DashboardSink that records what it was asked
// to do, can be slow, and can fail on demand. Shared by test/unit/live-*.test.ts.

import type { Clock } from "../../src/clock.js";
import {
  type ChannelWrites,
  type DashboardDelivery,
  type DashboardRegistry,
  type DashboardSink,
  LiveDashboard,
  type LiveDashboardOptions,
  type LiveLogger,
  type OutboxEntry,
  type OutboxItem,
  type OutboxSettlement,
  type OutboxStore,
  type OutboxTarget,
  type RunEnd,
  type ThreadMessage,
  ThreadOutbox,
  ThreadWriteWindow,
} from "../../src/dashboard/live/index.js";
import type { DashboardPayload } from "../../src/dashboard/render.js";
import { type DashboardView, initialDashboardView } from "../../src/dashboard/view.js";

/** Lets every promise chain that is ready run to its next wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Time moves only in `advance`; timers fire in order, with promise chains settled after each one. */
export class FakeClock implements Clock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.#timers.values()) {
        if (
          timer.at <= end &&
          (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))
        ) {
          next = timer;
        }
      }
      if (!next) break;
      this.#timers.delete(next.id);
      this.#now = next.at;
      next.callback();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

export interface RecordedEdit {
  /** When the edit was asked for. */
  at: number;
  payload: DashboardPayload;
}

/** Records edits and posts; each call takes `delayMs` of fake time; queued failures are thrown in order. */
export class FakeSink implements DashboardSink {
  readonly edits: RecordedEdit[] = [];
  readonly posts: Array<{ at: number; message: ThreadMessage }> = [];
  readonly editAttempts: number[] = [];
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly #editFailures: unknown[] = [];
  readonly #postFailures: unknown[] = [];

  constructor(readonly clock: FakeClock) {}

  /** The next `edit` calls throw these, one each. */
  failEdits(...errors: unknown[]): void {
    this.#editFailures.push(...errors);
  }

  failPosts(...errors: unknown[]): void {
    this.#postFailures.push(...errors);
  }

  async edit(payload: DashboardPayload): Promise<void> {
    const at = this.clock.now();
    this.editAttempts.push(at);
    await this.#call(this.#editFailures);
    this.edits.push({ at, payload });
  }

  async post(message: ThreadMessage): Promise<void> {
    const at = this.clock.now();
    await this.#call(this.#postFailures);
    this.posts.push({ at, message });
  }

  get lastEdit(): DashboardPayload | undefined {
    return this.edits.at(-1)?.payload;
  }

  async #call(failures: unknown[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0)
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.delayMs));
      if (failures.length > 0) throw failures.shift();
    } finally {
      this.inFlight--;
    }
  }
}

/** Keeps outbox items in memory, where the bot keeps them in SQLite (src/dashboard/outbox-store.ts). */
export class MemoryOutboxStore implements OutboxStore {
  readonly items: Array<OutboxItem & { status: OutboxSettlement | "pending"; reason?: string }> = [];
  #next = 1;

  add(target: OutboxTarget, entries: readonly OutboxEntry[]): OutboxItem[] {
    return entries.map((entry) => {
      const item = {
        ...entry,
        id: `outbox-${this.#next++}`,
        threadId: target.threadId,
        sessionId: target.sessionId,
        status: "pending" as const,
      };
      this.items.push(item);
      return item;
    });
  }

  pending(): OutboxItem[] {
    return this.items.filter((item) => item.status === "pending");
  }

  attemptFailed(id: string, reason: string): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (item) item.reason = reason;
  }

  settle(id: string, how: OutboxSettlement, reason?: string): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item) return;
    item.status = how;
    if (reason !== undefined) item.reason = reason;
  }
}

/**
 * Where a test dashboard's run-end messages go: an outbox in memory that posts through `sink.post` and
 * books the dashboard's own write window, as the bot's outbox posts to Discord (src/dashboard/bridge.ts).
 */
export function memoryDelivery(options: {
  sink: FakeSink;
  clock: Clock;
  threadId: string;
  writes: ChannelWrites;
  reserveSlot?: () => number;
  logger?: LiveLogger | undefined;
  /** What the dashboard shows while messages wait for a retry. */
  onWaiting: LiveDashboard["deliveryChanged"];
}): DashboardDelivery {
  const { sink, threadId, writes } = options;
  const outbox = new ThreadOutbox({
    store: new MemoryOutboxStore(),
    poster: { post: (_threadId, message) => sink.post(message) },
    windows: { for: () => writes },
    reserveSlot: options.reserveSlot ?? (() => 0),
    clock: options.clock,
    logger: options.logger,
    onWaiting: (_target, waiting) => options.onWaiting(waiting),
  });
  const target = { threadId, sessionId: threadId };
  return {
    send: (entries, sendOptions) => outbox.enqueue(target, entries, sendOptions).progress,
    waiting: () => outbox.waiting(threadId),
  };
}

/** A LiveDashboard on a fake sink, its run-end messages posted through `sink.post` (see memoryDelivery). */
export function liveDashboard(
  options: Omit<LiveDashboardOptions, "delivery" | "sink" | "clock"> & { sink: FakeSink; clock: FakeClock },
): LiveDashboard {
  const writes = options.writes ?? new ThreadWriteWindow({ clock: options.clock });
  let dashboard: LiveDashboard | undefined;
  const delivery = memoryDelivery({
    sink: options.sink,
    clock: options.clock,
    threadId: options.view.sessionId,
    writes,
    reserveSlot: () => options.pacing?.reserveSlot() ?? 0,
    logger: options.logger,
    onWaiting: (waiting) => dashboard?.deliveryChanged(waiting),
  });
  dashboard = new LiveDashboard({ ...options, writes, delivery });
  return dashboard;
}

/** A registry's dashboard on a fake sink, its run-end messages posted through `sink.post`. */
export function openDashboard(
  registry: DashboardRegistry,
  clock: FakeClock,
  dashboardView: DashboardView,
  sink: FakeSink,
): LiveDashboard {
  const writes = new ThreadWriteWindow({ clock });
  let dashboard: LiveDashboard | undefined;
  const delivery = memoryDelivery({
    sink,
    clock,
    threadId: dashboardView.sessionId,
    writes,
    reserveSlot: () => registry.reserveSlot(),
    onWaiting: (waiting) => dashboard?.deliveryChanged(waiting),
  });
  dashboard = registry.open(dashboardView, sink, { writes, delivery });
  return dashboard;
}

export function view(sessionId = "s-1"): DashboardView {
  return initialDashboardView({ sessionId, sessionName: `Run: ${sessionId}` });
}

export function runStarted(runNumber = 1) {
  return { type: "run_started", prompt: "do the thing", authorId: "42", runNumber, at: new Date(0) } as const;
}

/**
 * `fileSize` for a dashboard whose runs have no transcript on disk. The default asks the file system,
 * and a real `stat` can outlast the fake clock's settling on a loaded machine: the test would then wait
 * for a timer that nobody advances any more.
 */
export const noFile = async (): Promise<number | undefined> => undefined;

export function result(overrides: Partial<RunEnd> = {}): RunEnd {
  return {
    outcome: "success",
    error: undefined,
    finalText: "Done.",
    tokens: 0,
    cost: 0,
    lineCount: 0,
    transcriptPath: "/nonexistent/transcript.log",
    endedAt: new Date(60_000),
    ...overrides,
  };
}

/** The output tail shown by a dashboard payload, as lines. */
export function tailOf(payload: DashboardPayload | undefined): string[] {
  const description = payload?.embeds[0].description ?? "";
  if (!description.startsWith("```")) return [];
  return description.split("\n").slice(1, -1);
}

export function fieldOf(payload: DashboardPayload | undefined, name: string): string | undefined {
  return payload?.embeds[0].fields?.find((field) => field.name === name)?.value;
}
