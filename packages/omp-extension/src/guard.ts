// The "never crash omp" invariant: an error that escapes an extension handler, timer or promise ends
// the whole omp process (rc 1, "[Unhandled Rejection]"). Everything the extension runs goes through a
// Guard, which catches it and logs one stderr line per kind of failure, so a broken sidecar cannot
// flood omp's stderr either.

/** Where a guard's lines go (omp's stderr); each line is redacted first. */
export interface GuardOptions {
  write?: (line: string) => void;
  redact?: (text: string) => string;
}

const PREFIX = "[ompcord extension]";

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export class Guard {
  readonly #write: (line: string) => void;
  readonly #redact: (text: string) => string;
  readonly #reported = new Set<string>();

  constructor(options: GuardOptions = {}) {
    this.#write = options.write ?? ((line) => process.stderr.write(line));
    this.#redact = options.redact ?? ((text) => text);
  }

  /** Logs `message` for `kind` unless that kind was logged already. Never throws. */
  report(kind: string, message: string): void {
    if (this.#reported.has(kind)) return;
    this.#reported.add(kind);
    try {
      this.#write(`${PREFIX} ${this.#redact(message)}\n`);
    } catch {
      // stderr closed: nothing left to tell
    }
  }

  /** Logs an error for `kind` (once), saying what failed and that the run goes on. */
  fail(kind: string, error: unknown): void {
    this.report(
      kind,
      `${kind} failed: ${describe(error)} (the run goes on; further ${kind} failures are not logged)`,
    );
  }

  /** The kinds logged so far (tests). */
  get reported(): ReadonlySet<string> {
    return this.#reported;
  }

  /**
   * `fn` wrapped: a throw or a rejection is logged under `kind` and becomes `fallback`. Use it for every
   * handler given to omp and every callback of a timer or a promise nobody awaits.
   */
  wrap<A extends unknown[], R>(
    kind: string,
    fn: (...args: A) => R | Promise<R>,
    fallback: R,
  ): (...args: A) => R | Promise<R> {
    return (...args: A) => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            this.fail(kind, error);
            return fallback;
          });
        }
        return result;
      } catch (error) {
        this.fail(kind, error);
        return fallback;
      }
    };
  }

  /** Runs a promise nobody awaits: its rejection is logged, never left unhandled. */
  detach(kind: string, promise: Promise<unknown>): void {
    promise.catch((error: unknown) => this.fail(kind, error));
  }

  /** `setTimeout` whose callback is guarded and which never keeps omp alive on its own. */
  later(kind: string, ms: number, fn: () => void | Promise<void>): ReturnType<typeof setTimeout> {
    const guarded = this.wrap(kind, fn, undefined);
    const timer = setTimeout(() => {
      const result = guarded();
      if (result instanceof Promise) this.detach(kind, result);
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    return timer;
  }
}
