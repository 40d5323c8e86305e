// The Discord edge of the live dashboard: the two calls the controller makes, implemented with discord.js
// by the bot and with a fake in tests.

import type { DashboardPayload } from "../render.js";

/** A file attached to a thread message: read from disk (`path`) or sent from memory (`data`). */
export type ThreadFile = { name: string; path: string } | { name: string; data: Buffer };

/** A normal message in the session's thread. */
export interface ThreadMessage {
  content: string;
  files?: ThreadFile[];
  allowedMentions: { parse: [] };
  /** Posted as a reply to this message of the thread (still posted if that message is gone). */
  replyTo?: string;
}

/**
 * One session's thread and its pinned dashboard message. Both calls throw `DashboardGoneError` when the
 * thread or the message no longer exists; other errors keep discord.js's shape (status, Discord's code)
 * so the outbox can tell a refusal from a transient failure.
 */
export interface DashboardSink {
  /** Edits the dashboard message in place. */
  edit(payload: DashboardPayload): Promise<void>;
  /** Posts a message in the thread. */
  post(message: ThreadMessage): Promise<void>;
}

/** Where the controller says what went wrong; a pino logger fits as is. */
export interface LiveLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: LiveLogger = { warn: () => {}, debug: () => {} };
