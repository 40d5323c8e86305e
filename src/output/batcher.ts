// Debounces a stream of items (output lines) into batches for a slow consumer (a dashboard edit):
// a flush at `maxItems` items or `maxWaitMs` after the last flush, never two flushes closer than
// `minIntervalMs`, never two at once, one final flush at the end. Pure, with an injectable clock.

import { type Clock, systemClock } from "../clock.js";
import { expectFunction, expectInteger, expectNonNegative } from "../expect.js";

export interface FlushInfo {
  /** True for the one flush `end()` makes (it may carry no items). */
  final: boolean;
  /** Items dropped since the previous flush because more than `maxPending` piled up. */
  dropped: number;
}

export interface LineBatcherOptions<T> {
  /** Receives each batch; the next flush waits until the returned promise settles. */
  flush: (batch: T[], info: FlushInfo) => void | Promise<void>;
  /** Flush as soon as this many items wait (default 10). */
  maxItems?: number;
  /** Flush waiting items this long after the previous flush (default 1500 ms). */
  maxWaitMs?: number;
  /** Never start a flush sooner than this after the previous one started (default 1000 ms). */
  minIntervalMs?: number;
  /**
   * Items kept while the consumer is busy; older ones are dropped and counted, so a slow consumer
   * sees the newest state and memory stays bounded (default 1000).
   */
  maxPending?: number;
  /** Called when `flush` throws or rejects; batching goes on. Default: ignore. */
  onError?: (error: unknown) => void;
  clock?: Clock;
}

export class LineBatcher<T> {
  readonly #flush: LineBatcherOptions<T>["flush"];
  readonly #maxItems: number;
  readonly #maxWaitMs: number;
  readonly #minIntervalMs: number;
  readonly #maxPending: number;
  readonly #onError: (error: unknown) => void;
  readonly #clock: Clock;

  #pending: T[] = [];
  #dropped = 0;
  #lastFlushAt: number;
  #timer: unknown;
  #timerDue = Number.POSITIVE_INFINITY;
  #flushing: Promise<void> | undefined;
  #ended = false;
  #endPromise: Promise<void> | undefined;

  constructor(options: LineBatcherOptions<T>) {
    expectFunction("flush", options?.flush);
    const {
      maxItems = 10,
      maxWaitMs = 1500,
      minIntervalMs = 1000,
      maxPending = 1000,
      onError = () => {},
      clock = systemClock,
    } = options;
    expectInteger("maxItems", maxItems, 1);
    expectNonNegative("maxWaitMs", maxWaitMs, "milliseconds");
    expectNonNegative("minIntervalMs", minIntervalMs, "milliseconds");
    expectInteger("maxPending", maxPending, maxItems);
    this.#flush = options.flush;
    this.#maxItems = maxItems;
    this.#maxWaitMs = maxWaitMs;
    this.#minIntervalMs = minIntervalMs;
    this.#maxPending = maxPending;
    this.#onError = onError;
    this.#clock = clock;
    this.#lastFlushAt = clock.now();
  }

  /** Adds an item; it reaches `flush` in a later batch. Items pushed after `end()` are ignored. */
  push(item: T): void {
    if (this.#ended) return;
    this.#pending.push(item);
    // Trim only when twice over the limit, so a flood costs one copy per `maxPending` items rather
    // than one per item; the flush trims to the exact limit.
    if (this.#pending.length >= this.#maxPending * 2) this.#trim();
    this.#schedule();
  }

  /** Flushes what is left (once, with `final: true`) and resolves when that flush has settled. */
  end(): Promise<void> {
    if (!this.#endPromise) {
      this.#ended = true;
      this.#cancelTimer();
      this.#endPromise = this.#finish();
    }
    return this.#endPromise;
  }

  async #finish(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    const wait = this.#lastFlushAt + this.#minIntervalMs - this.#clock.now();
    if (wait > 0) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, wait));
    await this.#run(true);
  }

  #schedule(): void {
    if (this.#ended || this.#flushing || this.#pending.length === 0) return;
    const wait = this.#pending.length >= this.#maxItems ? this.#minIntervalMs : this.#maxWaitMs;
    const due = this.#lastFlushAt + Math.max(wait, this.#minIntervalMs);
    const now = this.#clock.now();
    if (now >= due) {
      this.#cancelTimer();
      void this.#run(false);
      return;
    }
    if (due >= this.#timerDue) return; // an earlier or equal timer is already set
    this.#cancelTimer();
    this.#timerDue = due;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerDue = Number.POSITIVE_INFINITY;
      this.#schedule();
    }, due - now);
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
  }

  #trim(): void {
    const excess = this.#pending.length - this.#maxPending;
    if (excess <= 0) return;
    this.#pending = this.#pending.slice(excess);
    this.#dropped += excess;
  }

  #run(final: boolean): Promise<void> {
    this.#trim();
    const batch = this.#pending;
    const dropped = this.#dropped;
    this.#pending = [];
    this.#dropped = 0;
    this.#lastFlushAt = this.#clock.now();
    const flushing = (async () => {
      try {
        await this.#flush(batch, { final, dropped });
      } catch (error) {
        this.#onError(error);
      }
    })();
    this.#flushing = flushing;
    return flushing.then(() => {
      this.#flushing = undefined;
      this.#schedule();
    });
  }
}
