// The outbox's items in the bot's SQLite store (the OutboxStore of src/dashboard/live/outbox.ts): stored
// before the first attempt, rebuilt into messages after a restart.

import type { OutboxRow, Store } from "../store/index.js";
import type {
  OutboxEntry,
  OutboxItem,
  OutboxSettlement,
  OutboxStore,
  OutboxTarget,
  ThreadFile,
} from "./live/index.js";

/** How files are kept in an outbox row: a path on the host, or small data inline. */
type StoredFile = { name: string; path: string } | { name: string; base64: string };

/** The outbox's items in the bot's SQLite store; rows are rebuilt into messages after a restart. */
export class StoreOutbox implements OutboxStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  add(target: OutboxTarget, entries: readonly OutboxEntry[]): OutboxItem[] {
    const rows = this.#store.addOutbox(
      target,
      entries.map((entry) => ({
        kind: entry.kind,
        content: entry.message.content,
        files: entry.message.files?.length ? JSON.stringify(entry.message.files.map(storedFile)) : null,
        replyTo: entry.message.replyTo ?? null,
        fallback: entry.fallback ?? null,
      })),
    );
    return rows.map((row, i) => ({
      ...entries[i]!,
      id: row.id,
      threadId: row.threadId,
      sessionId: target.sessionId,
    }));
  }

  pending(): OutboxItem[] {
    return this.#store.pendingOutbox().map(itemFromRow);
  }

  attemptFailed(id: string, reason: string): void {
    this.#store.outboxAttemptFailed(id, reason);
  }

  settle(id: string, how: OutboxSettlement, reason?: string): void {
    this.#store.settleOutbox(id, how, reason);
  }
}

function storedFile(file: ThreadFile): StoredFile {
  return "path" in file
    ? { name: file.name, path: file.path }
    : { name: file.name, base64: file.data.toString("base64") };
}

function itemFromRow(row: OutboxRow): OutboxItem {
  const stored = row.files ? (JSON.parse(row.files) as StoredFile[]) : [];
  const files: ThreadFile[] = stored.map((file) =>
    "path" in file
      ? { name: file.name, path: file.path }
      : { name: file.name, data: Buffer.from(file.base64, "base64") },
  );
  return {
    id: row.id,
    threadId: row.threadId,
    sessionId: row.sessionId ?? undefined,
    kind: row.kind,
    message: {
      content: row.content,
      ...(files.length > 0 ? { files } : {}),
      ...(row.replyTo ? { replyTo: row.replyTo } : {}),
      allowedMentions: { parse: [] },
    },
    ...(row.fallback !== null ? { fallback: row.fallback } : {}),
  };
}
