// Steering for running agents, exactly once and in order: a message queued for a session is leased to
// the run that polls for it, and becomes delivered only when that run's extension acknowledges having
// seen it arrive in the agent's session. A run that ends without acknowledging gives its leases back.
// Leases live in the store (SQLite), so a bot restart loses and doubles nothing.

import type { RunRevocation } from "./run-tokens.js";

/** A steering message as the store keeps it. */
export interface SteeringRecord {
  id: string;
  sessionId: string;
  authorId: string;
  /** As typed (the store masks it once it is delivered). */
  text: string;
  createdAt: Date;
  leasedRunId: string | null;
  deliveredAt: Date | null;
}

/** What the ledger needs of the store (src/store implements it with SQLite, each call atomic). */
export interface SteeringStore {
  enqueueSteering(input: { sessionId: string; authorId: string; text: string }): SteeringRecord;
  /** The session's pending messages (not delivered, not leased), oldest first, now leased to `runId`. */
  leaseSteering(sessionId: string, runId: string): SteeringRecord[];
  /**
   * Of `ids`, those leased to `runId`, now delivered, oldest first; `newly` says whether this call
   * delivered it (false for a repeated acknowledgement).
   */
  ackSteering(runId: string, ids: readonly string[]): (SteeringRecord & { newly: boolean })[];
  /** The run's leases not delivered yet, oldest first. */
  leasedSteering(runId: string): SteeringRecord[];
  /** The run's leases that were not delivered, now pending again, oldest first. */
  releaseSteering(runId: string): SteeringRecord[];
  /**
   * The session's messages not leased and not delivered, oldest first. When the store has it, a run's
   * end also gives back what was queued for the run but never leased (it came as the run ended).
   */
  pendingSteering?(sessionId: string): SteeringRecord[];
}

/** A message as a run receives it. */
export interface LeasedSteering {
  id: string;
  /** The text prepared for omp (neutralised): what the agent will see, and what the extension matches. */
  content: string;
  createdAt: Date;
}

export interface SteeringDelivered {
  sessionId: string;
  runId: string;
  message: SteeringRecord;
  /** `ack`: the run's extension saw it arrive; `stdout`: omp's output showed it when the run ended. */
  via: "ack" | "stdout";
}

export interface SteeringReleased {
  sessionId: string;
  runId: string;
  /**
   * Pending again, oldest first: the run's leases it never took, and what was queued for it but never
   * leased. The next run leases them, unless the bot turns them into a follow-up.
   */
  messages: SteeringRecord[];
}

export interface SteeringLedgerOptions {
  store: SteeringStore;
  /**
   * What a message's text becomes before a run gets it (the runner's `neutralisePrompt`): the model reads
   * the same words and omp acts on none of them. Identity when omitted.
   */
  prepare?: (text: string) => string;
  /** Hears what a listener threw (the other listeners still run). */
  onError?: (error: unknown) => void;
}

export class SteeringLedger {
  readonly #store: SteeringStore;
  readonly #prepare: (text: string) => string;
  readonly #onError: (error: unknown) => void;
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #delivered = new Set<(event: SteeringDelivered) => void>();
  readonly #released = new Set<(event: SteeringReleased) => void>();
  /** The last run of each session whose end was handled: a steer for it now comes too late. */
  readonly #ended = new Map<string, string>();
  #closed = false;

