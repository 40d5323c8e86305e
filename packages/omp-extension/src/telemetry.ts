// The "never block the agent with telemetry" invariant: events go into a bounded in-memory queue
// (oldest dropped and counted when it is full) and are sent in the background, one at a time, with
// backoff while the sidecar fails. No omp handler ever waits for the network. At shutdown the queue
// gets one short, capped flush, skipped outright when the sidecar was failing: omp saves the session
// after `session_shutdown`, and the bot's kill grace is about 2 s.

import type { Guard } from "./guard.js";
import { CallError } from "./http.js";

export interface TelemetryEvent {
  event_type: string;
  content: unknown;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** Limits, named once. */
export const TELEMETRY = {
  /** Events held at most; a sidecar down for a whole run costs this much memory, no more. */
  maxEvents: 256,
  /** First retry after a failed send; doubles up to `retryMaxMs`. */
  retryMinMs: 1_000,
  retryMaxMs: 30_000,
  /** A send still unanswered after this counts as failing (a stalled sidecar answers nothing). */
  failingAfterMs: 1_000,
  /** The final flush at `session_shutdown` takes at most this. */
  shutdownFlushMs: 200,
} as const;

export interface TelemetryQueueOptions {
  /** Sends one event; rejects with a `CallError` (retryable or not). */
  send: (event: TelemetryEvent, signal: AbortSignal) => Promise<void>;
  guard: Guard;
  /** Builds the event reporting how many were dropped so far (sent when the queue runs dry). */
  droppedEvent?: (dropped: number) => TelemetryEvent;
  maxEvents?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  failingAfterMs?: number;
  now?: () => number;
}

/** How the final flush went. */
export type CloseOutcome = "flushed" | "skipped" | "cut";

export class TelemetryQueue {
  readonly #options: Required<Omit<TelemetryQueueOptions, "droppedEvent">> &
    Pick<TelemetryQueueOptions, "droppedEvent">;
  readonly #events: TelemetryEvent[] = [];
  #dropped = 0;
  #droppedReported = 0;
  #running: Promise<void> | undefined;
  #inFlight: { since: number; abort: AbortController } | undefined;
  #lastFailed = false;
  #failures = 0;
  #sent = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Set when the final flush was skipped or cut: nothing more is sent. */
  #halted = false;

  constructor(options: TelemetryQueueOptions) {
    this.#options = {
      maxEvents: TELEMETRY.maxEvents,
      retryMinMs: TELEMETRY.retryMinMs,
      retryMaxMs: TELEMETRY.retryMaxMs,
      failingAfterMs: TELEMETRY.failingAfterMs,
      now: Date.now,
      ...options,
    };
    if (!Number.isInteger(this.#options.maxEvents) || this.#options.maxEvents < 1) {
      throw new TypeError(
        `Expected \`maxEvents\` to be an integer from 1 up, got \`${this.#options.maxEvents}\``,
      );
    }
  }

  /** Queues an event and returns at once; the oldest goes when the queue is full. */
  push(event: TelemetryEvent): void {
    if (this.#closed) return;
    this.#events.push(event);
    while (this.#events.length > this.#options.maxEvents) {
      this.#events.shift();
      this.#dropped++;
    }
    if (this.#retry === undefined) this.#start();
  }

  get length(): number {
    return this.#events.length;
  }

  /** Events dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * The sidecar has answered a send, and is not failing now: it is worth asking something of it at the
   * end of a run. A sidecar that never answered (stalled from the start) is not.
   */
  get responsive(): boolean {
    return this.#sent > 0 && !this.failing;
  }

  /** The last send failed, or the one in flight has been unanswered for too long. */
  get failing(): boolean {
    if (this.#lastFailed) return true;
    const inFlight = this.#inFlight;
    return inFlight !== undefined && this.#options.now() - inFlight.since >= this.#options.failingAfterMs;
  }

  /**
   * The final flush: skipped when the sidecar is failing (nothing is waited for), otherwise sends what
   * is left for at most `capMs`, then cuts the send in flight. Nothing is queued after this.
   */
  async close(capMs: number = TELEMETRY.shutdownFlushMs): Promise<CloseOutcome> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.failing) {
      this.#halted = true;
      this.#inFlight?.abort.abort();
      return "skipped";
    }
    const drained = this.#start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cut = new Promise<"cut">((resolve) => {
      timer = setTimeout(() => resolve("cut"), capMs);
    });
    const outcome = await Promise.race([drained.then(() => "flushed" as const), cut]);
    clearTimeout(timer);
    if (outcome === "cut") {
      this.#halted = true;
      this.#inFlight?.abort.abort();
    }
    return outcome;
  }

  #start(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#drain().finally(() => {
        this.#running = undefined;
      });
      this.#options.guard.detach("telemetry", this.#running);
    }
    return this.#running;
  }

  #next(): TelemetryEvent | undefined {
    const event = this.#events.shift();
    if (event) return event;
    if (this.#dropped > this.#droppedReported && this.#options.droppedEvent) {
      this.#droppedReported = this.#dropped;
      return this.#options.droppedEvent(this.#dropped);
    }
    return undefined;
  }

  async #drain(): Promise<void> {
    for (let event = this.#next(); event && !this.#halted; event = this.#next()) {
      const abort = new AbortController();
      this.#inFlight = { since: this.#options.now(), abort };
      try {
        await this.#options.send(event, abort.signal);
        this.#sent++;
        this.#lastFailed = false;
        this.#failures = 0;
      } catch (error) {
        if (this.#halted || (error instanceof CallError && error.kind === "aborted")) return;
        const retryable = !(error instanceof CallError) || error.retryable;
        if (!retryable) {
          // The sidecar refused this event for good (a 4xx): drop it, keep the others going.
          this.#options.guard.fail("telemetry refused by the sidecar", error);
          continue;
        }
        this.#lastFailed = true;
        this.#failures++;
        this.#options.guard.fail(`telemetry (${error instanceof CallError ? error.kind : "send"})`, error);
        if (this.#closed) return;
        // Back in front, unless the queue filled up meanwhile: then it is the oldest, and dropped.
        if (this.#events.length < this.#options.maxEvents) this.#events.unshift(event);
        else this.#dropped++;
        const delay = Math.min(
          this.#options.retryMaxMs,
          this.#options.retryMinMs * 2 ** (this.#failures - 1),
        );
        this.#retry = this.#options.guard.later("telemetry retry", delay, () => {
          this.#retry = undefined;
          this.#start();
        });
        return;
      } finally {
        this.#inFlight = undefined;
      }
    }
  }
}
