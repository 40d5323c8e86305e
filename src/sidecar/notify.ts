// The agent's `discord_notify` tool, bot side: a per-run rate limit, and the port through which a
// short message (already redacted and mention-safe) reaches the run's own thread. The sidecar decides
// everything here: the agent can call the route directly with its run token, bypassing the extension.

import { NOTIFY_RATE_LIMIT } from "../extension-protocol.js";

/** A message the agent asked to post into its thread. */
export interface AgentNotice {
  sessionId: string;
  runId: string;
  /** Redacted and mention-safe, at most `NOTIFY_MAX_CHARS` characters. */
  text: string;
}

/** Where notices go: the app posts them into the session's thread (through the outbox). */
export interface NotifyPort {
  /**
   * Takes the notice for delivery (stored before it is attempted, so it survives an outage); resolves
   * once taken, not once posted. Throws when the session has no thread to post to.
   */
  post(notice: AgentNotice): void | Promise<void>;
}

export interface RateLimit {
  messages: number;
  windowMs: number;
}

/**
 * At most `limit.messages` notices per run in any `limit.windowMs` (a sliding window). State lives only
 * as long as the run: `forget(runId)` when it ends.
 */
export class NotifyRateLimiter {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  readonly #sent = new Map<string, number[]>();

  constructor(options: { limit?: RateLimit; now?: () => number } = {}) {
    const limit = options.limit ?? NOTIFY_RATE_LIMIT;
    if (!Number.isInteger(limit.messages) || limit.messages < 1) {
      throw new TypeError(
        `Expected \`limit.messages\` to be an integer from 1 up, got \`${limit.messages}\``,
      );
    }
    if (!Number.isFinite(limit.windowMs) || limit.windowMs <= 0) {
      throw new TypeError(`Expected \`limit.windowMs\` to be a number above 0, got \`${limit.windowMs}\``);
    }
    this.#limit = limit;
    this.#now = options.now ?? Date.now;
  }

  get limit(): RateLimit {
    return this.#limit;
  }

  /**
   * Counts one notice for the run if the limit allows it: `{ok: true}`, or `{ok: false, retryAfterMs}`
   * saying when the oldest notice in the window leaves it.
   */
  take(runId: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.#now();
    const recent = (this.#sent.get(runId) ?? []).filter((at) => now - at < this.#limit.windowMs);
    if (recent.length >= this.#limit.messages) {
      this.#sent.set(runId, recent);
      return { ok: false, retryAfterMs: Math.max(1, recent[0]! + this.#limit.windowMs - now) };
    }
    recent.push(now);
    this.#sent.set(runId, recent);
    return { ok: true };
  }

  /** The run ended. */
  forget(runId: string): void {
    this.#sent.delete(runId);
  }
}
