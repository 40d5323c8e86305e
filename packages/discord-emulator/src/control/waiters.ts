// Await helpers: resolve when a condition on emulator state holds (checked now and after every change),
// or fail after a timeout with a message that says what was awaited and what the state was.

import type { EmulatorStore } from "../state/store.js";

export class WaitTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, state: string) {
    super(`${what} timed out after ${timeoutMs} ms. ${state}`);
    this.name = "WaitTimeoutError";
  }
}

/** How long a caller waits (a default applies when omitted). */
export interface WaitOptionsInput {
  timeoutMs?: number;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Names the wait in the timeout error. */
  what: string;
  /** Describes the relevant state for the timeout error. */
  describe: () => string;
  /**
   * Also re-checks this often, for conditions that read state the emulator does not own (a bot's
   * database, a file): it can change after the last request the emulator served, with no event to follow.
   */
  pollMs?: number;
}

export function waitForState<T>(
  store: EmulatorStore,
  check: () => T | undefined,
  options: WaitOptions,
): Promise<T> {
  const now = check();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = store.onChange((event) => {
      if (event.kind === "closed") {
        finish();
        reject(new Error(`${options.what} ended: the emulator was closed`));
        return;
      }
      recheck();
    });
    const poll = options.pollMs === undefined ? undefined : setInterval(recheck, options.pollMs);
    function recheck() {
      let value: T | undefined;
      try {
        value = check();
      } catch (error) {
        finish();
        reject(error);
        return;
      }
      if (value === undefined) return;
      finish();
      resolve(value);
    }
    const timer = setTimeout(() => {
      finish();
      reject(new WaitTimeoutError(options.what, options.timeoutMs, options.describe()));
    }, options.timeoutMs);
    function finish() {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      unsubscribe();
    }
  });
}
