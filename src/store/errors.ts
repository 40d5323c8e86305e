// Typed errors the store raises for conditions callers are expected to handle.

import type { SessionRow } from "./schema.js";

/**
 * A session already exists for this thread or launch message. Thrown by `createSession` instead of
 * silently returning the row, so a second 🚀 is a decision the caller sees; `existing` is that row.
 */
export class DuplicateLaunchError extends Error {
  override readonly name = "DuplicateLaunchError";
  constructor(
    readonly key: "thread" | "launch_message",
    readonly existing: SessionRow,
  ) {
    super(
      key === "thread"
        ? `Thread ${existing.threadId} already belongs to session ${existing.id}.`
        : `Message ${existing.launchMessageId} already launched session ${existing.id}.`,
    );
  }
}

/** A write named a session id that does not exist (or a prompt/run that does not). */
export class UnknownRecordError extends Error {
  override readonly name = "UnknownRecordError";
  constructor(
    readonly table: "sessions" | "prompts" | "runs" | "decisions",
    readonly id: string,
  ) {
    super(`No ${table.slice(0, -1)} with id ${id}.`);
  }
}
