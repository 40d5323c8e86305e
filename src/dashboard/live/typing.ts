// Discord's typing indicator in a session's thread while its run goes ("ompcord is typing…"), so people
// see the agent at work between dashboard edits. Each indicator is a write into the thread and books a
// place in its write window, but only a place nobody asked for with another left free: typing yields
// to dashboard edits, answers and notes, and a beat that finds no room is tried again a little later.

import { type Clock, systemClock } from "../../clock.js";
import { expectNonNegative } from "../../expect.js";
import type { Logger } from "../../log.js";
import type { ThreadWriteWindows } from "./write-window.js";

/** Discord shows the indicator for about 10 s: renewed a little before it fades. */
export const TYPING_INTERVAL_MS = 8_000;
/**
 * The first indicator waits this long after the run started: the run's first paint (Busy, #n) goes
 * first, and a run over in a moment shows none. A paint that waits for its place renders the newest state,
 * so typing at the very start could make a short run's first paint show its end before its answer landed.
 */
export const TYPING_FIRST_MS = 2_000;
/** A beat that found the window busy is tried again this soon (still only when there is room). */
export const TYPING_RETRY_MS = 1_000;
/** Places left free in the thread's window after a typing write: the next dashboard edit never waits for it. */
export const TYPING_SPARE_WRITES = 1;

export interface TypingIndicatorsOptions {
  /** Starts the indicator in a thread (`POST /channels/:id/typing`); a rejection is logged and skipped. */
  send: (threadId: string) => Promise<void>;
  windows: Pick<ThreadWriteWindows, "tryAcquire">;
  clock?: Clock;
  logger?: Logger | undefined;
  /** Default `TYPING_INTERVAL_MS`. */
  intervalMs?: number;
  /** Default `TYPING_RETRY_MS`. */
  retryMs?: number;
  /** Default `TYPING_FIRST_MS`. */
  firstMs?: number;
}

interface Indicator {
  threadId: string;
  timer: unknown;
  sending: boolean;
  stopped: boolean;
}

/** One indicator per session whose run is going, by session id. */
export class TypingIndicators {
  readonly #send: (threadId: string) => Promise<void>;
  readonly #windows: Pick<ThreadWriteWindows, "tryAcquire">;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #intervalMs: number;
  readonly #retryMs: number;
  readonly #firstMs: number;
  readonly #indicators = new Map<string, Indicator>();

  constructor(options: TypingIndicatorsOptions) {
    const { intervalMs = TYPING_INTERVAL_MS, retryMs = TYPING_RETRY_MS, firstMs = TYPING_FIRST_MS } = options;
    expectNonNegative("intervalMs", intervalMs);
    expectNonNegative("retryMs", retryMs);
    expectNonNegative("firstMs", firstMs);
    this.#firstMs = firstMs;
    this.#send = options.send;
    this.#windows = options.windows;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#intervalMs = intervalMs;
    this.#retryMs = retryMs;
  }

  /** The session's run started: typing soon (when there is room), and again every interval until `stop`. */
  start(sessionId: string, threadId: string): void {
    this.stop(sessionId);
    const indicator: Indicator = { threadId, timer: undefined, sending: false, stopped: false };
    this.#indicators.set(sessionId, indicator);
    this.#schedule(indicator, this.#firstMs);
  }

  /** The run ended (or the session stopped): no more typing. One already sent fades by itself. */
  stop(sessionId: string): void {
    const indicator = this.#indicators.get(sessionId);
    if (!indicator) return;
    indicator.stopped = true;
    this.#clock.clearTimeout(indicator.timer);
    this.#indicators.delete(sessionId);
  }

  /** Shutdown: every indicator stops. */
  stopAll(): void {
    for (const sessionId of [...this.#indicators.keys()]) this.stop(sessionId);
  }

  /** Sessions typing now. */
  get active(): number {
    return this.#indicators.size;
  }

  #beat(indicator: Indicator): void {
    if (indicator.stopped || indicator.sending) return;
    const ticket = this.#windows.tryAcquire(indicator.threadId, { spare: TYPING_SPARE_WRITES });
    if (!ticket) {
      this.#schedule(indicator, this.#retryMs);
      return;
    }
    indicator.sending = true;
    void this.#send(indicator.threadId)
      .catch((error: unknown) =>
        this.#logger?.debug({ err: error, threadId: indicator.threadId }, "typing indicator failed"),
      )
      .finally(() => {
        ticket.settled();
        indicator.sending = false;
        this.#schedule(indicator, this.#intervalMs);
      });
  }

  #schedule(indicator: Indicator, ms: number): void {
    if (indicator.stopped) return;
    this.#clock.clearTimeout(indicator.timer);
    indicator.timer = this.#clock.setTimeout(() => this.#beat(indicator), ms);
  }
}
