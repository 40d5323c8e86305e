// The outbox: every message the bot owes a thread (answers, closing notes with their files, replies) is
// stored before its first attempt, delivered in order per thread, retried with backoff through Discord
// outages, resumed after a restart, and ends delivered, replaced by its fallback, or undeliverable.

import { type Clock, systemClock } from "../../clock.js";
import { expectInteger, expectPositive } from "../../expect.js";
import { DISCORD_LIMITS } from "../../format/limits.js";
import { escapeMentions, stripControlCharacters, truncateEnd } from "../../format/text.js";
import type { DeliveryWaiting } from "../view.js";
import {
  OUTBOX_RETRY_DELAY_MAX_MS,
  OUTBOX_RETRY_DELAY_MS,
  OUTBOX_RETRY_FOR_MS,
  OUTBOX_UPLOAD_ATTEMPTS,
} from "./constants.js";
import { classifyDeliveryError, describeDeliveryError } from "./errors.js";
import type { LiveLogger, ThreadMessage } from "./sink.js";
import { silentLogger } from "./sink.js";
import { type ChannelWrites, ThreadWriteWindows } from "./write-window.js";

/** What an item is; the store keeps the same three (src/store/schema.ts OUTBOX_KINDS). */
export type OutboxKind = "answer" | "note" | "reply";

/** How an item ended. */
export type OutboxSettlement = "delivered" | "fallback" | "undeliverable";

/** One message owed to a thread, as a writer hands it over. */
export interface OutboxEntry {
  kind: OutboxKind;
  message: ThreadMessage;
  /**
   * Posted instead, without files, when Discord refuses `message` for good or its upload keeps failing;
   * it says where the whole text is (the transcript on the host). A generic line when absent.
   */
  fallback?: string | undefined;
}

/** A stored entry: what the outbox delivers, and rebuilds after a restart. */
export interface OutboxItem extends OutboxEntry {
  id: string;
  threadId: string;
  sessionId: string | undefined;
}

/** Where a thread's messages go. */
export interface OutboxTarget {
  threadId: string;
  sessionId?: string | undefined;
}

/** Where the outbox keeps its items: the bot's SQLite store, or memory in tests. Synchronous. */
export interface OutboxStore {
  /** Stores the entries after everything already stored for the thread, in one go; returns them. */
  add(target: OutboxTarget, entries: readonly OutboxEntry[]): OutboxItem[];
  /** Every item not yet settled, each thread's in order. */
  pending(): OutboxItem[];
  /** An attempt failed with a transient error; the item stays pending. */
  attemptFailed(id: string, reason: string): void;
  settle(id: string, how: OutboxSettlement, reason?: string): void;
}

/** Sends one message into a thread; throws DashboardGoneError when the thread is gone. */
export interface ThreadPoster {
  post(threadId: string, message: ThreadMessage): Promise<void>;
}

/**
 * What became of a batch handed to `enqueue`, as soon as it is known: every item settled, or the thread's
 * head failed and the batch waits for a retry (it is delivered later), or the thread is gone, or the
 * outbox was closed (a restart resumes the batch).
 */
export type DeliveryProgress = "settled" | "waiting" | "gone" | "closed";

export interface OutboxCounts {
  delivered: number;
  fallbacks: number;
  undeliverable: number;
  failedAttempts: number;
}

export interface ThreadOutboxOptions {
  store: OutboxStore;
  poster: ThreadPoster;
  /** The shared per-thread write windows (default: the outbox's own). */
  windows?: Pick<ThreadWriteWindows, "for">;
  /** Books a slot of the bot's shared request budget; returns the wait in ms (default: none). */
  reserveSlot?: () => number;
  clock?: Clock;
  logger?: LiveLogger;
  /** Default `OUTBOX_RETRY_FOR_MS`. */
  retryForMs?: number;
  /** Default `OUTBOX_UPLOAD_ATTEMPTS`. */
  uploadAttempts?: number;
  /** A thread's messages started or stopped waiting for a retry, or their number changed meanwhile. */
  onWaiting?: (target: OutboxTarget, waiting: DeliveryWaiting | undefined) => void;
}

