// What the session lifecycle needs from the rest of the bot, as two small ports it declares and others
// implement: the Discord threads (src/discord/session-threads.ts) and the dashboards
// (src/dashboard/bridge.ts). So sessions/ imports neither the Discord edge nor the dashboard pipeline.

import type { SlotWait } from "../queue/scheduler.js";
import type { SessionRow } from "../store/index.js";

/** A session's thread in Discord. */
export interface SessionThreads {
  /** Whether the thread still exists, asked of Discord (a cache may still hold a deleted thread). */
  exists(threadId: string): Promise<boolean>;
  /** Archives a stopped session's thread; a failure is logged, never thrown. */
  archive(threadId: string): Promise<void>;
}

/** The prompt a new session's first dashboard shows as next to run. */
export interface FirstPrompt {
  prompt: string;
  authorId: string;
  /** Set when it will wait for a global run slot. */
  waitingForSlot: SlotWait | undefined;
}

/** A session's live dashboard. */
export interface SessionDashboards {
  /** Posts and pins a new session's dashboard, its first prompt shown as next to run. */
  open(session: SessionRow, first: FirstPrompt): Promise<void>;
  /** The dashboard message was deleted, the thread is still there: a fresh one, rebuilt from the store. */
  repost(session: SessionRow, waitingForSlot: SlotWait | undefined): Promise<void>;
  /** After a restart: repaint from the store; a run the restart cut shows as interrupted. */
  restore(session: SessionRow, options: { interrupted: boolean }): Promise<void>;
  queueChanged(sessionId: string, depth: number): void;
  /** The session's model changed (`/omp model`); optional so a port without a dashboard may skip it. */
  modelChanged?(sessionId: string, model: string | undefined): void;
  stopped(sessionId: string, by: string | undefined): void;
  /** A stopped session: paint its final state, then stop; what its thread is still owed is given up. */
  settle(sessionId: string): Promise<void>;
  /** The thread is gone: the dashboard stops at once, and what the thread was owed is given up. */
  detach(sessionId: string): void;
}
