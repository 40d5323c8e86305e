// The approval desk: every decision a run waits on, from the sidecar's request to the person's click.
// It opens the decision (stored first), posts the card or question, holds the run until someone who may
// decide does (or the timeout denies), edits the card to say what happened, and wakes the run. A run
// that ends while waiting gets its cards resolved "cancelled"; after a restart, open cards are expired.
// Pure of Discord and HTTP: the card goes out through `DecisionCards`, the run asks through the
// sidecar's `DecisionsPort`, which this implements.

import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { DecisionAnswer, QuestionBody } from "../extension-protocol.js";
import type { Redactor } from "../output/redact.js";
import type { DecisionRequest, DecisionsPort } from "../sidecar/decisions.js";
import type { RunIdentity } from "../sidecar/run-tokens.js";
import type { DecisionRow, DecisionStore, Settlement } from "../store/index.js";
import {
  type ApprovalCardInput,
  type ApprovalOutcome,
  type CardMessage,
  denialForAgent,
  renderApprovalCard,
} from "./card.js";
import { type ApprovalPolicy, approvalFor } from "./policy.js";
import {
  answerForAgent,
  type QuestionAnswer,
  type QuestionInput,
  type QuestionOutcome,
  renderQuestion,
} from "./question.js";

/** Where cards go: the run's thread (src/discord/decision-cards.ts). */
export interface DecisionCards {
  /** Posts a card; resolves with its message id. */
  post(threadId: string, message: CardMessage): Promise<string>;
  /** Edits a posted card (never re-sending its files). */
  edit(threadId: string, messageId: string, message: CardMessage): Promise<void>;
  /** Posts a short text that mentions exactly `userId` (the run-end ping). */
  ping(threadId: string, userId: string, content: string): Promise<void>;
}

/** The run's time limit, paused while a person is needed (the scheduler's run clock). */
export interface RunClockPort {
  pause(runId: string, reason: string): void;
  resume(runId: string): void;
}

/** What the desk needs to know of sessions and runs. */
export interface DeskSessions {
  /** The session's thread and the policy of its launch channel; undefined for an unknown session. */
  session(sessionId: string): { threadId: string; policy: ApprovalPolicy } | undefined;
  /** Who queued the prompt the run runs, and the run's number; undefined for an unknown run. */
  run(runId: string): { authorId: string; runNumber: number } | undefined;
}

export interface ApprovalDeskOptions {
  store: DecisionStore;
  cards: DecisionCards;
  sessions: DeskSessions;
  redactor: Pick<Redactor, "redact">;
  timeoutMs: number;
  /** Who may decide besides the prompt's author. */
  deciders: readonly string[];
  /** Mention the prompt's author on the run's first card (OMPCORD_PINGS). */
  pings: boolean;
  clock?: Clock;
  runClock?: RunClockPort;
  /** The run's dashboard shows 🟡 Waiting with `note`, or stops waiting (`undefined`). */
  onWaiting?: (sessionId: string, note: string | undefined) => void;
  /** A card could not be posted or edited (the decision still stands). */
  onError?: (error: unknown, context: { decisionId: string; what: string }) => void;
}

/** A person's click or answer on a card. */
export type PersonDecision =
  | { kind: "approve" }
  | { kind: "approve_all" }
  | { kind: "deny"; reason?: string | undefined }
  | { kind: "answer"; answer: QuestionAnswer };

/** What the person who clicked is told (privately). */
export type DecideResult =
  | { ok: true; row: DecisionRow }
  | { ok: false; why: "not_allowed" | "unknown" }
  | { ok: false; why: "already"; row: DecisionRow };

interface Open {
  row: DecisionRow;
  card: ApprovalCardInput | undefined;
  question: QuestionInput | undefined;
  timer: unknown;
  waiters: Set<() => void>;
}

const OUTCOME_FOR: Record<PersonDecision["kind"], Settlement["outcome"]> = {
  approve: "approved",
  approve_all: "approved_by_all",
  deny: "denied",
  answer: "answered",
};

export class ApprovalDesk implements DecisionsPort {
  readonly #options: ApprovalDeskOptions;
  readonly #clock: Clock;
  readonly #open = new Map<string, Open>();
  /** Runs whose person chose "Approve all for this run", and who. */
  readonly #approveAll = new Map<string, string>();
  /** Runs that needed a person, with what their end ping needs; pinged once while needed. */
  readonly #pinged = new Map<string, { threadId: string; authorId: string; runNumber: number }>();
  /** Waiting decisions per run (the clock pauses on the first, resumes after the last). */
  readonly #waitingPerRun = new Map<string, number>();
  /** Questions by decision id, kept until their run ends: the answer names the chosen labels. */
  readonly #questions = new Map<string, QuestionInput>();
  /** Every card's delivery (post, then edits), in order per decision. */
  readonly #cardWork = new Map<string, Promise<unknown>>();

