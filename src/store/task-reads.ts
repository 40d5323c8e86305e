// What `GET /api/tasks/:id` reports beyond the session row (issue 14): the session's runs, and the answer
// of a run as the outbox holds it (what the thread shows). Reads only.

import type { Database } from "better-sqlite3";
import { and, asc, eq, gte } from "drizzle-orm";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { outbox, type RunRow, runs } from "./schema.js";

export class TaskReads {
  readonly #db: BetterSQLite3Database;

  constructor(sqlite: Database) {
    this.#db = drizzle({ client: sqlite });
  }

  /** The session's runs, first to last. */
  runs(sessionId: string): RunRow[] {
    return this.#db
      .select()
      .from(runs)
      .where(eq(runs.sessionId, sessionId))
      .orderBy(asc(runs.runNumber))
      .all();
  }

  /**
   * The answer messages stored for the session's thread since `since` (a run's start: runs of a
   * session are one at a time, and a run's answer is stored when it ends), joined; null when none.
   */
  answerSince(sessionId: string, since: Date): string | null {
    const rows = this.#db
      .select({ content: outbox.content })
      .from(outbox)
      .where(and(eq(outbox.sessionId, sessionId), eq(outbox.kind, "answer"), gte(outbox.createdAt, since)))
      .orderBy(asc(outbox.position))
      .all();
    return rows.length === 0 ? null : rows.map((row) => row.content).join("\n");
  }
}