const GENERIC_FALLBACK = "⚠️ ompcord could not post a message it owed this thread.";

interface Batch {
  left: Set<string>;
  resolve: (progress: DeliveryProgress) => void;
}

interface LaneItem {
  item: OutboxItem;
  /** Not attempted before this settles (the dashboard's final edit, for a run's closing note). */
  after: Promise<unknown> | undefined;
  /** Set once the original message was refused (or its upload failed too often): the reason. */
  fallbackReason: string | undefined;
  uploadFailures: number;
}

interface Lane {
  target: OutboxTarget;
  queue: LaneItem[];
  batches: Batch[];
  running: boolean;
  /** The item whose post is in flight now. */
  posting: LaneItem | undefined;
  /** When this thread's writes started failing in a row; reset by any success. */
  failingSince: number | undefined;
  failuresInARow: number;
  waiting: DeliveryWaiting | undefined;
  /** Gone or abandoned, and why: nothing more is sent. */
  ended: string | undefined;
  gone: boolean;
  wake: (() => void) | undefined;
}

function retryDelayMs(failuresInARow: number): number {
  return Math.min(OUTBOX_RETRY_DELAY_MAX_MS, OUTBOX_RETRY_DELAY_MS * 2 ** Math.max(0, failuresInARow - 1));
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}

/** The message posted instead of a refused one: its fallback text and why, no files, no reference. */
export function fallbackMessage(item: OutboxEntry, reason: string): ThreadMessage {
  const why = truncateEnd(escapeMentions(stripControlCharacters(reason)).trim(), 300);
  const text = `${item.fallback ?? GENERIC_FALLBACK}\n(Discord answered: ${why}.)`;
  return { content: truncateEnd(text, DISCORD_LIMITS.messageContent), allowedMentions: { parse: [] } };
}

export class ThreadOutbox {
  readonly #store: OutboxStore;
  readonly #poster: ThreadPoster;
  readonly #windows: Pick<ThreadWriteWindows, "for">;
  readonly #reserveSlot: () => number;
  readonly #clock: Clock;
  readonly #logger: LiveLogger;
  readonly #retryForMs: number;
  readonly #uploadAttempts: number;
  readonly #onWaiting: ThreadOutboxOptions["onWaiting"];
  readonly #lanes = new Map<string, Lane>();
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #counts: OutboxCounts = { delivered: 0, fallbacks: 0, undeliverable: 0, failedAttempts: 0 };

  constructor(options: ThreadOutboxOptions) {
    if (typeof options?.store?.add !== "function" || typeof options.poster?.post !== "function") {
      throw new TypeError("Expected `store` (an OutboxStore) and `poster` (a ThreadPoster)");
    }
    const { retryForMs = OUTBOX_RETRY_FOR_MS, uploadAttempts = OUTBOX_UPLOAD_ATTEMPTS } = options;
    expectPositive("retryForMs", retryForMs);
    expectInteger("uploadAttempts", uploadAttempts, 1);
    this.#store = options.store;
    this.#poster = options.poster;
    this.#clock = options.clock ?? systemClock;
    this.#windows = options.windows ?? new ThreadWriteWindows({ clock: this.#clock });
    this.#reserveSlot = options.reserveSlot ?? (() => 0);
    this.#logger = options.logger ?? silentLogger;
    this.#retryForMs = retryForMs;
    this.#uploadAttempts = uploadAttempts;
    this.#onWaiting = options.onWaiting;
  }

