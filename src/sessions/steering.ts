// Steering a session's running agent (`/omp steer`, a plain message in steer mode, ⚡ Steer now): only
// while a run is in flight, through the sidecar's ledger (leased to the run, delivered once its agent
// took it). What a run gives back as it ends becomes a follow-up prompt, and the thread is told so.

import type { Logger } from "../log.js";
import type { QueueSnapshot } from "../queue/scheduler.js";
import type { SteeringDelivered, SteeringReleased } from "../sidecar/index.js";
import type { NewPrompt, PromptRow, SessionRow, SteeringRow } from "../store/index.js";

/** What steering needs of the sidecar's ledger (`sidecar.steering`). */
export interface SteeringLedgerPort {
  queue(input: { sessionId: string; authorId: string; text: string }): { id: string };
  hasEnded(sessionId: string, runId: string): boolean;
  onDelivered(listener: (event: SteeringDelivered) => void): () => void;
  onReleased(listener: (event: SteeringReleased) => void): () => void;
}

/** What steering needs of the store. */
export interface SteeringRecords {
  takeOverSteering(ids: readonly string[]): SteeringRow[];
  withdrawQueuedPrompt(promptId: string): PromptRow | undefined;
  getPrompt(id: string): PromptRow | undefined;
}

/** What steering needs of the session service. */
export interface SteeringSessions {
  byId(sessionId: string): SessionRow | undefined;
  snapshot(sessionId: string): QueueSnapshot;
  queue(input: NewPrompt): { prompt: PromptRow; position: number };
  /** The queue shrank (a prompt withdrawn): the dashboard counts it again. */
  queueShrank(sessionId: string): void;
}

/** Who hears what became of one steer (the reply of the command or message that sent it). */
export interface SteerWatcher {
  /** The agent took it, in the run it was meant for. */
  delivered(): void;
  /** The run ended before taking it: it is now a follow-up prompt at `position` in line. */
  becameFollowUp(position: number): void;
}

export type SteerResult =
  /** Queued for the running agent, which takes it at its next step; the watcher hears the rest. */
  | { kind: "queued"; id: string }
  /** The run it was meant for was ending: it is a follow-up prompt at `position` in line already. */
  | { kind: "follow-up"; position: number; prompt: PromptRow }
  /** No run in flight: nothing was queued. */
  | { kind: "idle" };

export type SteerNowResult =
  | SteerResult
  /** The prompt is no longer waiting (it started, or was dropped): nothing changed. */
  | { kind: "not-waiting" };

export interface SessionSteeringOptions {
  ledger: SteeringLedgerPort;
  records: SteeringRecords;
  sessions: SteeringSessions;
  /** Posts a short note into the session's thread (through the outbox): what no reply is left to say. */
  tell(sessionId: string, content: string): void;
  logger: Logger;
}

/** Said in the thread when a steer became a follow-up and nobody's reply can say it any more. */
export function followUpNote(authorId: string, position: number): string {
  const where = position <= 1 ? "it runs now" : `it is #${position} in line`;
  return `⚡ The run ended before it took <@${authorId}>'s steering, so it became a follow-up prompt: ${where}.`;
}

export class SessionSteering {
  readonly #ledger: SteeringLedgerPort;
  readonly #records: SteeringRecords;
  readonly #sessions: SteeringSessions;
  readonly #tell: (sessionId: string, content: string) => void;
  readonly #logger: Logger;
  /** Steers whose sender still waits to hear what became of them, by steering id (this process only). */
  readonly #watchers = new Map<string, SteerWatcher>();

  constructor(options: SessionSteeringOptions) {
    this.#ledger = options.ledger;
    this.#records = options.records;
    this.#sessions = options.sessions;
    this.#tell = options.tell;
    this.#logger = options.logger;
    this.#ledger.onDelivered((event) => this.#delivered(event));
    this.#ledger.onReleased((event) => this.#released(event));
  }

  /** Whether a run is in flight in the session: what a steer needs, or it is refused. */
  inFlight(sessionId: string): boolean {
    return this.#sessions.snapshot(sessionId).running !== undefined;
  }

  /**
   * Steers the session's running agent with `text` (access and length are checked by the caller, as for
   * `/omp say`). With no run in flight nothing happens (`idle`); when the run is already ending, the text
   * is queued as a follow-up at once.
   */
  steer(input: { sessionId: string; authorId: string; text: string }, watcher?: SteerWatcher): SteerResult {
    const running = this.#sessions.snapshot(input.sessionId).running;
    if (!running) return { kind: "idle" };
    if (this.#ledger.hasEnded(input.sessionId, running.runId)) {
      const { prompt, position } = this.#followUp(input);
      return { kind: "follow-up", position, prompt };
    }
    const { id } = this.#ledger.queue(input);
    if (watcher) this.#watchers.set(id, watcher);
    this.#logger.info(
      { sessionId: input.sessionId, steeringId: id, runId: running.runId },
      "steering queued",
    );
    return { kind: "queued", id };
  }

  /**
   * ⚡ Steer now on a queued follow-up: the prompt leaves the queue and steers the running turn instead.
   * Nothing changes when the prompt is no longer waiting or no run is in flight.
   */
  steerQueued(sessionId: string, promptId: string, watcher?: SteerWatcher): SteerNowResult {
    const waiting = this.#records.getPrompt(promptId);
    if (waiting?.sessionId !== sessionId || waiting.status !== "queued") return { kind: "not-waiting" };
    if (!this.inFlight(sessionId)) return { kind: "idle" };
    const prompt = this.#records.withdrawQueuedPrompt(promptId);
    if (!prompt) return { kind: "not-waiting" };
    this.#sessions.queueShrank(sessionId);
    return this.steer({ sessionId, authorId: prompt.authorId, text: prompt.text }, watcher);
  }

  /**
   * After a restart: the steering runs had leased but not taken is given back (no run survived), so it
   * becomes follow-ups, each announced in its thread.
   */
  recover(released: readonly SteeringRow[]): void {
    const bySession = new Map<string, SteeringRow[]>();
    for (const row of released) bySession.set(row.sessionId, [...(bySession.get(row.sessionId) ?? []), row]);
    for (const [sessionId, messages] of bySession) {
      this.#released({ sessionId, runId: "(before the restart)", messages });
    }
  }

  #delivered(event: SteeringDelivered): void {
    const watcher = this.#watchers.get(event.message.id);
    this.#watchers.delete(event.message.id);
    watcher?.delivered();
  }

  /** The run ended before taking these: each becomes a follow-up in order, and its sender is told. */
  #released(event: SteeringReleased): void {
    const session = this.#sessions.byId(event.sessionId);
    // A stopped session runs nothing more: the messages stay undelivered, as history.
    if (!session || session.stoppedAt !== null) {
      for (const message of event.messages) this.#watchers.delete(message.id);
      return;
    }
    const taken = this.#records.takeOverSteering(event.messages.map((message) => message.id));
    for (const message of taken) {
      const { position } = this.#followUp({
        sessionId: message.sessionId,
        authorId: message.authorId,
        text: message.text,
      });
      const watcher = this.#watchers.get(message.id);
      this.#watchers.delete(message.id);
      this.#logger.info(
        { sessionId: message.sessionId, steeringId: message.id, runId: event.runId, position },
        "steering came too late for its run; queued as a follow-up",
      );
      if (watcher) watcher.becameFollowUp(position);
      else this.#tell(message.sessionId, followUpNote(message.authorId, position));
    }
  }

  #followUp(input: { sessionId: string; authorId: string; text: string }) {
    return this.#sessions.queue({ ...input, source: "steer" });
  }
}