  constructor(options: ApprovalDeskOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Who may decide this: the prompt's author and the configured deciders. */
  mayDecide(row: Pick<DecisionRow, "requestedFor">, userId: string): boolean {
    return userId === row.requestedFor || this.#options.deciders.includes(userId);
  }

  /** A session's decisions, newest first (`/omp queue`). */
  recent(sessionId: string, limit: number): DecisionRow[] {
    return this.#options.store.listForSession(sessionId, limit);
  }

  /** A decision as stored. */
  row(id: string): DecisionRow | undefined {
    return this.#options.store.get(id);
  }

  /** The pending question of `threadId` whose message is `messageId` (a reply answers it). */
  questionByMessage(threadId: string, messageId: string): DecisionRow | undefined {
    for (const open of this.#open.values()) {
      if (open.question && open.row.threadId === threadId && open.row.messageId === messageId)
        return open.row;
    }
    return undefined;
  }

  /** The question behind an open decision (its modal, its select's options). */
  question(id: string): QuestionInput | undefined {
    return this.#questions.get(id);
  }

  /** A short title of an open approval (the Deny… modal's). */
  title(id: string): string | undefined {
    const open = this.#open.get(id);
    return open ? open.row.subject : undefined;
  }

  async open(run: RunIdentity, request: DecisionRequest): Promise<string> {
    const { store, sessions, redactor } = this.#options;
    const session = sessions.session(run.sessionId);
    const runInfo = sessions.run(run.runId);
    if (!session || !runInfo) throw new Error(`no session or run for ${run.sessionId}/${run.runId}`);
    const verdict =
      request.kind === "approval" ? approvalFor(session.policy, request.toolName, request.input) : undefined;
    const subject = redactor.redact(
      request.kind === "question"
        ? (request.question?.question ?? "").slice(0, 200)
        : `${request.toolName}: ${JSON.stringify(request.input ?? {}).slice(0, 200)}`,
    );
    const row = store.open({
      kind: request.kind,
      sessionId: run.sessionId,
      runId: run.runId,
      toolCallId: request.toolCallId ?? null,
      toolName: request.toolName,
      subject,
      requestedFor: runInfo.authorId,
      threadId: session.threadId,
    });
    const allBy = this.#approveAll.get(run.runId);
    if (request.kind === "approval" && allBy) {
      // No card: the person already approved every later call of this run.
      store.settle(row.id, { outcome: "approved_by_all", decidedBy: allBy });
      return row.id;
    }
    const now = new Date(this.#clock.now());
    // The run's first wait for a person mentions them, once; later cards of the run do not.
    const firstNeed = this.#options.pings && !this.#pinged.has(run.runId);
    if (firstNeed) {
      this.#pinged.set(run.runId, {
        threadId: session.threadId,
        authorId: runInfo.authorId,
        runNumber: runInfo.runNumber,
      });
    }
    const ping = firstNeed ? runInfo.authorId : undefined;
    const open: Open = { row, card: undefined, question: undefined, timer: undefined, waiters: new Set() };
    if (request.kind === "approval") {
      open.card = {
        approvalId: row.id,
        toolName: request.toolName,
        input: request.input,
        call: verdict!.call,
        reason: verdict!.reason,
        requestedAt: now,
        timeoutMs: this.#options.timeoutMs,
        runNumber: runInfo.runNumber,
        ...(ping ? { ping } : {}),
      };
    } else {
      open.question = questionInput(row.id, request.question!, now, this.#options.timeoutMs, ping);
      this.#questions.set(row.id, open.question);
    }
    this.#open.set(row.id, open);
    open.timer = this.#clock.setTimeout(
      () => this.#settle(row.id, { outcome: "timed_out" }),
      this.#options.timeoutMs,
    );
    this.#startWaiting(run, request.kind === "approval" ? `approval of ${request.toolName}` : "an answer");
    this.#card(row.id, "post", async () => {
      const messageId = await this.#options.cards.post(row.threadId, this.#render(open));
      open.row = store.setMessage(row.id, messageId);
    });
    return row.id;
  }

  answer(run: RunIdentity, id: string): DecisionAnswer | undefined {
    const row = this.#options.store.get(id);
    if (!row || row.runId !== run.runId || row.sessionId !== run.sessionId) return undefined;
    return answerOf(row, this.#questions.get(id), this.#options.timeoutMs);
  }

  settled(id: string, waitMs: number, signal: AbortSignal): Promise<void> {
    const open = this.#open.get(id);
    if (!open || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#clock.clearTimeout(timer);
        signal.removeEventListener("abort", done);
        open.waiters.delete(done);
        resolve();
      };
      const timer = this.#clock.setTimeout(done, waitMs);
      signal.addEventListener("abort", done, { once: true });
      open.waiters.add(done);
    });
  }

  /** A person decides (a click, a modal, a reply). First settlement wins; the rest learn who won. */
  decide(id: string, userId: string, decision: PersonDecision): DecideResult {
    const row = this.#options.store.get(id);
    if (!row) return { ok: false, why: "unknown" };
    if (row.outcome !== "pending") return { ok: false, why: "already", row };
    if (!this.mayDecide(row, userId)) return { ok: false, why: "not_allowed" };
    const detail =
      decision.kind === "deny"
        ? (decision.reason?.trim() ?? null)
        : decision.kind === "answer"
          ? JSON.stringify(decision.answer)
          : null;
    const result = this.#settle(id, {
      outcome: OUTCOME_FOR[decision.kind],
      decidedBy: userId,
      detail,
    } as Settlement);
    if (!result.settled) return { ok: false, why: "already", row: result.row };
    if (decision.kind === "approve_all") {
      this.#approveAll.set(row.runId, userId);
      // Other cards of the run still open (a subagent's) are approved by the same click.
      for (const other of [...this.#open.values()]) {
        if (other.row.runId === row.runId && other.card) {
          this.#settle(other.row.id, { outcome: "approved_by_all", decidedBy: userId });
        }
      }
    }
    return { ok: true, row: result.row };
  }

  /** The run ended (cancel, stop, shutdown, crash of omp): its open cards are cancelled, never approved. */
  runEnded(runId: string, why = "the run ended"): void {
    for (const open of [...this.#open.values()]) {
      if (open.row.runId === runId) this.#settle(open.row.id, { outcome: "cancelled", detail: why });
    }
    for (const [id, question] of this.#questions) {
      if (this.#options.store.get(id)?.runId === runId || question === undefined) this.#questions.delete(id);
    }
    this.#approveAll.delete(runId);
    // The person was needed during this run: one mention when it ends (its answer or failure follows).
    const needed = this.#pinged.get(runId);
    if (needed) {
      this.#pinged.delete(runId);
      this.#card(`end-${runId}`, "end ping", () =>
        this.#options.cards.ping(
          needed.threadId,
          needed.authorId,
          `🔔 <@${needed.authorId}> run #${needed.runNumber}, which waited for you, has ended; its outcome follows.`,
        ),
      );
    }
    this.#waitingPerRun.delete(runId);
  }

  /** At start: cards a previous process left open are expired, and their messages say so. */
  expireLeftOpen(): number {
    const rows = this.#options.store.expirePending();
    for (const row of rows) {
      if (!row.messageId) continue;
      const message = this.#render({
        row,
        card: undefined,
        question: undefined,
        timer: undefined,
        waiters: new Set(),
      });
      this.#card(row.id, "expire", () => this.#options.cards.edit(row.threadId, row.messageId!, message));
    }
    return rows.length;
  }

  /** Resolves once every card post and edit started so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#cardWork.size > 0) await Promise.allSettled([...this.#cardWork.values()]);
  }

  #settle(id: string, settlement: Settlement) {
    const result = this.#options.store.settle(id, settlement);
    const open = this.#open.get(id);
    if (!result.settled || !open) return result;
    this.#open.delete(id);
    this.#clock.clearTimeout(open.timer);
    open.row = result.row;
    for (const wake of [...open.waiters]) wake();
    this.#stopWaiting(result.row);
    // Edited after the post has landed (the card needs its message id).
    this.#card(id, "edit", async () => {
      const messageId = open.row.messageId ?? this.#options.store.get(id)?.messageId;
      if (!messageId) return;
      await this.#options.cards.edit(
        open.row.threadId,
        messageId,
        this.#render({ ...open, row: result.row }),
      );
    });
    return result;
  }

  #startWaiting(run: RunIdentity, what: string) {
    const count = (this.#waitingPerRun.get(run.runId) ?? 0) + 1;
    this.#waitingPerRun.set(run.runId, count);
    this.#options.onWaiting?.(run.sessionId, `Waiting for ${what} in the thread.`);
    if (count === 1) this.#options.runClock?.pause(run.runId, what);
  }

  #stopWaiting(row: DecisionRow) {
    const count = (this.#waitingPerRun.get(row.runId) ?? 0) - 1;
    if (count > 0) {
      this.#waitingPerRun.set(row.runId, count);
      return;
    }
    const wasWaiting = this.#waitingPerRun.delete(row.runId);
    if (!wasWaiting) return;
    this.#options.onWaiting?.(row.sessionId, undefined);
    this.#options.runClock?.resume(row.runId);
  }

  #card(id: string, what: string, work: () => Promise<void>) {
    const before = this.#cardWork.get(id) ?? Promise.resolve();
    const next = before
      .then(work)
      .catch((error: unknown) => this.#options.onError?.(error, { decisionId: id, what }));
    this.#cardWork.set(id, next);
    void next.finally(() => {
      if (this.#cardWork.get(id) === next) this.#cardWork.delete(id);
    });
  }

  #render(open: Open): CardMessage {
    const { row } = open;
    const { redactor } = this.#options;
    if (row.kind === "question") {
      const question =
        open.question ??
        questionInput(row.id, { question: row.subject }, row.createdAt, this.#options.timeoutMs);
      return renderQuestion(question, redactor, questionOutcome(row));
    }
    const card: ApprovalCardInput = open.card ?? {
      approvalId: row.id,
      toolName: row.toolName,
      input: {},
      call: approvalFor("all", row.toolName, {}).call,
      reason: row.subject,
      requestedAt: row.createdAt,
    };
    return renderApprovalCard(card, redactor, approvalOutcome(row));
  }
}

function questionInput(
  id: string,
  body: QuestionBody,
  askedAt: Date,
  timeoutMs: number,
  ping?: string,
): QuestionInput {
  return {
    questionId: id,
    question: body.question,
    ...(body.header ? { header: body.header } : {}),
    options: body.options ?? [],
    ...(body.multi ? { multi: true } : {}),
    ...(body.recommended !== undefined ? { recommended: body.recommended } : {}),
    askedAt,
    timeoutMs,
    ...(ping ? { ping } : {}),
  };
}

function parseAnswer(detail: string | null): QuestionAnswer {
  try {
    const parsed = JSON.parse(detail ?? "") as QuestionAnswer;
    if (parsed && (parsed.kind === "text" || parsed.kind === "choices")) return parsed;
  } catch {
    // A detail that is not ours: shown as typed.
  }
  return { kind: "text", text: detail ?? "" };
}

/** The settled row as a card outcome; undefined while pending. */
export function approvalOutcome(row: DecisionRow): ApprovalOutcome | undefined {
  const at = row.decidedAt ?? new Date();
  switch (row.outcome) {
    case "approved":
      return { kind: "approved", by: row.decidedBy ?? "", at };
    case "approved_by_all":
      return { kind: "approved", by: row.decidedBy ?? "", at, all: true };
    case "denied":
      return { kind: "denied", by: row.decidedBy ?? "", at, ...(row.detail ? { reason: row.detail } : {}) };
    default:
      return closedOutcome(row, at);
  }
}

