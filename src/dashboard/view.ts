// The dashboard's data: what one session's pinned embed shows, and the look of each state (SPEC §1).

import type { SlotWait } from "../queue/scheduler.js";
import type { SessionState } from "../store/index.js";

/** Colour and emoji per session state, exactly as SPEC §1's table. */
export const DASHBOARD_STATES: Record<SessionState, { color: number; emoji: string; label: string }> = {
  idle: { color: 0x2ecc71, emoji: "🟢", label: "Idle" },
  busy: { color: 0x5865f2, emoji: "🔵", label: "Busy" },
  waiting: { color: 0xf1c40f, emoji: "🟡", label: "Waiting" },
  degraded: { color: 0xe67e22, emoji: "🟠", label: "Degraded" },
  failed: { color: 0xe74c3c, emoji: "🔴", label: "Failed" },
};

/**
 * The look of a dashboard while the bot itself is stopped (SPEC §7): not a state of the session (🔴
 * Failed would say it cannot run), and repainted from the store when the bot is back.
 */
export const BOT_STOPPED_LOOK = { color: 0x95a5a6, emoji: "⏸", label: "Bot stopped" } as const;

export interface DashboardPrompt {
  text: string;
  /** Discord user id of whoever queued it. */
  authorId: string;
}

/** The shown prompt is the next to run but has not started yet. */
export interface PendingStart {
  /** Set while it waits for a global run slot; undefined while it is starting. */
  waitingForSlot: SlotWait | undefined;
}

/** Everything the dashboard renders. Plain data: the store, the scheduler and the reducer all build it. */
export interface DashboardView {
  state: SessionState;
  sessionId: string;
  sessionName: string;
  /** The prompt running now, or the last one when nothing runs. */
  prompt: DashboardPrompt | undefined;
  /** Newest output lines, oldest first. The renderer trims from the top to fit. */
  tail: readonly string[];
  runStartedAt: Date | undefined;
  /** Set when the last run ended; elapsed then stops counting. */
  runEndedAt: Date | undefined;
  /** Prompts waiting behind the running one; while `pending`, the shown prompt is one of them. */
  queueDepth: number;
  /** 1 for the session's first run; 0 before any run. */
  runNumber: number;
  tokens: number | undefined;
  cost: number | undefined;
  lastTool: string | undefined;
  /** Why the session is in its state: "Interrupted by a restart", a failure reason. */
  note: string | undefined;
  stopped: boolean;
  /** Set from the moment the shown prompt is next to run until its run starts (or nothing will run). */
  pending?: PendingStart | undefined;
  /** Messages the bot owes the thread that wait for a retry (Discord failed them); absent when none. */
  delivery?: DeliveryWaiting | undefined;
  /** The model a person chose for the session's runs (`/omp new model:`, `/omp model`); absent: the default. */
  model?: string | undefined;
  /** The named project the session works in; absent when none. */
  project?: string | undefined;
  /** Painted as the bot stops; the bot's next start repaints the dashboard from the store without it. */
  botStopped?: boolean | undefined;
  /** The run sleeps until the model's usage limit resets (its time limit paused); absent otherwise. */
  usageWait?: { resumesAt: Date } | undefined;
  /** What holds the running agent up: a retry's wait, a compaction. Gone once it goes on. */
  activity?: DashboardActivity | undefined;
  /** The model a retry of this run fell back to (`provider/model`). */
  fallbackModel?: string | undefined;
  /** The context window in use, as the run's extension last reported it (kept until the next report). */
  context?: { tokens: number; contextWindow: number } | undefined;
}

/** "retrying in 20 s: 529 overloaded", "compacting…". */
export type DashboardActivity =
  | { kind: "retrying"; delayMs: number; reason: string; attempt: number; maxAttempts: number }
  | { kind: "compacting" };

/** What a thread's dashboard shows while the messages the bot owes it wait for a retry. */
export interface DeliveryWaiting {
  /** Messages of this thread not delivered yet. */
  messages: number;
  /** One of them is a run's answer (or its closing note). */
  answer: boolean;
}

/** A fresh session's dashboard: idle, nothing run yet. */
export function initialDashboardView(session: { sessionId: string; sessionName: string }): DashboardView {
  return {
    state: "idle",
    sessionId: session.sessionId,
    sessionName: session.sessionName,
    prompt: undefined,
    tail: [],
    runStartedAt: undefined,
    runEndedAt: undefined,
    queueDepth: 0,
    runNumber: 0,
    tokens: undefined,
    cost: undefined,
    lastTool: undefined,
    note: undefined,
    stopped: false,
    pending: undefined,
  };
}

/** A prompt is running or about to: the prompt shown is the current one, not the last. */
export function isRunning(view: DashboardView): boolean {
  return !view.stopped && !view.botStopped && (view.state === "busy" || view.state === "waiting");
}

/** A run has started and not ended: Cancel makes sense. */
export function isCancellable(view: DashboardView): boolean {
  return isRunning(view) && view.pending === undefined;
}
