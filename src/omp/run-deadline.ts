// A run's time limit as the bot keeps it (SPEC §2): only the time the run is working counts. While it
// waits for a person (an approval, a question) or for a usage limit to reset, the deadline is paused;
// omp's own `--max-time` is only the backstop behind it.

import type { Clock } from "../clock.js";
import { expectPositive } from "../expect.js";

/** A deadline of `limitMs` of running time that can be paused, nested: it runs again after the last resume. */
export class RunDeadline {
  readonly #clock: Clock;
  readonly #onExpire: () => void;
  /** Running time left when the current stretch started (or, while paused, left now). */
  #remainingMs: number;
  /** When the current running stretch started; undefined while paused or over. */
  #since: number | undefined;
  #timer: unknown;
  /** Why it is paused, one entry per pause not resumed yet (oldest first). */
  readonly #pauses: string[] = [];
  #over = false;

  constructor(options: { clock: Clock; limitMs: number; onExpire: () => void }) {
    expectPositive("limitMs", options.limitMs);
    this.#clock = options.clock;
    this.#onExpire = options.onExpire;
    this.#remainingMs = options.limitMs;
    this.#run();
  }

  /** Stops counting until every pause has been resumed. A deadline already over ignores it. */
  pause(reason: string): void {
    if (this.#over) return;
    this.#pauses.push(reason);
    if (this.#pauses.length > 1) return;
    this.#remainingMs -= this.#clock.now() - (this.#since ?? this.#clock.now());
    this.#since = undefined;
    this.#clock.clearTimeout(this.#timer);
  }

  /** Undoes one pause; the count starts again after the last one. A resume without a pause is ignored. */
  resume(): void {
    if (this.#over || this.#pauses.length === 0) return;
    this.#pauses.pop();
    if (this.#pauses.length === 0) this.#run();
  }

  /** The run ended: no expiry after this. */
  stop(): void {
    this.#over = true;
    this.#clock.clearTimeout(this.#timer);
  }

  /** Why the deadline is paused now (one entry per pause), empty while it counts. */
  get pausedFor(): readonly string[] {
    return [...this.#pauses];
  }

  /** Running time left, never below 0. */
  get remainingMs(): number {
    const running = this.#since === undefined ? 0 : this.#clock.now() - this.#since;
    return Math.max(0, this.#remainingMs - running);
  }

  #run(): void {
    this.#since = this.#clock.now();
    this.#timer = this.#clock.setTimeout(
      () => {
        if (this.#over || this.#pauses.length > 0) return;
        this.#over = true;
        this.#onExpire();
      },
      Math.max(0, this.#remainingMs),
    );
  }
}