/** The settled row as a question outcome; undefined while pending. */
export function questionOutcome(row: DecisionRow): QuestionOutcome | undefined {
  const at = row.decidedAt ?? new Date();
  switch (row.outcome) {
    case "answered":
      return { kind: "answered", by: row.decidedBy ?? "", at, answer: parseAnswer(row.detail) };
    default:
      return closedOutcome(row, at);
  }
}

/** The decision as the run sees it: what the gate or the `ask` tool does next. */
function answerOf(row: DecisionRow, asked: QuestionInput | undefined, timeoutMs: number): DecisionAnswer {
  if (row.outcome === "pending") return { id: row.id, state: "pending" };
  if (row.kind === "question") {
    const outcome = questionOutcome(row)!;
    const question = asked ?? questionInput(row.id, { question: row.subject }, row.createdAt, timeoutMs);
    const text = answerForAgent(question, outcome);
    return outcome.kind === "answered"
      ? { id: row.id, state: "allow", answer: text }
      : { id: row.id, state: "block", reason: text };
  }
  const outcome = approvalOutcome(row)!;
  if (outcome.kind === "approved" || outcome.kind === "approved_by_all")
    return { id: row.id, state: "allow" };
  return { id: row.id, state: "block", reason: denialForAgent(outcome, timeoutMs) };
}

/** How a card or question closed without anyone's decision, the same for both; undefined otherwise. */
function closedOutcome(
  row: DecisionRow,
  at: Date,
):
  | { kind: "timed_out"; at: Date }
  | { kind: "cancelled"; at: Date; why: string }
  | { kind: "expired"; at: Date }
  | undefined {
  switch (row.outcome) {
    case "timed_out":
      return { kind: "timed_out", at };
    case "cancelled":
      return { kind: "cancelled", at, why: row.detail ?? "the run ended" };
    case "expired":
      return { kind: "expired", at };
    default:
      return undefined;
  }
}
