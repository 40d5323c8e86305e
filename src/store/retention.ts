// What retention may delete from the database (SPEC §3 "Retention"): sessions stopped before a cutoff
// with nothing queued or running, each removed with every row that refers to it, and settled outbox rows
// and telemetry events older than the cutoff. Synchronous, like `Store`; one transaction per session.

import type { Database, Statement } from "better-sqlite3";

/** A session retention may purge: stopped before the cutoff, nothing of it queued or running. */
export interface ExpiredSession {
  id: string;
  threadId: string;
  stoppedAt: number;
}

/** Rows deleted, by table. */
export type PurgedRows = Record<string, number>;

// Children before parents: the foreign keys point from these to `runs` and `sessions`.
const SESSION_TABLES = [
  ["decisions", "session_id = ?"],
  ["run_processes", "run_id IN (SELECT id FROM runs WHERE session_id = ?)"],
  ["steering", "session_id = ?"],
  ["events", "session_id = ?"],
  ["outbox", "session_id = ?"],
  ["runs", "session_id = ?"],
  ["prompts", "session_id = ?"],
  ["sessions", "id = ?"],
] as const;

export class RetentionStore {
  readonly #sqlite: Database;
  readonly #expired: Statement<[number], ExpiredSession>;
  readonly #stillIdle: Statement<[string], { id: string }>;
  readonly #deletes: { table: string; statement: Statement<[string]> }[];
  readonly #settledOutbox: Statement<[number]>;
  readonly #oldEvents: Statement<[number]>;

  /** On the connection `openStore` opened (`store.sqlite`). */
  constructor(sqlite: Database) {
    this.#sqlite = sqlite;
    // A stopped session whose run is still winding down (its prompt running, its run not ended) waits.
    const idle = `NOT EXISTS (SELECT 1 FROM prompts p WHERE p.session_id = s.id AND p.status IN ('queued', 'running'))
      AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.session_id = s.id AND r.ended_at IS NULL)`;
    this.#expired = sqlite.prepare(
      `SELECT s.id AS id, s.thread_id AS threadId, s.stopped_at AS stoppedAt FROM sessions s
        WHERE s.stopped_at IS NOT NULL AND s.stopped_at < ? AND ${idle} ORDER BY s.stopped_at`,
    );
    this.#stillIdle = sqlite.prepare(
      `SELECT s.id AS id FROM sessions s WHERE s.id = ? AND s.stopped_at IS NOT NULL AND ${idle}`,
    );
    this.#deletes = SESSION_TABLES.map(([table, where]) => ({
      table,
      statement: sqlite.prepare(`DELETE FROM ${table} WHERE ${where}`),
    }));
    this.#settledOutbox = sqlite.prepare(
      "DELETE FROM outbox WHERE status != 'pending' AND settled_at IS NOT NULL AND settled_at < ?",
    );
    this.#oldEvents = sqlite.prepare("DELETE FROM events WHERE received_at < ?");
  }

  /** Sessions stopped before `cutoff` with nothing queued or running, oldest first. */
  expiredSessions(cutoff: Date): ExpiredSession[] {
    return this.#expired.all(cutoff.getTime());
  }

  /**
   * Deletes a stopped, idle session and every row of it; nothing (and an empty result) when it is not
   * stopped or something of it is queued or running now. Checked in the same transaction.
   */
  deleteSession(sessionId: string): PurgedRows | undefined {
    return this.#sqlite.transaction(() => {
      if (!this.#stillIdle.get(sessionId)) return undefined;
      const purged: PurgedRows = {};
      for (const { table, statement } of this.#deletes) {
        const { changes } = statement.run(sessionId);
        if (changes > 0) purged[table] = changes;
      }
      return purged;
    })();
  }

  /** Settled outbox rows and telemetry events of any session from before `cutoff`. */
  deleteOldRows(cutoff: Date): PurgedRows {
    return this.#sqlite.transaction(() => ({
      outbox: this.#settledOutbox.run(cutoff.getTime()).changes,
      events: this.#oldEvents.run(cutoff.getTime()).changes,
    }))();
  }
}
