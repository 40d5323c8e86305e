// Steering from the thread into the running agent (root session only). A long-poll leases messages to
// this run; each is handed to omp as a steer while the agent works, and acknowledged only once the
// agent's session shows it arriving (a user message marked `steering`), never when the call returns.
// Acknowledgements are retried until they land or the run ends: they never share the lossy telemetry
// queue. A steer that comes as the agent stops is folded into the same run through `session_stop`.

import type { Guard } from "./guard.js";
import { CallError } from "./http.js";

/** A steering message as the sidecar hands it over. */
export interface LeasedMessage {
  id: string;
  content: string;
}

/** What the channel needs of the sidecar. */
export interface SteeringTransport {
  /** Leases pending messages, holding the request up to `waitMs` when there are none. */
  poll(waitMs: number, signal: AbortSignal): Promise<LeasedMessage[]>;
  /** Acknowledges messages; resolves with the ids the sidecar marked delivered. */
  ack(ids: readonly string[], signal: AbortSignal): Promise<string[]>;
}

/** What the channel needs of omp. */
export interface SteeringTarget {
  /** `pi.sendUserMessage(text, {deliverAs: "steer"})`. */
  steer(text: string): void;
}

export const STEERING = {
  /** How long one long-poll may be held by the sidecar (below its SIDECAR_MAX_HOLD_MS). */
  pollWaitMs: 50_000,
  /** The client gives a held poll this much more than its wait before calling it lost. */
  pollSlackMs: 10_000,
  /** After a failed poll or acknowledgement: first retry, doubling up to the max. */
  retryMinMs: 500,
  retryMaxMs: 15_000,
  /** `session_stop` asks the sidecar once more for late messages, waiting at most this. */
  stopCheckMs: 300,
  /** At `session_shutdown`, acknowledgements still owed are tried for at most this. */
  shutdownAckMs: 500,
} as const;

/**
 * Said to the model when `session_stop` continues the run for a steer that arrived as it finished; the
 * steer itself follows as a user message.
 */
export const STEER_CONTINUATION =
  "A message from the user arrived as you were finishing. It follows; read it and act on it before you stop.";

type Phase =
  /** Before the agent starts (or between prompts): messages are held, not sent. */
  | "idle"
  /** The agent works: messages go to omp as steers at once. */
  | "busy"
  /** `session_stop` is deciding whether to continue: messages are held for it. */
  | "stopping"
  /** The agent stopped for good: no polling, nothing more is leased. */
  | "stopped"
  /** Shut down. */
  | "closed";

const abortable = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    (timer as { unref?: () => void }).unref?.();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

export class SteeringChannel {
  readonly #transport: SteeringTransport;
  readonly #target: SteeringTarget;
  readonly #guard: Guard;
  readonly #healthy: () => boolean;
  #phase: Phase = "idle";
  /** Every id ever received in this process: a message is handed to omp once at most. */
  readonly #received = new Set<string>();
  /** Leased while the agent could not take a steer: sent at the next chance. */
  #held: LeasedMessage[] = [];
  /** Handed to omp, not yet seen arriving, in order. */
  #sent: LeasedMessage[] = [];
  /** Seen arriving, acknowledgement not yet accepted by the sidecar, in order. */
  #owed: string[] = [];
  #acking: Promise<void> | undefined;
  #ackFailures = 0;
  /** The sidecar refused an acknowledgement for good (the run's token is gone): stop trying. */
  #ackRefused = false;
  #pollFailures = 0;
  #polling: Promise<void> | undefined;
  #pollAbort = new AbortController();
  readonly #closed = new AbortController();

  constructor(options: {
    transport: SteeringTransport;
    target: SteeringTarget;
    guard: Guard;
    /**
     * Whether the sidecar answers promptly (the telemetry queue knows: it answered a send, and none is
     * hanging or failing now). When it does not, `session_stop` does not ask it for late messages: the
     * end of a run never waits on a stalled sidecar.
     */
    healthy?: () => boolean;
  }) {
    this.#transport = options.transport;
    this.#target = options.target;
    this.#guard = options.guard;
    this.#healthy = options.healthy ?? (() => true);
  }

