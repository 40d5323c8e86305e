// The one time source of the bot's timed parts (batching, pacing, write windows, the outbox): the real
// clock in production, a fake one in tests, so that timing is tested without waiting.

/** Time source and timers. */
export interface Clock {
  /** Milliseconds, as `Date.now()`. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