  constructor(options: SteeringLedgerOptions) {
    if (typeof options?.store?.leaseSteering !== "function") {
      throw new TypeError(
        "Expected `store` to be a SteeringStore (enqueue, lease, ack and release steering)",
      );
    }
    this.#store = options.store;
    this.#prepare = options.prepare ?? ((text) => text);
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Queues `text` for the session's running agent and wakes the run's long-poll. The text is stored as
   * typed; the caller checks access and length (as for `/omp say`).
   */
  queue(input: { sessionId: string; authorId: string; text: string }): SteeringRecord {
    const record = this.#store.enqueueSteering(input);
    this.#wake(input.sessionId);
    return record;
  }

  /** Leases the session's pending messages to `runId`, oldest first, prepared for omp. */
  lease(sessionId: string, runId: string): LeasedSteering[] {
    return this.#store.leaseSteering(sessionId, runId).map((record) => ({
      id: record.id,
      content: this.#prepare(record.text),
      createdAt: record.createdAt,
    }));
  }

  /**
   * Resolves when a message is queued for the session, after `ms`, when `signal` aborts, or when the
   * ledger closes, whichever comes first. Never rejects.
   */
  waitForWork(sessionId: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(sessionId) ?? new Set<() => void>();
      this.#waiters.set(sessionId, waiters);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(sessionId) === waiters) this.#waiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      waiters.add(done);
    });
  }

  /**
   * Marks messages leased to `runId` delivered; returns the acknowledged ids, oldest first (a repeated
   * acknowledgement returns them again; ids the run does not hold are left out).
   */
  ack(sessionId: string, runId: string, ids: readonly string[]): string[] {
    const rows = this.#store.ackSteering(runId, ids);
    for (const row of rows) {
      if (row.newly) this.#emitDelivered({ sessionId, runId, message: row, via: "ack" });
    }
    return rows.map((row) => row.id);
  }

  /**
   * The run ended (its token was revoked): a lease whose text omp's stdout showed arriving is delivered
   * (the acknowledgement was lost: the sidecar was down, or the run was killed right after), the others
   * are pending again.
   */
  endRun(run: RunRevocation): { delivered: SteeringRecord[]; released: SteeringRecord[] } {
    const seen = [...run.seenSteering];
    const arrived: string[] = [];
    for (const record of this.#store.leasedSteering(run.runId)) {
      const at = seen.indexOf(this.#prepare(record.text));
      if (at === -1) continue;
      seen.splice(at, 1);
      arrived.push(record.id);
    }
    const delivered = this.#store.ackSteering(run.runId, arrived).filter((row) => row.newly);
    for (const message of delivered) {
      this.#emitDelivered({ sessionId: run.sessionId, runId: run.runId, message, via: "stdout" });
    }
    const released = this.#store.releaseSteering(run.runId);
    this.#ended.set(run.sessionId, run.runId);
    // Queued while the run was ending, after its extension stopped polling: never leased, as late as a
    // released lease (no other run of the session exists before this one's end is handled).
    const unleased = (this.#store.pendingSteering?.(run.sessionId) ?? []).filter(
      (record) => !released.some((lease) => lease.id === record.id),
    );
    const messages = [...released, ...unleased].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    if (messages.length > 0) {
      for (const listener of this.#released) {
        this.#safely(() => listener({ sessionId: run.sessionId, runId: run.runId, messages }));
      }
      // Another run of the session may be polling already (the next prompt started at once).
      this.#wake(run.sessionId);
    }
    return { delivered, released };
  }

  /**
   * Whether `runId`'s end was already handled (its token revoked): the scheduler may still show it
   * running for a moment, but a steer queued for it now would wait for the session's next run.
   */
  hasEnded(sessionId: string, runId: string): boolean {
    return this.#ended.get(sessionId) === runId;
  }

  /** Hears each message as it becomes delivered (the "delivered" acknowledgement in Discord). */
  onDelivered(listener: (event: SteeringDelivered) => void): () => void {
    this.#delivered.add(listener);
    return () => this.#delivered.delete(listener);
  }

  /** Hears what a run gave back when it ended (the bot turns it into a follow-up, and says so). */
  onReleased(listener: (event: SteeringReleased) => void): () => void {
    this.#released.add(listener);
    return () => this.#released.delete(listener);
  }

  /** Answers every waiting long-poll now; later waits return at once. */
  close(): void {
    this.#closed = true;
    for (const sessionId of [...this.#waiters.keys()]) this.#wake(sessionId);
  }

  /** Long-polls waiting now (for tests and metrics). */
  waiting(sessionId?: string): number {
    if (sessionId !== undefined) return this.#waiters.get(sessionId)?.size ?? 0;
    let total = 0;
    for (const waiters of this.#waiters.values()) total += waiters.size;
    return total;
  }

  #wake(sessionId: string): void {
    const waiters = this.#waiters.get(sessionId);
    if (!waiters) return;
    for (const wake of [...waiters]) wake();
  }

  #emitDelivered(event: SteeringDelivered): void {
    for (const listener of this.#delivered) this.#safely(() => listener(event));
  }

  #safely(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#onError(error);
    }
  }
}
