// The per-thread write window: Discord counts every message created or edited in one channel against one
// shared limit that no header announces (about 5 per 5 s, SPEC §9). Every writer into a thread books its
// write here first (dashboard edits, answers, notes, replies, reactions), so together they stay under it.

import { type Clock, systemClock } from "../../clock.js";
import { expectInteger, expectNonEmptyString, expectNonNegative } from "../../expect.js";
import {
  CHANNEL_WRITE_MARGIN_MS,
  CHANNEL_WRITE_WINDOW_MS,
  CHANNEL_WRITES_IN_FLIGHT,
  CHANNEL_WRITES_PER_WINDOW,
} from "./constants.js";

/** A booked write. Call `settled()` once its request has landed or failed, whichever way. */
export interface WriteTicket {
  settled(): void;
}

/** What a writer into one channel holds: booking a write, or recording one made without booking. */
export interface ChannelWrites {
  /**
   * Waits until one more write fits the channel's window, books it, and resolves with its ticket; resolves
   * `undefined` when `signal` aborts first. Writers are served in the order they asked.
   */
  acquire(options?: { signal?: AbortSignal | undefined }): Promise<WriteTicket | undefined>;
  /** A write that went out without a booking (the dashboard message a launch just posted). */
  recordSettled(): void;
}

export interface ThreadWriteWindowOptions {
  /** Writes per window (default `CHANNEL_WRITES_PER_WINDOW`). */
  limit?: number;
  /** Default `CHANNEL_WRITE_WINDOW_MS`. */
  windowMs?: number;
  /** Added to the window after each write settled (default `CHANNEL_WRITE_MARGIN_MS`). */
  marginMs?: number;
  /** Writes in flight at once in the channel (default `CHANNEL_WRITES_IN_FLIGHT`). */
  inFlight?: number;
  clock?: Clock;
}

interface Write {
  /** Undefined while the request is in flight: it holds its place until it settles. */
  settledAt: number | undefined;
}

interface Waiter {
  resolve: (ticket: WriteTicket | undefined) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * One channel's window. Discord counts a write when the request reaches it, somewhere between the moment
 * we send and the moment its answer arrives: counting from either end alone lets latency jitter (a busy
 * CPU, a request queued in discord.js behind a rate limit) move a write into a window that already holds
 * five. So a write counts from its booking until `windowMs + marginMs` after it settled; no sixth write
 * can then leave until Discord's window that held the first has closed, however the requests were
 * delayed on the way. Writes also go one at a time (by default): an edit and a post of the same thread
 * never race, and the thread's messages appear in the order they were booked.
 */
export class ThreadWriteWindow implements ChannelWrites {
  readonly #limit: number;
  readonly #inFlight: number;
  readonly #holdMs: number;
  readonly #clock: Clock;
  #writes: Write[] = [];
  readonly #waiters: Waiter[] = [];
  #timer: unknown;

  constructor(options: ThreadWriteWindowOptions = {}) {
    const {
      limit = CHANNEL_WRITES_PER_WINDOW,
      windowMs = CHANNEL_WRITE_WINDOW_MS,
      marginMs = CHANNEL_WRITE_MARGIN_MS,
      inFlight = CHANNEL_WRITES_IN_FLIGHT,
    } = options;
    expectInteger("limit", limit, 1);
    expectInteger("inFlight", inFlight, 1);
    expectNonNegative("windowMs", windowMs);
    expectNonNegative("marginMs", marginMs);
    this.#limit = limit;
    this.#inFlight = inFlight;
    this.#holdMs = windowMs + marginMs;
    this.#clock = options.clock ?? systemClock;
  }