  /** Starts the long-poll loop (idempotent). */
  start(): void {
    if (this.#polling || this.#phase === "closed" || this.#phase === "stopped") return;
    this.#polling = this.#pollLoop().finally(() => {
      this.#polling = undefined;
    });
    this.#guard.detach("steering poll", this.#polling);
  }

  /** The agent started working (`agent_start`, `turn_start`): held messages go out now. */
  agentBusy(): void {
    if (this.#phase === "closed") return;
    const restart = this.#phase === "stopped";
    this.#phase = "busy";
    this.#sendHeld();
    if (restart) this.start();
  }

  /**
   * A message started in the agent's session (`message_start`): when it is one of our steers arriving,
   * it is acknowledged now.
   */
  messageStarted(message: { role?: unknown; steering?: unknown; content?: unknown } | undefined): void {
    if (message?.role !== "user" || message.steering !== true) return;
    const text = textOf(message.content);
    const at = this.#sent.findIndex((sent) => sent.content === text);
    if (at === -1) return;
    const [arrived] = this.#sent.splice(at, 1);
    this.#owed.push(arrived!.id);
    this.#flushAcks();
  }

  /**
   * `session_stop`: the agent is about to stop. Looks once more for late messages (briefly, and not at
   * all when the sidecar is failing or slow); when any steer is still on its way, returns the continuation that
   * keeps the run going for it. Otherwise the channel stops leasing.
   */
  async agentStopping(): Promise<{ continue: true; additionalContext: string } | undefined> {
    if (this.#phase === "closed") return undefined;
    this.#phase = "stopping";
    if (this.#pollFailures === 0 && this.#healthy()) {
      const abort = AbortSignal.any([AbortSignal.timeout(STEERING.stopCheckMs), this.#closed.signal]);
      try {
        this.#receive(await this.#transport.poll(0, abort));
      } catch (error) {
        if (!(error instanceof CallError && (error.kind === "timeout" || error.kind === "aborted"))) {
          this.#guard.fail("steering check at stop", error);
        }
      }
    }
    if (this.#held.length > 0 || this.#sent.length > 0) {
      // Queued as steers now: omp delivers them in the continuation turn, as user messages we see.
      this.#phase = "busy";
      this.#sendHeld();
      return { continue: true, additionalContext: STEER_CONTINUATION };
    }
    this.#phase = "stopped";
    // The held poll may still lease a message nobody would send: cut it (what it leased is released
    // when the run ends).
    this.#pollAbort.abort();
    return undefined;
  }

  /** `session_shutdown`: stops polling; acknowledgements still owed get a short, capped last try. */
  async shutdown(capMs: number = STEERING.shutdownAckMs): Promise<void> {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#pollAbort.abort();
    if (this.#owed.length === 0 || this.#ackFailures > 0) {
      this.#closed.abort();
      return;
    }
    const acked = this.#flushAcks();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([acked, new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs)))]);
    clearTimeout(timer);
    this.#closed.abort();
  }

  /** Ids handed to omp and not yet seen arriving (tests, diagnostics). */
  get inFlight(): readonly string[] {
    return this.#sent.map((message) => message.id);
  }

  /** Ids seen arriving whose acknowledgement has not landed yet. */
  get owed(): readonly string[] {
    return this.#owed;
  }

  async #pollLoop(): Promise<void> {
    while (!this.#ended()) {
      this.#pollAbort = new AbortController();
      const signal = AbortSignal.any([this.#pollAbort.signal, this.#closed.signal]);
      try {
        const messages = await this.#transport.poll(STEERING.pollWaitMs, signal);
        this.#pollFailures = 0;
        if (this.#ended()) return;
        this.#receive(messages);
      } catch (error) {
        if (this.#ended()) return;
        if (error instanceof CallError && error.kind === "aborted") continue;
        this.#pollFailures++;
        this.#guard.fail(`steering poll (${error instanceof CallError ? error.kind : "error"})`, error);
        if (error instanceof CallError && error.status === 401) return; // the run's token is gone
        await abortable(backoff(this.#pollFailures), this.#closed.signal);
      }
    }
  }

  /** The agent stopped for good, or the run shut down: nothing more is leased. */
  #ended(): boolean {
    return this.#phase === "closed" || this.#phase === "stopped";
  }

  #receive(messages: readonly LeasedMessage[]): void {
    for (const message of messages) {
      if (!message || typeof message.id !== "string" || typeof message.content !== "string") continue;
      if (this.#received.has(message.id)) continue;
      this.#received.add(message.id);
      this.#held.push({ id: message.id, content: message.content });
    }
    if (this.#phase === "busy") this.#sendHeld();
  }

  #sendHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const message of held) {
      try {
        this.#target.steer(message.content);
        this.#sent.push(message);
      } catch (error) {
        // omp refused it (the session is going away): it stays leased and unacknowledged, so the
        // sidecar gives it back when the run ends.
        this.#guard.fail("steering hand-over", error);
      }
    }
  }

  #flushAcks(): Promise<void> {
    if (!this.#acking) {
      this.#acking = this.#ackLoop().finally(() => {
        this.#acking = undefined;
        // One may have arrived after the loop's last look and before this: it must not wait for the next.
        if (this.#owed.length > 0 && !this.#ackRefused && !this.#closed.signal.aborted)
          void this.#flushAcks();
      });
      this.#guard.detach("steering acknowledgement", this.#acking);
    }
    return this.#acking;
  }

  async #ackLoop(): Promise<void> {
    while (this.#owed.length > 0) {
      const ids = this.#owed.slice(0, 100);
      try {
        await this.#transport.ack(ids, this.#closed.signal);
        this.#ackFailures = 0;
        // Acknowledged, or not this run's to acknowledge (nothing to retry): done with them either way.
        this.#owed = this.#owed.filter((id) => !ids.includes(id));
      } catch (error) {
        if (error instanceof CallError && error.kind === "aborted") return;
        this.#ackFailures++;
        this.#guard.fail(
          `steering acknowledgement (${error instanceof CallError ? error.kind : "error"})`,
          error,
        );
        // A refusal will not change (the run's token is gone): the sidecar's stdout check takes over.
        if (error instanceof CallError && !error.retryable) {
          this.#ackRefused = true;
          return;
        }
        await abortable(backoff(this.#ackFailures), this.#closed.signal);
        if (this.#closed.signal.aborted) return;
      }
    }
  }
}

function backoff(failures: number): number {
  return Math.min(STEERING.retryMaxMs, STEERING.retryMinMs * 2 ** Math.max(0, failures - 1));
}

/** The text parts of a message's content, joined (how omp stores a steer's text). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) =>
      part && typeof part === "object" && (part as { type?: unknown }).type === "text"
        ? String((part as { text?: unknown }).text ?? "")
        : "",
    )
    .join("");
}
