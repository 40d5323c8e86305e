// What runs spent, summed from the `runs` table for the day caps (src/sessions/spend.ts): tokens and cost
// of the runs that ended since a given time, overall or in one launch channel. Synchronous, like `Store`.

import type { Database, Statement } from "better-sqlite3";

export interface SpentSince {
  tokens: number;
  cost: number;
}

export class SpendLedger {
  readonly #overall: Statement<[number], SpentSince>;
  readonly #inChannel: Statement<[number, string], SpentSince>;

  /** On the connection `openStore` opened (`store.sqlite`). */
  constructor(sqlite: Database) {
    // Runs that are still going are counted by whoever watches them live: their row says 0 until the end.
    this.#overall = sqlite.prepare(
      "SELECT coalesce(sum(tokens), 0) AS tokens, coalesce(sum(cost), 0) AS cost FROM runs WHERE ended_at >= ?",
    );
    this.#inChannel = sqlite.prepare(
      `SELECT coalesce(sum(r.tokens), 0) AS tokens, coalesce(sum(r.cost), 0) AS cost
         FROM runs r JOIN sessions s ON s.id = r.session_id
        WHERE r.ended_at >= ? AND s.parent_channel_id = ?`,
    );
  }

  /** Tokens and cost of the runs that ended at or after `since`, in `channelId` when given. */
  spentSince(since: Date, channelId?: string): SpentSince {
    return channelId === undefined
      ? this.#overall.get(since.getTime())!
      : this.#inChannel.get(since.getTime(), channelId)!;
  }
}
