// The retention sweep (SPEC §3 "Retention", OMPCORD_RETENTION_DAYS): on a schedule, sessions stopped
// longer ago than the configured age lose their rows and their files (transcripts, omp session dir,
// sandbox home); settled outbox rows and telemetry events of that age go too. Running and queued
// sessions are never touched: only stopped ones qualify, checked again as each is deleted.

import type { Logger } from "../log.js";
import type { ExpiredSession, PurgedRows, RemovedFiles } from "../store/index.js";

const DAY_MS = 86_400_000;

/** The store's `RetentionStore`. */
export interface RetentionRecords {
  expiredSessions(cutoff: Date): ExpiredSession[];
  deleteSession(sessionId: string): PurgedRows | undefined;
  deleteOldRows(cutoff: Date): PurgedRows;
}

export interface RetentionSweepOptions {
  /** Age in days after which a stopped session is purged. */
  days: number;
  records: RetentionRecords;
  /** Deletes the session's own directories, path-checked (`removeSessionFiles`). */
  removeFiles(sessionId: string): RemovedFiles;
  now?: () => Date;
  logger: Logger;
}

/** What one sweep did. */
export interface SweepReport {
  cutoff: Date;
  sessions: string[];
  rows: PurgedRows;
  directories: number;
  refused: RemovedFiles["refused"];
}

export class RetentionSweep {
  readonly #options: RetentionSweepOptions;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RetentionSweepOptions) {
    if (!Number.isInteger(options.days) || options.days < 1) {
      throw new TypeError(`Expected \`days\` to be a whole number from 1 and up, got \`${options.days}\``);
    }
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Purges what is older than the configured age now; logs what it purged. */
  sweep(): SweepReport {
    const { records, logger } = this.#options;
    const cutoff = new Date(this.#now().getTime() - this.#options.days * DAY_MS);
    const report: SweepReport = { cutoff, sessions: [], rows: {}, directories: 0, refused: [] };
    for (const session of records.expiredSessions(cutoff)) {
      // Rows first, in a transaction that checks again that the session is stopped and idle.
      const rows = records.deleteSession(session.id);
      if (!rows) continue;
      addRows(report.rows, rows);
      const files = this.#options.removeFiles(session.id);
      report.sessions.push(session.id);
      report.directories += files.removed.length;
      report.refused.push(...files.refused);
    }
    addRows(report.rows, records.deleteOldRows(cutoff));
    for (const refused of report.refused) {
      logger.warn({ path: refused.path, reason: refused.reason }, "retention: left a directory alone");
    }
    if (report.sessions.length > 0 || Object.values(report.rows).some((n) => n > 0)) {
      logger.info(
        {
          cutoff: cutoff.toISOString(),
          sessions: report.sessions,
          rows: report.rows,
          directories: report.directories,
        },
        `retention: purged ${report.sessions.length} stopped session(s) older than ${this.#options.days} day(s)`,
      );
    }
    return report;
  }

  /** Sweeps now and then every `intervalMs`; a failing sweep is logged and the next one still runs. */
  start(intervalMs: number): void {
    const run = () => {
      try {
        this.sweep();
      } catch (error) {
        this.#options.logger.error({ err: error }, "retention sweep failed");
      }
    };
    run();
    this.#timer = setInterval(run, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function addRows(into: PurgedRows, rows: PurgedRows): void {
  for (const [table, count] of Object.entries(rows)) {
    if (count > 0) into[table] = (into[table] ?? 0) + count;
  }
}
