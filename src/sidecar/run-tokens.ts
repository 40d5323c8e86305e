// Per-run sidecar credentials: each omp run gets a token of its own, valid for its own session's routes
// and only while the run lives. The agent can read it (bash inherits omp's environment), so the token
// grants nothing beyond what that run's extension needs; the bot's long-lived token never enters a run.

import { createHash, randomBytes } from "node:crypto";
import { RUN_TOKEN_PREFIX } from "../extension-protocol.js";

/** Who a run token belongs to. */
export interface RunIdentity {
  sessionId: string;
  runId: string;
}

/** A run's credential as the runner holds it: the token for the child's environment, and its end. */
export interface RunGrant {
  readonly token: string;
  /**
   * Revokes the token: every later request with it is refused, a long-poll it holds is answered now.
   * `seenSteering` are the steering texts the run's stdout showed arriving (see `RunRevocation`).
   * Idempotent.
   */
  revoke(ended?: { seenSteering?: readonly string[] }): void;
}

/** What listeners learn when a run's token is revoked. */
export interface RunRevocation extends RunIdentity {
  /**
   * Steering texts omp's stdout showed arriving in the run (user messages marked `steering`): a lease
   * the extension could not acknowledge in time (the sidecar was down) but that did arrive is delivered,
   * not released, so it is never handed to a run twice.
   */
  seenSteering: readonly string[];
}

/** Random bytes per token: 256 bits, as base64url 43 characters. */
const TOKEN_BYTES = 32;

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * The live run tokens, in memory only: a token lives as long as its run, and no run outlives the bot
 * process (a restart interrupts them), so there is nothing to persist. Only a digest of each token is
 * kept, so a heap dump does not hand out working tokens.
 */
export class RunTokens {
  readonly #byDigest = new Map<string, RunIdentity>();
  readonly #onRevoke = new Set<(run: RunRevocation) => void>();
  readonly #onError: (error: unknown) => void;

  /** `onError` hears what a revocation listener threw (the others still run). */
  constructor(options: { onError?: (error: unknown) => void } = {}) {
    this.#onError = options.onError ?? (() => {});
  }

  /** Issues a fresh token for `run`. A run may hold several (each revoked on its own). */
  issue(run: RunIdentity): RunGrant {
    if (typeof run?.sessionId !== "string" || run.sessionId === "") {
      throw new TypeError(
        `Expected \`sessionId\` to be a non-empty string, got \`${String(run?.sessionId)}\``,
      );
    }
    if (typeof run.runId !== "string" || run.runId === "") {
      throw new TypeError(`Expected \`runId\` to be a non-empty string, got \`${String(run.runId)}\``);
    }
    const token = `${RUN_TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString("base64url")}`;
    const key = digest(token);
    const identity = { sessionId: run.sessionId, runId: run.runId };
    this.#byDigest.set(key, identity);
    let revoked = false;
    return {
      token,
      revoke: (ended = {}) => {
        if (revoked) return;
        revoked = true;
        this.#byDigest.delete(key);
        const revocation = { ...identity, seenSteering: ended.seenSteering ?? [] };
        for (const listener of this.#onRevoke) {
          try {
            listener(revocation);
          } catch (error) {
            this.#onError(error);
          }
        }
      },
    };
  }

  /** The run a presented token belongs to, or undefined (unknown, revoked, or not a run token at all). */
  lookup(presented: string): RunIdentity | undefined {
    if (!presented.startsWith(RUN_TOKEN_PREFIX)) return undefined;
    return this.#byDigest.get(digest(presented));
  }

  /** Calls `listener` after each revocation. */
  onRevoke(listener: (run: RunRevocation) => void): () => void {
    this.#onRevoke.add(listener);
    return () => this.#onRevoke.delete(listener);
  }

  /** How many tokens are live (for tests and metrics). */
  get size(): number {
    return this.#byDigest.size;
  }
}