  acquire(options: { signal?: AbortSignal | undefined } = {}): Promise<WriteTicket | undefined> {
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve(undefined);
    if (this.#waiters.length === 0 && this.#hasRoom()) return Promise.resolve(this.#book());
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          resolve(undefined);
          this.#pump();
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  recordSettled(): void {
    this.#writes.push({ settledAt: this.#clock.now() });
  }

  /**
   * Books a write only if it can go now without taking a place anyone asked for: nobody waits, and
   * `spare` places stay free after it. For writes that may be skipped (the typing indicator), so they
   * never delay the writes that matter. `undefined` when it cannot.
   */
  tryAcquire(options: { spare?: number } = {}): WriteTicket | undefined {
    const spare = options.spare ?? 0;
    if (this.#waiters.length > 0 || !this.#hasRoom()) return undefined;
    if (this.#writes.length + 1 + spare > this.#limit) return undefined;
    return this.#book();
  }

  /** Writes that count now (in flight, or settled within the window), and writers waiting. */
  get load(): { counted: number; waiting: number } {
    this.#prune();
    return { counted: this.#writes.length, waiting: this.#waiters.length };
  }

  /** Nothing counts and nobody waits: the window holds no state worth keeping. */
  get idle(): boolean {
    const { counted, waiting } = this.load;
    return counted === 0 && waiting === 0;
  }

  #prune(): void {
    const now = this.#clock.now();
    this.#writes = this.#writes.filter(
      (write) => write.settledAt === undefined || write.settledAt + this.#holdMs > now,
    );
  }

  #hasRoom(): boolean {
    this.#prune();
    if (this.#writes.length >= this.#limit) return false;
    let flying = 0;
    for (const write of this.#writes) if (write.settledAt === undefined) flying++;
    return flying < this.#inFlight;
  }

  #book(): WriteTicket {
    const write: Write = { settledAt: undefined };
    this.#writes.push(write);
    return {
      settled: () => {
        if (write.settledAt !== undefined) return;
        write.settledAt = this.#clock.now();
        // A settle can only make room later (after the hold), but it lets the timer know when.
        this.#pump();
      },
    };
  }

  /** Serves waiters in order while there is room; otherwise sleeps until the oldest settled write expires. */
  #pump(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#waiters.length > 0 && this.#hasRoom()) {
      const waiter = this.#waiters.shift()!;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(this.#book());
    }
    if (this.#waiters.length === 0) return;
    // Full: the earliest a place frees is when the oldest settled write leaves the window, or when a
    // write in flight settles (which calls this again).
    let expiresAt = Number.POSITIVE_INFINITY;
    for (const write of this.#writes) {
      if (write.settledAt !== undefined) expiresAt = Math.min(expiresAt, write.settledAt + this.#holdMs);
    }
    if (expiresAt === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(1, expiresAt - this.#clock.now()),
    );
  }
}

/**
 * The write windows of every channel the bot writes into, by channel id; built once by the app and
 * shared by the dashboards, the outbox and the listeners. A window with nothing counted and nobody
 * waiting is forgotten: it holds no state, and a fresh one behaves the same.
 */
export class ThreadWriteWindows {
  readonly #options: ThreadWriteWindowOptions;
  readonly #windows = new Map<string, ThreadWriteWindow>();
  #lookups = 0;

  constructor(options: ThreadWriteWindowOptions = {}) {
    // Validated once here rather than at the first channel's first write.
    new ThreadWriteWindow(options);
    this.#options = options;
  }

  /** The writes of one channel. The handle looks its window up on every use, so forgetting is safe. */
  for(channelId: string): ChannelWrites {
    expectNonEmptyString("channelId", channelId);
    return {
      acquire: (options) => this.#window(channelId).acquire(options),
      recordSettled: () => this.#window(channelId).recordSettled(),
    };
  }

  /** `ThreadWriteWindow.tryAcquire` in `channelId`'s window: a write that yields to every other. */
  tryAcquire(channelId: string, options: { spare?: number } = {}): WriteTicket | undefined {
    expectNonEmptyString("channelId", channelId);
    return this.#window(channelId).tryAcquire(options);
  }

  #window(channelId: string): ThreadWriteWindow {
    let window = this.#windows.get(channelId);
    if (!window) {
      window = new ThreadWriteWindow(this.#options);
      this.#windows.set(channelId, window);
    }
    // Now and then, forget idle windows so a bot that ran for months does not keep one per thread ever.
    if (++this.#lookups % 256 === 0) {
      for (const [id, other] of this.#windows) if (other !== window && other.idle) this.#windows.delete(id);
    }
    return window;
  }
}

/** One write outside the dashboards and the outbox (a reaction, a notice): booked, run, settled. */
export async function writeInWindow<T>(writes: ChannelWrites, write: () => Promise<T>): Promise<T> {
  const ticket = await writes.acquire();
  try {
    return await write();
  } finally {
    ticket?.settled();
  }
}