  /**
   * Stores the entries (before any attempt) and queues them behind whatever the thread is still owed;
   * with `after`, they (and so everything behind them) are not attempted before it settles. `progress`
   * resolves as soon as their fate is known for now; it never rejects.
   */
  enqueue(
    target: OutboxTarget,
    entries: readonly OutboxEntry[],
    options: { after?: Promise<unknown> | undefined } = {},
  ): { items: OutboxItem[]; progress: Promise<DeliveryProgress> } {
    const items = entries.length > 0 ? this.#store.add(target, entries) : [];
    // Shutting down: stored all the same, so the next start delivers them.
    if (this.#stop.signal.aborted) return { items, progress: Promise.resolve("closed") };
    if (items.length === 0) return { items, progress: Promise.resolve("settled") };
    const lane = this.#lane(target);
    if (lane.ended) {
      for (const item of items) this.#settle(item, "undeliverable", lane.ended);
      return { items, progress: Promise.resolve(lane.gone ? "gone" : "settled") };
    }
    const progress = new Promise<DeliveryProgress>((resolve) => {
      lane.batches.push({ left: new Set(items.map((item) => item.id)), resolve });
    });
    for (const item of items) {
      lane.queue.push({ item, after: options.after, fallbackReason: undefined, uploadFailures: 0 });
    }
    if (lane.waiting) {
      // Behind a thread that already waits for a retry: this batch waits too.
      this.#setWaiting(lane, true);
      this.#resolveBatches(lane, "waiting");
    }
    this.#start(lane);
    return { items, progress };
  }

  /** After a restart: queues every item still owed, in each thread's order. Returns how many. */
  resume(): number {
    const pending = this.#store.pending();
    for (const item of pending) {
      const lane = this.#lane({ threadId: item.threadId, sessionId: item.sessionId });
      if (lane.queue.some((queued) => queued.item.id === item.id)) continue;
      lane.queue.push({ item, after: undefined, fallbackReason: undefined, uploadFailures: 0 });
    }
    for (const lane of this.#lanes.values()) if (lane.queue.length > 0) this.#start(lane);
    return pending.length;
  }

  /**
   * Gives up what a thread is still owed (its session was stopped: the thread is archived and a post
   * would reopen it). Each item becomes undeliverable with `reason`; a post in flight still settles.
   */
  abandon(threadId: string, reason: string): number {
    const lane = this.#lanes.get(threadId);
    if (!lane) return 0;
    const inFlight = lane.posting;
    const dropped = lane.queue.filter((queued) => queued !== inFlight);
    lane.queue = inFlight ? [inFlight] : [];
    for (const queued of dropped) this.#settle(queued.item, "undeliverable", reason);
    lane.ended = reason;
    this.#resolveBatches(lane, "settled");
    this.#setWaiting(lane, false);
    lane.wake?.();
    if (!lane.running) this.#lanes.delete(threadId);
    return dropped.length;
  }

  /** What the thread's dashboard should show now: undefined unless its messages wait for a retry. */
  waiting(threadId: string): DeliveryWaiting | undefined {
    return this.#lanes.get(threadId)?.waiting;
  }

  get counts(): OutboxCounts {
    return { ...this.#counts };
  }

  /**
   * Shutdown: no new attempt starts; resolves once the posts in flight settled. What is still owed stays
   * stored and the next start delivers it.
   */
  async close(): Promise<void> {
    this.#stop.abort();
    for (const lane of this.#lanes.values()) {
      lane.wake?.();
      this.#resolveBatches(lane, "closed");
    }
    await Promise.allSettled([...this.#running]);
  }

  // --- lanes ---------------------------------------------------------------------------------------

  #lane(target: OutboxTarget): Lane {
    let lane = this.#lanes.get(target.threadId);
    if (!lane) {
      lane = {
        target: { threadId: target.threadId, sessionId: target.sessionId },
        queue: [],
        batches: [],
        running: false,
        posting: undefined,
        failingSince: undefined,
        failuresInARow: 0,
        waiting: undefined,
        ended: undefined,
        gone: false,
        wake: undefined,
      };
      this.#lanes.set(target.threadId, lane);
    }
    lane.target.sessionId ??= target.sessionId;
    return lane;
  }

  #start(lane: Lane): void {
    if (lane.running || this.#stop.signal.aborted) return;
    lane.running = true;
    const run = this.#deliver(lane)
      .catch((error: unknown) => {
        // Never expected: every failure of a post is handled in the loop. Keep the rest of the bot up.
        this.#logger.warn({ threadId: lane.target.threadId, err: error }, "the outbox loop broke");
      })
      .finally(() => {
        lane.running = false;
        this.#running.delete(run);
        if (lane.queue.length === 0 && this.#lanes.get(lane.target.threadId) === lane) {
          this.#setWaiting(lane, false);
          this.#lanes.delete(lane.target.threadId);
        } else if (lane.queue.length > 0 && !lane.ended) {
          this.#start(lane);
        }
      });
    this.#running.add(run);
  }

  async #deliver(lane: Lane): Promise<void> {
    const writes = this.#windows.for(lane.target.threadId);
    const signal = this.#stop.signal;
    while (lane.queue.length > 0 && !signal.aborted && !lane.ended) {
      const head = lane.queue[0]!;
      if (head.after) {
        await this.#until(lane, head.after);
        head.after = undefined;
        continue;
      }
      lane.posting = head;
      const outcome = await this.#attempt(writes, lane.target.threadId, head, signal);
      lane.posting = undefined;
      if (outcome === "aborted") return;
      if (outcome === "delivered") {
        lane.queue.shift();
        lane.failingSince = undefined;
        lane.failuresInARow = 0;
        this.#settle(head.item, head.fallbackReason === undefined ? "delivered" : "fallback");
        this.#setWaiting(lane, false);
        continue;
      }
      const { error } = outcome;
      const failure = classifyDeliveryError(error);
      const reason = describeDeliveryError(error);
      const log = {
        threadId: lane.target.threadId,
        sessionId: lane.target.sessionId,
        outboxId: head.item.id,
        kind: head.item.kind,
        error: reason,
      };
      if (failure === "gone") {
        this.#logger.warn(log, "the thread is gone; what it was owed cannot be delivered");
        lane.ended = `the thread no longer exists (${reason})`;
        lane.gone = true;
        this.#resolveBatches(lane, "gone");
        for (const queued of lane.queue.splice(0)) this.#settle(queued.item, "undeliverable", lane.ended);
        this.#setWaiting(lane, false);
        return;
      }
      if (lane.ended) {
        // Abandoned while this post was in flight: it did not land, and nothing more is tried.
        lane.queue.shift();
        this.#settle(head.item, "undeliverable", reason);
        continue;
      }
      if (failure === "permanent") {
        if (head.fallbackReason === undefined) {
          this.#logger.warn(log, "Discord refused a message for the thread; posting its fallback");
          head.fallbackReason = reason;
          continue;
        }
        this.#logger.warn(log, "Discord refused the fallback too; the message is undeliverable");
        lane.queue.shift();
        this.#settle(head.item, "undeliverable", reason);
        this.#afterSettle(lane);
        continue;
      }

      // Transient: retried with backoff, for a bounded time counted from the thread's first failure.
      const now = this.#clock.now();
      lane.failingSince ??= now;
      lane.failuresInARow++;
      this.#counts.failedAttempts++;
      this.#store.attemptFailed(head.item.id, reason);
      if (head.fallbackReason === undefined && (head.item.message.files?.length ?? 0) > 0) {
        head.uploadFailures++;
        if (head.uploadFailures >= this.#uploadAttempts) {
          this.#logger.warn(
            { ...log, uploadFailures: head.uploadFailures },
            "the upload keeps failing; posting the message without its files",
          );
          head.fallbackReason = `the upload failed ${head.uploadFailures} times: ${reason}`;
        }
      }
      if (now - lane.failingSince >= this.#retryForMs) {
        this.#logger.warn(
          { ...log, failingForMs: now - lane.failingSince },
          "Discord kept failing; the message is undeliverable",
        );
        lane.queue.shift();
        this.#settle(
          head.item,
          "undeliverable",
          `Discord kept failing for ${minutes(now - lane.failingSince)}: ${reason}`,
        );
        this.#afterSettle(lane);
        continue;
      }
      this.#logger.debug(
        { ...log, failuresInARow: lane.failuresInARow },
        "posting to the thread failed; retrying later",
      );
      this.#setWaiting(lane, true);
      this.#resolveBatches(lane, "waiting");
      await this.#sleep(lane, retryDelayMs(lane.failuresInARow));
    }
  }

  /** One post of the head item (or its fallback) inside the thread's write window and the budget. */
  async #attempt(
    writes: ChannelWrites,
    threadId: string,
    head: LaneItem,
    signal: AbortSignal,
  ): Promise<"delivered" | "aborted" | { error: unknown }> {
    const ticket = await writes.acquire({ signal });
    if (!ticket) return "aborted";
    try {
      const wait = this.#reserveSlot();
      if (wait > 0) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, wait));
      const message =
        head.fallbackReason === undefined
          ? head.item.message
          : fallbackMessage(head.item, head.fallbackReason);
      await this.#poster.post(threadId, message);
      return "delivered";
    } catch (error) {
      return { error };
    } finally {
      ticket.settled();
    }
  }

  #afterSettle(lane: Lane): void {
    if (lane.waiting) this.#setWaiting(lane, true);
  }

  #settle(item: OutboxItem, how: OutboxSettlement, reason?: string): void {
    try {
      this.#store.settle(item.id, how, reason);
    } catch (error) {
      this.#logger.warn({ outboxId: item.id, err: error }, "could not record a delivery in the store");
    }
    if (how === "delivered") this.#counts.delivered++;
    else if (how === "fallback") this.#counts.fallbacks++;
    else this.#counts.undeliverable++;
    const lane = this.#lanes.get(item.threadId);
    if (!lane) return;
    for (const batch of [...lane.batches]) {
      batch.left.delete(item.id);
      if (batch.left.size === 0) {
        lane.batches.splice(lane.batches.indexOf(batch), 1);
        batch.resolve("settled");
      }
    }
  }

  #resolveBatches(lane: Lane, progress: DeliveryProgress): void {
    for (const batch of lane.batches.splice(0)) batch.resolve(progress);
  }

  /** `waiting`: the head failed and waits for a retry; the count follows the queue meanwhile. */
  #setWaiting(lane: Lane, waiting: boolean): void {
    const next: DeliveryWaiting | undefined =
      waiting && lane.queue.length > 0
        ? {
            messages: lane.queue.length,
            answer: lane.queue.some(({ item }) => item.kind === "answer" || item.kind === "note"),
          }
        : undefined;
    const before = lane.waiting;
    if (before?.messages === next?.messages && before?.answer === next?.answer) return;
    lane.waiting = next;
    try {
      this.#onWaiting?.(lane.target, next);
    } catch (error) {
      this.#logger.debug({ threadId: lane.target.threadId, err: error }, "onWaiting hook threw");
    }
  }

  /** Waits for `promise` (never rejecting); `close` and `abandon` cut it short. */
  #until(lane: Lane, promise: Promise<unknown>): Promise<void> {
    if (this.#stop.signal.aborted || lane.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        lane.wake = undefined;
        resolve();
      };
      lane.wake = done;
      promise.then(done, done);
    });
  }

  /** Waits on the injected clock; `close` and `abandon` cut it short. */
  #sleep(lane: Lane, ms: number): Promise<void> {
    if (this.#stop.signal.aborted || lane.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const handle = this.#clock.setTimeout(() => {
        lane.wake = undefined;
        resolve();
      }, ms);
      lane.wake = () => {
        lane.wake = undefined;
        this.#clock.clearTimeout(handle);
        resolve();
      };
    });
  }
}
