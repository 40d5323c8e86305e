// A clock that runs at real speed and that a test can move forward at once: a real omp run takes as long
// as it takes, but a time limit can be made to pass exactly while the run waits (or while it works).

import type { Clock } from "../../src/clock.js";

interface Timer {
  at: number;
  callback: () => void;
  handle: NodeJS.Timeout;
}

export class JumpClock implements Clock {
  #offset = 0;
  readonly #timers = new Set<Timer>();

  now(): number {
    return Date.now() + this.#offset;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer: Timer = {
      at: this.now() + ms,
      callback,
      handle: setTimeout(() => this.#fire(timer), ms),
    };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as Timer | undefined;
    if (!timer) return;
    clearTimeout(timer.handle);
    this.#timers.delete(timer);
  }

  /** Moves time forward by `ms` now; every timer due by then fires, in order. */
  jump(ms: number): void {
    this.#offset += ms;
    const due = [...this.#timers].filter((t) => t.at <= this.now()).sort((a, b) => a.at - b.at);
    for (const timer of due) this.#fire(timer);
  }

  #fire(timer: Timer): void {
    if (!this.#timers.delete(timer)) return;
    clearTimeout(timer.handle);
    timer.callback();
  }
}
