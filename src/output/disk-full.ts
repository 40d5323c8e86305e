// A full disk (or a used-up quota) as a person should hear about it: recognised from Node's and SQLite's
// error codes, worded with what to do, and logged once per episode instead of once per failed write.

/** Node's codes for "no space" and "quota exceeded", and SQLite's for a database that cannot grow. */
const DISK_FULL_CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL"]);
/** The same in a message (omp's own errors reach us as text). */
const DISK_FULL_TEXT = /\b(ENOSPC|EDQUOT|SQLITE_FULL)\b|no space left on device|disk quota exceeded/i;

/** Whether `error` (an Error with a `code`, or a message) says the disk or the quota is full. */
export function isDiskFull(error: unknown): boolean {
  if (error && typeof error === "object" && "code" in error && DISK_FULL_CODES.has(String(error.code))) {
    return true;
  }
  const text = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  return DISK_FULL_TEXT.test(text);
}

/** The sentence a person reads: what could not be written, and what to do. */
export function diskFullMessage(what: string): string {
  return `The disk is full: ${what} could not be written. Free some space where ompcord keeps its data (\`/omp health\` shows how much is left), then send the prompt again.`;
}

/** Logs the first disk-full error, then stays quiet for `quietMs`, counting what it did not log. */
export class DiskFullLog {
  readonly #log: (fields: Record<string, unknown>, message: string) => void;
  readonly #quietMs: number;
  readonly #now: () => number;
  #lastAt: number | undefined;
  #suppressed = 0;

  constructor(options: {
    log: (fields: Record<string, unknown>, message: string) => void;
    quietMs?: number;
    now?: () => number;
  }) {
    this.#log = options.log;
    this.#quietMs = options.quietMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Reports one failed write of `what`; logged unless one was logged less than `quietMs` ago. */
  report(what: string, error: unknown, fields: Record<string, unknown> = {}): void {
    const now = this.#now();
    if (this.#lastAt !== undefined && now - this.#lastAt < this.#quietMs) {
      this.#suppressed++;
      return;
    }
    const code = error && typeof error === "object" && "code" in error ? String(error.code) : undefined;
    this.#log(
      { ...fields, what, code, alsoSince: this.#suppressed },
      `disk full: ${what} could not be written; free space in the data dir`,
    );
    this.#lastAt = now;
    this.#suppressed = 0;
  }
}
