// The Discord edge of the live dashboard: the edit the controller makes and the messages the outbox
// posts, implemented with discord.js by the bot (src/discord/dashboard-sink.ts) and with fakes in tests.

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
 * One session's pinned dashboard message. `edit` throws `DashboardGoneError` when the thread or the
 * message no longer exists; other errors keep discord.js's shape (status, Discord's code).
 */
export interface DashboardSink {
  /** Edits the dashboard message in place. */
  edit(payload: DashboardPayload): Promise<void>;
}

/** Where the controller says what went wrong; a pino logger fits as is. */
export interface LiveLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: LiveLogger = { warn: () => {}, debug: () => {} };
