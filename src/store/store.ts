// The repository: every query the services need, synchronous (better-sqlite3), returning plain rows.
// Multi-step changes run in one transaction, so a crash leaves either all of a change or none of it.

import type { Database } from "better-sqlite3";
import { and, asc, count, desc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { DuplicateLaunchError, UnknownRecordError } from "./errors.js";
import { newId } from "./ids.js";
import {
  type EventRow,
  events,
  type OutboxKind,
  type OutboxRow,
  type OutboxStatus,
  outbox,
  type PromptRow,
  type PromptSource,
  type PromptStatus,
  prompts,
  type RunOutcome,
  type RunProcessRole,
  type RunProcessRow,
  type RunRow,
  runProcesses,
  runs,
  type SessionRow,
  type SessionState,
  type SteeringRow,
  sessions,
  steering,
} from "./schema.js";

export interface NewSession {
  guildId: string;
  parentChannelId: string;
  threadId: string;
  /** The message a 🚀 launched from; `null`/absent for `/omp new`. */
  launchMessageId?: string | null;
  name: string;
  createdBy: string;
  /** Fixed path, or built from the new session's id (its own directory under the workspace root). */
  workDir: string | ((session: { id: string }) => string);
  state?: SessionState;
  /** `--model` for its runs; absent: the configured default. */
  model?: string | null;
  /** The named project it was opened in, if any. */
  project?: string | null;
}

export interface NewPrompt {
  sessionId: string;
  authorId: string;
  text: string;
  source: PromptSource;
}

export interface RunStart {
  sessionId: string;
  promptId: string;
  /** Fixed path, or built from the new run's id and number (`<n>-<id>.log`). */
  transcriptPath?: string | ((run: { id: string; runNumber: number }) => string);
  pid?: number | null;
}

export interface RunFinish {
  /** `interrupted`: the bot stopped during the run (a shutdown past its grace period), nobody cancelled it. */
  outcome: RunOutcome | "interrupted";
  exitCode: number | null;
  signal: string | null;
  error?: string | null | undefined;
  tokens?: number;
  cost?: number;
  outputBytes?: number;
  endedAt?: Date;
}

/** A process as `recordRunProcess` takes it: who it is, durably. */
export interface RecordedProcess {
  pid: number;
  startTicks: number;
  bootId: string;
}

/** A run that was running when the bot died: its pid may still be alive, its dashboard needs a repaint. */
export interface InterruptedRun {
  run: RunRow;
  session: SessionRow;
  prompt: PromptRow | undefined;
}

export interface ReconcileResult {
  interruptedRuns: InterruptedRun[];
  /** Every session whose state the reconcile changed (busy → degraded or idle): repaint these dashboards. */
  affectedSessions: SessionRow[];
  /** Steering messages runs had leased but not acknowledged: pending again. */
  releasedSteering: SteeringRow[];
}

/** A message the bot owes a thread, as the outbox hands it to the store. */
export interface NewOutboxMessage {
  kind: OutboxKind;
  content: string;
  /** JSON text of the files (see the schema). */
  files?: string | null;
  replyTo?: string | null;
  fallback?: string | null;
}

export interface StoreStats {
  /** Sessions not stopped. */
  sessionsActive: number;
  sessionsBusy: number;
  promptsQueued: number;
  runsRunning: number;
}

export interface StoreOptions {
  /** The clock behind every timestamp; tests pass a fixed one. */
  now?: () => Date;
  /**
   * Masks secrets in text kept at rest (see src/output/redact.ts): session names, run errors, and
   * prompts and steering messages once they have run or been dropped (until then they must stay as
   * typed). Default: text is stored as given.
   */
  redact?: (text: string) => string;
}

const TERMINAL_PROMPT: Record<RunFinish["outcome"], PromptStatus> = {
  success: "done",
  failed: "failed",
  timed_out: "failed",
  crashed: "failed",
  cancelled: "cancelled",
  interrupted: "interrupted",
};

export class Store {
  readonly #db: BetterSQLite3Database;
  readonly #now: () => Date;
  readonly #redact: (text: string) => string;

  /** Use `openStore(path)`: it applies the pragmas and migrations this class relies on. */
  constructor(
    db: BetterSQLite3Database,
    /** The underlying connection, for diagnostics and tests; services use the methods. */
    readonly sqlite: Database,
    options: StoreOptions = {},
  ) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    this.#redact = options.redact ?? ((text) => text);
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  // ── sessions ────────────────────────────────────────────────────────────────────────────────

  /**
   * Records a new session. A thread or launch message that already has a session throws
   * `DuplicateLaunchError` carrying the existing row; the unique keys back this up even if two
   * launches race past the check.
   */
  createSession(input: NewSession): SessionRow {
    return this.#transaction(() => {
      this.#throwIfLaunched(input);
      const now = this.#now();
      try {
        const id = newId();
        return this.#db
          .insert(sessions)
          .values({
            id,
            guildId: input.guildId,
            parentChannelId: input.parentChannelId,
            threadId: input.threadId,
            launchMessageId: input.launchMessageId ?? null,
            name: this.#redact(input.name),
            createdBy: input.createdBy,
            workDir: typeof input.workDir === "function" ? input.workDir({ id }) : input.workDir,
            state: input.state ?? "idle",
            model: input.model ?? null,
            project: input.project ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
      } catch (error) {
        if (isUniqueViolation(error)) this.#throwIfLaunched(input);
        throw error;
      }
    });
  }

  getSession(id: string): SessionRow | undefined {
    return this.#db.select().from(sessions).where(eq(sessions.id, id)).get();
  }

  getSessionByThread(threadId: string): SessionRow | undefined {
    return this.#db.select().from(sessions).where(eq(sessions.threadId, threadId)).get();
  }

  getSessionByLaunchMessage(messageId: string): SessionRow | undefined {
    return this.#db.select().from(sessions).where(eq(sessions.launchMessageId, messageId)).get();
  }

  /** Sessions not stopped, oldest first. */
  listActiveSessions(): SessionRow[] {
    return this.#db
      .select()
      .from(sessions)
      .where(isNull(sessions.stoppedAt))
      .orderBy(asc(sessions.createdAt))
      .all();
  }

  setDashboardMessage(sessionId: string, messageId: string): SessionRow {
    return this.#updateSession(sessionId, { dashboardMessageId: messageId });
  }

  /** The model later runs use (`/omp model`); null goes back to the configured default. */
  setSessionModel(sessionId: string, model: string | null): SessionRow {
    return this.#updateSession(sessionId, { model });
  }

  setOmpSessionId(sessionId: string, ompSessionId: string): SessionRow {
    return this.#updateSession(sessionId, { ompSessionId });
  }

  setSessionState(sessionId: string, state: SessionState): SessionRow {
    return this.#updateSession(sessionId, { state });
  }

  /** Marks the session stopped; its rows stay as history (SPEC §3: nothing is deleted). */
  markSessionStopped(sessionId: string): SessionRow {
    return this.#updateSession(sessionId, { stoppedAt: this.#now() });
  }

  // ── prompts ─────────────────────────────────────────────────────────────────────────────────

  /** Appends a prompt to the end of the session's queue. */
  enqueuePrompt(input: NewPrompt): PromptRow {
    return this.#transaction(() => {
      this.#requireSession(input.sessionId);
      const last = this.#db
        .select({ position: sql<number>`coalesce(max(${prompts.position}), 0)` })
        .from(prompts)
        .where(eq(prompts.sessionId, input.sessionId))
        .get();
      return this.#db
        .insert(prompts)
        .values({
          id: newId(),
          sessionId: input.sessionId,
          authorId: input.authorId,
          text: input.text,
          source: input.source,
          status: "queued",
          position: (last?.position ?? 0) + 1,
          createdAt: this.#now(),
        })
        .returning()
        .get();
    });
  }

  getPrompt(id: string): PromptRow | undefined {
    return this.#db.select().from(prompts).where(eq(prompts.id, id)).get();
  }

  /** The prompt that runs next in this session, if any. */
  nextQueuedPrompt(sessionId: string): PromptRow | undefined {
    return this.#queued(sessionId).limit(1).get();
  }

  /** Waiting prompts in the order they will run. */
  listQueuedPrompts(sessionId: string): PromptRow[] {
    return this.#queued(sessionId).all();
  }

  countQueued(sessionId: string): number {
    const row = this.#db
      .select({ n: count() })
      .from(prompts)
      .where(and(eq(prompts.sessionId, sessionId), eq(prompts.status, "queued")))
      .get();
    return row?.n ?? 0;
  }

  /** The prompt currently marked running in this session, if any. */
  runningPrompt(sessionId: string): PromptRow | undefined {
    return this.#db
      .select()
      .from(prompts)
      .where(and(eq(prompts.sessionId, sessionId), eq(prompts.status, "running")))
      .get();
  }

  /** Ids of sessions (not stopped) with prompts waiting, the longest-waiting first: what to resume at start. */
  sessionsWithQueuedPrompts(): string[] {
    return this.#db
      .select({ id: prompts.sessionId })
      .from(prompts)
      .innerJoin(sessions, eq(sessions.id, prompts.sessionId))
      .where(and(eq(prompts.status, "queued"), isNull(sessions.stoppedAt)))
      .groupBy(prompts.sessionId)
      .orderBy(sql`min(${prompts.createdAt})`, sql`min(${prompts}.rowid)`)
      .all()
      .map((row) => row.id);
  }

  /** Ends a prompt as failed outside a run's own end (the scheduler's bookkeeping failed around it). */
  markPromptFailed(promptId: string): PromptRow {
    return this.#transaction(() => {
      const prompt = this.getPrompt(promptId);
      if (!prompt) throw new UnknownRecordError("prompts", promptId);
      return this.#settlePrompt(prompt, "failed", this.#now());
    });
  }

  /** Drops the session's waiting prompts (they stay as `cancelled` history); returns how many. */
  cancelQueuedPrompts(sessionId: string): number {
    return this.#transaction(() => {
      const endedAt = this.#now();
      const dropped = this.listQueuedPrompts(sessionId);
      for (const prompt of dropped) this.#settlePrompt(prompt, "cancelled", endedAt);
      return dropped.length;
    });
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────────

  /** Records a run of a prompt and marks the prompt running, together. Run numbers count from 1 per session. */
  startRun(input: RunStart): RunRow {
    return this.#transaction(() => {
      const prompt = this.getPrompt(input.promptId);
      if (!prompt || prompt.sessionId !== input.sessionId)
        throw new UnknownRecordError("prompts", input.promptId);
      const runNumber = this.runCount(input.sessionId) + 1;
      const id = newId();
      const transcriptPath =
        typeof input.transcriptPath === "function"
          ? input.transcriptPath({ id, runNumber })
          : (input.transcriptPath ?? null);
      const now = this.#now();
      this.#db
        .update(prompts)
        .set({ status: "running", startedAt: now, endedAt: null })
        .where(eq(prompts.id, prompt.id))
        .run();
      return this.#db
        .insert(runs)
        .values({
          id,
          promptId: prompt.id,
          sessionId: input.sessionId,
          runNumber,
          pid: input.pid ?? null,
          startedAt: now,
          transcriptPath,
        })
        .returning()
        .get();
    });
  }

  /** The pid is known only once the process spawned, after the row exists. */
  setRunPid(runId: string, pid: number | null): RunRow {
    const row = this.#db.update(runs).set({ pid }).where(eq(runs.id, runId)).returning().get();
    if (!row) throw new UnknownRecordError("runs", runId);
    return row;
  }

  /**
   * Records how a run ended and settles its prompt in the same transaction: success → done,
   * cancelled → cancelled, anything else → failed.
   */
  finishRun(runId: string, result: RunFinish): RunRow {
    return this.#transaction(() => {
      const endedAt = result.endedAt ?? this.#now();
      const row = this.#db
        .update(runs)
        .set({
          endedAt,
          outcome: result.outcome,
          exitCode: result.exitCode,
          signal: result.signal,
          error: result.error ? this.#redact(result.error) : null,
          tokens: result.tokens ?? 0,
          cost: result.cost ?? 0,
          outputBytes: result.outputBytes ?? 0,
        })
        .where(eq(runs.id, runId))
        .returning()
        .get();
      if (!row) throw new UnknownRecordError("runs", runId);
      const prompt = this.getPrompt(row.promptId);
      if (prompt) this.#settlePrompt(prompt, TERMINAL_PROMPT[result.outcome], endedAt);
      return row;
    });
  }

  /**
   * Records one process of a run with its identity (pid, start ticks, boot id); for a leftover also its
   * name and the signal that ended it. Restart recovery ends only processes recorded here.
   */
  recordRunProcess(
    runId: string,
    role: RunProcessRole,
    process: RecordedProcess,
    leftover?: { name: string; endedBy: string },
  ): RunProcessRow {
    const row = this.#db
      .insert(runProcesses)
      .values({
        id: newId(),
        runId,
        role,
        pid: process.pid,
        startTicks: process.startTicks,
        bootId: process.bootId,
        name: leftover?.name ?? null,
        endedBy: leftover?.endedBy ?? null,
      })
      .returning()
      .get();
    return row;
  }

  /** The recorded processes of a run, in the order they were recorded. */
  runProcesses(runId: string): RunProcessRow[] {
    return this.#db
      .select()
      .from(runProcesses)
      .where(eq(runProcesses.runId, runId))
      .orderBy(asc(runProcesses.createdAt), sql`rowid`)
      .all();
  }

  getRun(id: string): RunRow | undefined {
    return this.#db.select().from(runs).where(eq(runs.id, id)).get();
  }

  runCount(sessionId: string): number {
    const row = this.#db.select({ n: count() }).from(runs).where(eq(runs.sessionId, sessionId)).get();
    return row?.n ?? 0;
  }

  latestRun(sessionId: string): RunRow | undefined {
    return this.#db
      .select()
      .from(runs)
      .where(eq(runs.sessionId, sessionId))
      .orderBy(desc(runs.runNumber))
      .limit(1)
      .get();
  }

  /** Runs without an end: the ones in flight (or, before a reconcile, the ones a crash interrupted). */
  unfinishedRuns(): RunRow[] {
    return this.#db.select().from(runs).where(isNull(runs.endedAt)).orderBy(asc(runs.startedAt)).all();
  }

  /**
   * Brings the database back in line with reality after a restart: no process of ours is running,
   * so unfinished runs become `interrupted`, running prompts become `interrupted`, and sessions left
   * busy become degraded (a run was cut off) or idle (it never started). Queued prompts are untouched.
   * Returns the runs with their pid (the caller kills leftovers) and the sessions to repaint.
   */
  reconcileAfterRestart(): ReconcileResult {
    return this.#transaction(() => {
      const now = this.#now();
      const cutOff = this.unfinishedRuns();
      for (const run of cutOff) {
        this.#db
          .update(runs)
          .set({
            endedAt: now,
            outcome: "interrupted",
            error: "interrupted: ompcord restarted during the run",
          })
          .where(eq(runs.id, run.id))
          .run();
      }
      // No run survives a restart: steering they held but never acknowledged is pending again, for the
      // next run (a message is delivered only once its run saw it arrive, so none is lost or doubled).
      const releasedSteering = this.#db
        .update(steering)
        .set({ leasedRunId: null, leasedAt: null })
        .where(and(isNull(steering.deliveredAt), sql`${steering.leasedRunId} is not null`))
        .returning()
        .all();
      const runningPrompts = this.#db.select().from(prompts).where(eq(prompts.status, "running")).all();
      for (const prompt of runningPrompts) this.#settlePrompt(prompt, "interrupted", now);

      const degraded = new Set([
        ...cutOff.map((run) => run.sessionId),
        ...runningPrompts.map((prompt) => prompt.sessionId),
      ]);
      const busy = this.#db
        .select({ id: sessions.id })
        .from(sessions)
        .where(eq(sessions.state, "busy"))
        .all();
      const affected = new Map<string, SessionRow>();
      for (const id of degraded) affected.set(id, this.#updateSession(id, { state: "degraded" }));
      for (const { id } of busy) {
        if (!affected.has(id)) affected.set(id, this.#updateSession(id, { state: "idle" }));
      }

      const interruptedRuns = cutOff.map((run) => ({
        run: this.getRun(run.id)!,
        session: affected.get(run.sessionId)!,
        prompt: this.getPrompt(run.promptId),
      }));
      return { interruptedRuns, affectedSessions: [...affected.values()], releasedSteering };
    });
  }

  // ── telemetry and steering ──────────────────────────────────────────────────────────────────

  /**
   * Stores one telemetry event from the omp extension. Returns `undefined` when the session is unknown,
   * so the sidecar can answer 404 rather than store events nobody can read.
   */
  recordEvent(input: {
    sessionId: string;
    eventType: string;
    content: unknown;
    timestamp?: Date | number | null;
  }): EventRow | undefined {
    if (!this.getSession(input.sessionId)) return undefined;
    const content = typeof input.content === "string" ? input.content : JSON.stringify(input.content ?? null);
    const timestamp =
      input.timestamp === undefined || input.timestamp === null ? null : new Date(input.timestamp);
    return this.#db
      .insert(events)
      .values({
        id: newId(),
        sessionId: input.sessionId,
        eventType: input.eventType,
        content,
        timestamp,
        receivedAt: this.#now(),
      })
      .returning()
      .get();
  }

  /** Queues a message for the running agent; the run's extension leases it with its next poll. */
  enqueueSteering(input: { sessionId: string; authorId: string; text: string }): SteeringRow {
    this.#requireSession(input.sessionId);
    return this.#db
      .insert(steering)
      .values({
        id: newId(),
        sessionId: input.sessionId,
        authorId: input.authorId,
        text: input.text,
        createdAt: this.#now(),
      })
      .returning()
      .get();
  }

  /**
   * Hands the session's pending steering messages (undelivered, not leased to a run) to `runId`, oldest
   * first, in one transaction: no other run gets them while this lease stands. They become delivered
   * only through `ackSteering`; `releaseSteering` puts what was not acknowledged back.
   */
  leaseSteering(sessionId: string, runId: string): SteeringRow[] {
    return this.#transaction(() => {
      const pending = this.#db
        .select()
        .from(steering)
        .where(
          and(eq(steering.sessionId, sessionId), isNull(steering.deliveredAt), isNull(steering.leasedRunId)),
        )
        .orderBy(asc(steering.createdAt), asc(sql`rowid`))
        .all();
      if (pending.length === 0) return [];
      const leasedAt = this.#now();
      for (const message of pending) {
        this.#db
          .update(steering)
          .set({ leasedRunId: runId, leasedAt })
          .where(eq(steering.id, message.id))
          .run();
      }
      return pending.map((message) => ({ ...message, leasedRunId: runId, leasedAt }));
    });
  }

  /**
   * Marks messages leased to `runId` delivered: the run saw them arrive in the agent's session. Returns
   * those of `ids` the run holds, oldest first, each with `newly` (false when an earlier acknowledgement
   * delivered it already); an id leased to another run, or to none, is left alone and not returned.
   */
  ackSteering(runId: string, ids: readonly string[]): (SteeringRow & { newly: boolean })[] {
    if (ids.length === 0) return [];
    return this.#transaction(() => {
      const rows = this.#db
        .select()
        .from(steering)
        .where(and(eq(steering.leasedRunId, runId), inArray(steering.id, [...ids])))
        .orderBy(asc(steering.createdAt), asc(sql`rowid`))
        .all();
      const deliveredAt = this.#now();
      return rows.map((message) => {
        if (message.deliveredAt !== null) return { ...message, newly: false };
        // Delivered as typed; the copy kept is masked from now on, like a prompt that has run.
        const row = this.#db
          .update(steering)
          .set({ deliveredAt, text: this.#redact(message.text) })
          .where(eq(steering.id, message.id))
          .returning()
          .get()!;
        return { ...row, newly: true };
      });
    });
  }

  /** The run's leases not delivered yet, oldest first. */
  leasedSteering(runId: string): SteeringRow[] {
    return this.#db
      .select()
      .from(steering)
      .where(and(eq(steering.leasedRunId, runId), isNull(steering.deliveredAt)))
      .orderBy(asc(steering.createdAt), asc(sql`rowid`))
      .all();
  }

  /**
   * The run ended: its unacknowledged leases are released (pending again, for the next run or a
   * follow-up), oldest first. Returns the released rows.
   */
  releaseSteering(runId: string): SteeringRow[] {
    return this.#transaction(() => {
      const leased = this.#db
        .select()
        .from(steering)
        .where(and(eq(steering.leasedRunId, runId), isNull(steering.deliveredAt)))
        .orderBy(asc(steering.createdAt), asc(sql`rowid`))
        .all();
      if (leased.length === 0) return [];
      this.#db
        .update(steering)
        .set({ leasedRunId: null, leasedAt: null })
        .where(and(eq(steering.leasedRunId, runId), isNull(steering.deliveredAt)))
        .run();
      return leased.map((message) => ({ ...message, leasedRunId: null, leasedAt: null }));
    });
  }

  /** The session's steering messages not leased to any run and not delivered, oldest first. */
  pendingSteering(sessionId: string): SteeringRow[] {
    return this.#db
      .select()
      .from(steering)
      .where(
        and(eq(steering.sessionId, sessionId), isNull(steering.deliveredAt), isNull(steering.leasedRunId)),
      )
      .orderBy(asc(steering.createdAt), asc(sql`rowid`))
      .all();
  }

  /** The session's steering messages not yet delivered (leased or not), oldest first. */
  undeliveredSteering(sessionId: string): SteeringRow[] {
    return this.#db
      .select()
      .from(steering)
      .where(and(eq(steering.sessionId, sessionId), isNull(steering.deliveredAt)))
      .orderBy(asc(steering.createdAt), asc(sql`rowid`))
      .all();
  }

  /**
   * Of `ids`, the messages still pending (not delivered, not leased to a run), now taken over as
   * follow-up prompts: marked delivered (no run leases them again) and masked like a prompt that has
   * run. Returns them oldest first, with their text as typed, for the follow-up to carry.
   */
  takeOverSteering(ids: readonly string[]): SteeringRow[] {
    if (ids.length === 0) return [];
    return this.#transaction(() => {
      const pending = this.#db
        .select()
        .from(steering)
        .where(
          and(inArray(steering.id, [...ids]), isNull(steering.deliveredAt), isNull(steering.leasedRunId)),
        )
        .orderBy(asc(steering.createdAt), asc(sql`rowid`))
        .all();
      const takenAt = this.#now();
      for (const message of pending) {
        this.#db
          .update(steering)
          .set({ deliveredAt: takenAt, text: this.#redact(message.text) })
          .where(eq(steering.id, message.id))
          .run();
      }
      return pending;
    });
  }

  /**
   * Takes a waiting prompt out of the queue (kept as `cancelled` history), for ⚡ Steer now. Returns it,
   * or undefined when it is no longer waiting (it started, or was dropped).
   */
  withdrawQueuedPrompt(promptId: string): PromptRow | undefined {
    return this.#transaction(() => {
      const prompt = this.getPrompt(promptId);
      if (prompt?.status !== "queued") return undefined;
      this.#settlePrompt(prompt, "cancelled", this.#now());
      // As typed: its words go on as a steer (the copy kept is masked, like any prompt that ended).
      return prompt;
    });
  }

  getSteering(id: string): SteeringRow | undefined {
    return this.#db.select().from(steering).where(eq(steering.id, id)).get();
  }

  /** The context window in use, as the run's extension reported it last. */
  setRunContext(runId: string, usage: { tokens: number; contextWindow: number }): void {
    this.#db
      .update(runs)
      .set({ contextTokens: usage.tokens, contextWindow: usage.contextWindow })
      .where(eq(runs.id, runId))
      .run();
  }

  // ── outbox ──────────────────────────────────────────────────────────────────────────────────

  /** Stores messages owed to a thread after everything already stored for it, in one transaction. */
  addOutbox(
    target: { threadId: string; sessionId?: string | null | undefined },
    messages: readonly NewOutboxMessage[],
  ): OutboxRow[] {
    return this.#transaction(() => {
      const last = this.#db
        .select({ position: sql<number>`coalesce(max(${outbox.position}), 0)` })
        .from(outbox)
        .where(eq(outbox.threadId, target.threadId))
        .get();
      const now = this.#now();
      return messages.map((message, i) =>
        this.#db
          .insert(outbox)
          .values({
            id: newId(),
            sessionId: target.sessionId ?? null,
            threadId: target.threadId,
            position: (last?.position ?? 0) + i + 1,
            kind: message.kind,
            content: message.content,
            files: message.files ?? null,
            replyTo: message.replyTo ?? null,
            fallback: message.fallback ?? null,
            status: "pending",
            createdAt: now,
          })
          .returning()
          .get(),
      );
    });
  }

  /** Messages still owed, each thread's in order. */
  pendingOutbox(): OutboxRow[] {
    return this.#db
      .select()
      .from(outbox)
      .where(eq(outbox.status, "pending"))
      .orderBy(asc(outbox.threadId), asc(outbox.position))
      .all();
  }

  /** An attempt failed and will be tried again. */
  outboxAttemptFailed(id: string, reason: string): void {
    this.#db
      .update(outbox)
      .set({ failures: sql`${outbox.failures} + 1`, lastError: reason })
      .where(eq(outbox.id, id))
      .run();
  }

  /** The message was delivered (as itself or as its fallback) or given up; a settled row stays settled. */
  settleOutbox(id: string, status: Exclude<OutboxStatus, "pending">, reason?: string | null): void {
    this.#db
      .update(outbox)
      .set({
        status,
        settledAt: this.#now(),
        ...(reason !== undefined ? { lastError: reason } : {}),
      })
      .where(and(eq(outbox.id, id), eq(outbox.status, "pending")))
      .run();
  }

  /** Messages given up since `since`, newest first (for `/omp status`), and how many there are in all. */
  undeliverableOutbox(since: Date, limit = 5): { rows: OutboxRow[]; total: number } {
    const where = and(eq(outbox.status, "undeliverable"), gte(outbox.settledAt, since));
    const rows = this.#db
      .select()
      .from(outbox)
      .where(where)
      .orderBy(desc(outbox.settledAt), desc(sql`rowid`))
      .limit(limit)
      .all();
    const total = this.#db.select({ n: count() }).from(outbox).where(where).get()?.n ?? 0;
    return { rows, total };
  }

  countPendingOutbox(): number {
    return this.#db.select({ n: count() }).from(outbox).where(eq(outbox.status, "pending")).get()?.n ?? 0;
  }

  // ── health ──────────────────────────────────────────────────────────────────────────────────

  stats(): StoreStats {
    const row = this.sqlite
      .prepare(
        `select
           (select count(*) from sessions where stopped_at is null) as sessionsActive,
           (select count(*) from sessions where stopped_at is null and state = 'busy') as sessionsBusy,
           (select count(*) from prompts p join sessions s on s.id = p.session_id
              where p.status = 'queued' and s.stopped_at is null) as promptsQueued,
           (select count(*) from runs where ended_at is null) as runsRunning`,
      )
      .get() as StoreStats;
    return { ...row };
  }

  /**
   * Proves the database can be read and written (for `/omp health`): a read, then taking the write
   * lock and rolling back, so nothing changes. Throws with SQLite's reason when either fails.
   */
  checkReadWrite(): { readMs: number; writeMs: number } {
    const t0 = performance.now();
    this.sqlite.prepare("select count(*) from sessions").get();
    const t1 = performance.now();
    this.sqlite.exec("begin immediate");
    try {
      this.sqlite.prepare("update sessions set id = id where 0").run();
    } finally {
      this.sqlite.exec("rollback");
    }
    return { readMs: t1 - t0, writeMs: performance.now() - t1 };
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  /**
   * Every transaction here writes, so it takes the write lock up front (BEGIN IMMEDIATE): a deferred
   * one that read first could fail to upgrade when another connection wrote meanwhile, and that
   * failure is not retried by the busy timeout.
   */
  #transaction<T>(fn: () => T): T {
    return this.sqlite.transaction(fn).immediate();
  }

  #queued(sessionId: string) {
    return this.#db
      .select()
      .from(prompts)
      .where(and(eq(prompts.sessionId, sessionId), eq(prompts.status, "queued")))
      .orderBy(asc(prompts.position));
  }

  #requireSession(id: string): SessionRow {
    const session = this.getSession(id);
    if (!session) throw new UnknownRecordError("sessions", id);
    return session;
  }

  #updateSession(id: string, changes: Partial<typeof sessions.$inferInsert>): SessionRow {
    const row = this.#db
      .update(sessions)
      .set({ ...changes, updatedAt: this.#now() })
      .where(eq(sessions.id, id))
      .returning()
      .get();
    if (!row) throw new UnknownRecordError("sessions", id);
    return row;
  }

  /**
   * Ends a prompt (done, failed, cancelled, interrupted): it has run or been dropped, so from now on
   * only its redacted text is kept. Every way a prompt ends goes through here.
   */
  #settlePrompt(prompt: PromptRow, status: PromptStatus, endedAt: Date): PromptRow {
    return this.#db
      .update(prompts)
      .set({ status, endedAt, text: this.#redact(prompt.text) })
      .where(eq(prompts.id, prompt.id))
      .returning()
      .get()!;
  }

  #throwIfLaunched(input: NewSession): void {
    const byThread = this.getSessionByThread(input.threadId);
    if (byThread) throw new DuplicateLaunchError("thread", byThread);
    if (input.launchMessageId) {
      const byMessage = this.getSessionByLaunchMessage(input.launchMessageId);
      if (byMessage) throw new DuplicateLaunchError("launch_message", byMessage);
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error.code === "SQLITE_CONSTRAINT_UNIQUE" || error.code === "SQLITE_CONSTRAINT_PRIMARYKEY")
  );
}
