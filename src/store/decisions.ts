// The decisions log of issue 10: each approval and question a run waited on, settled exactly once.
// Settling is one conditional UPDATE, so of two clicks racing (or a click and the timeout) the first
// wins and the second learns who decided what and when. Synchronous (better-sqlite3) like `Store`.

import type { Database } from "better-sqlite3";
import { and, asc, desc, eq } from "drizzle-orm";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { UnknownRecordError } from "./errors.js";
import { newId } from "./ids.js";
import { type DecisionKind, type DecisionOutcome, type DecisionRow, decisions } from "./schema.js";

export interface NewDecision {
  kind: DecisionKind;
  sessionId: string;
  runId: string;
  toolCallId?: string | null;
  toolName: string;
  /** What is asked, short; redacted on the way in. */
  subject: string;
  /** The person who queued the running prompt. */
  requestedFor: string;
  threadId: string;
}

/** How a decision settles; `decidedBy` is required for the outcomes a person makes. */
export type Settlement =
  | {
      outcome: "approved" | "approved_by_all" | "denied" | "answered";
      decidedBy: string;
      detail?: string | null;
    }
  | { outcome: "timed_out" | "cancelled" | "expired"; detail?: string | null };

export interface SettleResult {
  row: DecisionRow;
  /** False when it was already settled: `row` then says by whom, how and when. */
  settled: boolean;
}

export interface DecisionStoreOptions {
  now?: () => Date;
  /** Masks secrets in `subject` and `detail` (src/output/redact.ts). Default: stored as given. */
  redact?: (text: string) => string;
}

const PERSON_OUTCOMES: ReadonlySet<DecisionOutcome> = new Set([
  "approved",
  "approved_by_all",
  "denied",
  "answered",
]);

export class DecisionStore {
  readonly #db: BetterSQLite3Database;
  readonly #now: () => Date;
  readonly #redact: (text: string) => string;

  /** On the connection `openStore` opened (its migrations created the table). */
  constructor(sqlite: Database, options: DecisionStoreOptions = {}) {
    this.#db = drizzle({ client: sqlite });
    this.#now = options.now ?? (() => new Date());
    this.#redact = options.redact ?? ((text) => text);
  }

  /** Records a decision the run now waits for. */
  open(input: NewDecision): DecisionRow {
    return this.#db
      .insert(decisions)
      .values({
        id: newId(),
        kind: input.kind,
        sessionId: input.sessionId,
        runId: input.runId,
        toolCallId: input.toolCallId ?? null,
        toolName: input.toolName,
        subject: this.#redact(input.subject),
        requestedFor: input.requestedFor,
        threadId: input.threadId,
        createdAt: this.#now(),
      })
      .returning()
      .get();
  }

  get(id: string): DecisionRow | undefined {
    return this.#db.select().from(decisions).where(eq(decisions.id, id)).get();
  }

  /** The card or question message, once posted. */
  setMessage(id: string, messageId: string): DecisionRow {
    const row = this.#db.update(decisions).set({ messageId }).where(eq(decisions.id, id)).returning().get();
    if (!row) throw new UnknownRecordError("decisions", id);
    return row;
  }

  /**
   * Settles a pending decision; the first settlement wins. Throws for an unknown id, and for a person's
   * outcome without the person (nothing but a person approves).
   */
  settle(id: string, settlement: Settlement): SettleResult {
    const decidedBy = "decidedBy" in settlement ? settlement.decidedBy : null;
    if (PERSON_OUTCOMES.has(settlement.outcome) && !decidedBy) {
      throw new TypeError(
        `Expected \`decidedBy\` for outcome \`${settlement.outcome}\`, got \`${decidedBy}\``,
      );
    }
    const row = this.#db
      .update(decisions)
      .set({
        outcome: settlement.outcome,
        decidedBy,
        detail: settlement.detail ? this.#redact(settlement.detail) : null,
        decidedAt: this.#now(),
      })
      .where(and(eq(decisions.id, id), eq(decisions.outcome, "pending")))
      .returning()
      .get();
    if (row) return { row, settled: true };
    const existing = this.get(id);
    if (!existing) throw new UnknownRecordError("decisions", id);
    return { row: existing, settled: false };
  }

  /** Still pending, oldest first. */
  pending(): DecisionRow[] {
    return this.#db
      .select()
      .from(decisions)
      .where(eq(decisions.outcome, "pending"))
      .orderBy(asc(decisions.createdAt))
      .all();
  }

  /** At start: everything a previous process left pending is expired; returns the rows to repaint. */
  expirePending(): DecisionRow[] {
    return this.#settleAll(eq(decisions.outcome, "pending"), { outcome: "expired" });
  }

  /** A run ended while waiting (cancel, stop, shutdown, crash): its pending decisions are cancelled. */
  cancelPendingOfRun(runId: string, why: string): DecisionRow[] {
    return this.#settleAll(and(eq(decisions.runId, runId), eq(decisions.outcome, "pending")), {
      outcome: "cancelled",
      detail: why,
    });
  }

  /** A session's decisions, newest first: for `/omp queue`'s run detail or a history command. */
  listForSession(sessionId: string, limit = 25): DecisionRow[] {
    return this.#db
      .select()
      .from(decisions)
      .where(eq(decisions.sessionId, sessionId))
      .orderBy(desc(decisions.createdAt), desc(decisions.id))
      .limit(limit)
      .all();
  }

  /** One run's decisions in the order they were asked. */
  listForRun(runId: string): DecisionRow[] {
    return this.#db
      .select()
      .from(decisions)
      .where(eq(decisions.runId, runId))
      .orderBy(asc(decisions.createdAt), asc(decisions.id))
      .all();
  }

  #settleAll(where: ReturnType<typeof and>, settlement: Settlement): DecisionRow[] {
    return this.#db
      .update(decisions)
      .set({
        outcome: settlement.outcome,
        decidedBy: null,
        detail: settlement.detail ? this.#redact(settlement.detail) : null,
        decidedAt: this.#now(),
      })
      .where(where)
      .returning()
      .all();
  }
}
