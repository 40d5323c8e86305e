// Opens ompcord's SQLite database ready for use: directory created, WAL and foreign keys on,
// migrations from migrations/ applied. Everything else about storage is the `Store` repository.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { Store, type StoreOptions } from "./store.js";

export {
  DecisionStore,
  type DecisionStoreOptions,
  type NewDecision,
  type Settlement,
  type SettleResult,
} from "./decisions.js";
export { DuplicateLaunchError, UnknownRecordError } from "./errors.js";
export { newId } from "./ids.js";
export { DuplicateTokenNameError, NamedTokenStore, type NewNamedToken } from "./named-tokens.js";
export { type ExpiredSession, type PurgedRows, RetentionStore } from "./retention.js";
export * from "./schema.js";
export { type RemovedFiles, removeSessionFiles, type SessionFileRoots } from "./session-files.js";
export { SpendLedger, type SpentSince } from "./spend.js";
export type {
  InterruptedRun,
  NewOutboxMessage,
  NewPrompt,
  NewSession,
  ReconcileResult,
  RecordedProcess,
  RunFinish,
  RunStart,
  StoreOptions,
  StoreStats,
} from "./store.js";
export { Store } from "./store.js";
export { TaskReads } from "./task-reads.js";
export { type DayUsage, reportStart, usagePerDay } from "./usage.js";

/** migrations/ at the repository root, the same from src/store (tsx) and dist/store (built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

export function openStore(path: string, options: StoreOptions = {}): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    // A second process (a CLI, a backup) holding a lock briefly should delay us, not fail us.
    sqlite.pragma("busy_timeout = 5000");
    // In WAL mode NORMAL loses nothing on a process crash or kill -9, only possibly on power loss.
    sqlite.pragma("synchronous = NORMAL");
    const db = drizzle({ client: sqlite });
    migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    return new Store(db, sqlite, options);
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
