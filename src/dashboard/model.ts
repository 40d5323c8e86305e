// Folds a session's run events into its DashboardView: pure, so the controller only decides when to paint.

import { DISPLAY_LIMITS } from "../format/limits.js";
import { stripControlCharacters, truncateEnd, truncateMiddle } from "../format/text.js";
import type { SlotWait } from "../queue/scheduler.js";
import type { RunOutcome } from "../store/index.js";
import { type DashboardActivity, type DashboardView, type DeliveryWaiting, isRunning } from "./view.js";

export type DashboardEvent =
  /**
   * A prompt is next to run and has not started: about to (`waitingForSlot` undefined), or waiting for
   * a global run slot. The first paint of a launch, a restart's repaint and the scheduler say so.
   */
  | { type: "pending"; prompt: string; authorId: string; waitingForSlot?: SlotWait | undefined }
  | { type: "run_started"; prompt: string; authorId: string; runNumber: number; at: Date }
  /** Readable output lines in arrival order; a line with newlines counts as several. */
  | { type: "lines"; lines: readonly string[] }
  /** A tool started: `bash: ls -la`. */
  | { type: "tool"; name: string }
  /** Usage of one assistant message; omp reports it per message, the dashboard shows the run's sum. */
  | { type: "usage"; tokens: number; cost: number }
  | { type: "run_ended"; outcome: RunOutcome; at: Date; error?: string | undefined }
  | { type: "queue"; depth: number }
  /** The session's model changed (`/omp model`): later runs use it. */
  | { type: "model"; model: string | undefined }
  /** The agent waits for a person (question or approval), or stopped waiting. */
  | { type: "waiting"; waiting: boolean; note?: string | undefined }
  /** The run sleeps until the model's usage limit resets at `resumesAt`, or (undefined) works again. */
  | { type: "usage_wait"; resumesAt: Date | undefined }
  /** The run was cut by a bot restart (SPEC §7). */
  | { type: "interrupted"; note?: string | undefined }
  /** The session cannot run at all (omp missing, workspace gone). */
  | { type: "failed"; reason: string }
  | { type: "stopped"; by?: string | undefined }
  /** The bot is stopping (SPEC §7): its run was cut (`cut`) or its queued prompts wait for the next start. */
  | { type: "bot_stopped"; cut: boolean }
  /** Messages owed to the thread wait for a retry (undefined: nothing waits any more). */
  | { type: "delivery"; waiting: DeliveryWaiting | undefined }
  /** The agent waits to retry or compacts (`activity`), or went on (undefined). */
  | { type: "activity"; activity: DashboardActivity | undefined }
  /** A retry switched the run to a fallback model. */
  | { type: "fell_back"; model: string }
  /** The context window in use, from the run's extension. */
  | { type: "context"; tokens: number; contextWindow: number };

export const INTERRUPTED_NOTE =
  "Interrupted by a restart. Queued prompts continue; send the prompt again to retry.";

export const BOT_STOPPED_NOTES = {
  cut: "ompcord stopped during this run. This dashboard is repainted when the bot is back; send the prompt again then to retry.",
  queued: "ompcord stopped. Queued prompts run when the bot is back, and this dashboard is repainted then.",
} as const;

const OUTCOME_NOTES: Record<Exclude<RunOutcome, "success">, string> = {
  failed: "The last run failed",
  timed_out: "The last run hit the time limit and was stopped",
  cancelled: "The last run was cancelled",
  crashed: "The last run crashed",
};

function note(text: string): string {
  return truncateEnd(stripControlCharacters(text).trim(), DISPLAY_LIMITS.dashboardNoteChars);
}

/** Splits, cleans and caps incoming lines, then keeps only the newest `dashboardTailLines`. */
export function appendToTail(tail: readonly string[], lines: readonly string[]): string[] {
  const max = DISPLAY_LIMITS.dashboardTailLines;
  const incoming: string[] = [];
  // Walk from the newest line: a flood of 10 000 lines costs only the 40 that are kept.
  for (let i = lines.length - 1; i >= 0 && incoming.length < max; i--) {
    const parts = stripControlCharacters(lines[i] ?? "").split("\n");
    for (let j = parts.length - 1; j >= 0 && incoming.length < max; j--) {
      incoming.push(
        truncateMiddle(parts[j]!.replace(/\t/g, "  ").trimEnd(), DISPLAY_LIMITS.dashboardLineChars),
      );
    }
  }
  incoming.reverse();
  const keepOld = Math.max(0, max - incoming.length);
  return keepOld === 0 ? incoming : [...tail.slice(-keepOld), ...incoming];
}

/** A model name on one line, capped like a tool name. */
function oneLineOf(text: string): string {
  return truncateMiddle(
    stripControlCharacters(text).replace(/\s+/g, " ").trim(),
    DISPLAY_LIMITS.dashboardToolChars,
  );
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** The next view after `event`. Never mutates `view`. */
export function reduceDashboard(view: DashboardView, event: DashboardEvent): DashboardView {
  switch (event.type) {
    case "pending":
      // A stopped session runs nothing more; a running one shows its run until it ends.
      if (view.stopped || (isRunning(view) && view.pending === undefined)) return view;
      return {
        ...view,
        state: "busy",
        prompt: { text: event.prompt, authorId: event.authorId },
        // What is left of the last run (its output, times, usage) is not this prompt's; its note stays.
        tail: [],
        runStartedAt: undefined,
        runEndedAt: undefined,
        tokens: undefined,
        cost: undefined,
        lastTool: undefined,
        activity: undefined,
        fallbackModel: undefined,
        pending: {
          waitingForSlot: event.waitingForSlot && {
            inUse: Math.floor(nonNegative(event.waitingForSlot.inUse)),
            max: Math.floor(nonNegative(event.waitingForSlot.max)),
            ...(event.waitingForSlot.usageWaits
              ? { usageWaits: Math.floor(nonNegative(event.waitingForSlot.usageWaits)) }
              : {}),
          },
        },
      };
    case "run_started":
      return {
        ...view,
        state: view.stopped ? view.state : "busy",
        prompt: { text: event.prompt, authorId: event.authorId },
        tail: [],
        runStartedAt: event.at,
        runEndedAt: undefined,
        runNumber: event.runNumber,
        tokens: undefined,
        cost: undefined,
        lastTool: undefined,
        note: undefined,
        pending: undefined,
        usageWait: undefined,
        activity: undefined,
        fallbackModel: undefined,
      };
    case "lines":
      return event.lines.length === 0 ? view : { ...view, tail: appendToTail(view.tail, event.lines) };
    case "tool":
      return {
        ...view,
        lastTool: truncateMiddle(
          stripControlCharacters(event.name).replace(/\s+/g, " ").trim(),
          DISPLAY_LIMITS.dashboardToolChars,
        ),
      };
    case "usage":
      return {
        ...view,
        tokens: (view.tokens ?? 0) + nonNegative(event.tokens),
        cost: (view.cost ?? 0) + nonNegative(event.cost),
      };
    case "run_ended": {
      if (event.outcome === "success") {
        return {
          ...view,
          state: view.stopped ? view.state : "idle",
          runEndedAt: event.at,
          note: undefined,
          pending: undefined,
          usageWait: undefined,
          activity: undefined,
        };
      }
      const base = OUTCOME_NOTES[event.outcome];
      const reason = event.error?.trim();
      return {
        ...view,
        state: view.state === "failed" ? "failed" : "degraded",
        runEndedAt: event.at,
        note: note(reason ? `${base}: ${reason}` : `${base}.`),
        pending: undefined,
        usageWait: undefined,
        activity: undefined,
      };
    }
    case "queue":
      return { ...view, queueDepth: Math.floor(nonNegative(event.depth)) };
    case "model":
      return { ...view, model: event.model };
    case "waiting":
      if (view.stopped || (view.state !== "busy" && view.state !== "waiting")) return view;
      return event.waiting
        ? {
            ...view,
            state: "waiting",
            note: event.note ? note(event.note) : "The agent is waiting for a reply.",
          }
        : { ...view, state: "busy", note: undefined };
    case "usage_wait":
      if (event.resumesAt === undefined) return view.usageWait ? { ...view, usageWait: undefined } : view;
      if (!isRunning(view) || view.pending !== undefined) return view;
      return { ...view, usageWait: { resumesAt: event.resumesAt } };
    case "interrupted":
      return {
        ...view,
        state: "degraded",
        note: note(event.note ?? INTERRUPTED_NOTE),
        pending: undefined,
        usageWait: undefined,
        activity: undefined,
      };
    case "failed":
      return {
        ...view,
        state: "failed",
        note: note(event.reason),
        pending: undefined,
        usageWait: undefined,
        activity: undefined,
      };
    case "bot_stopped":
      if (view.stopped) return view;
      return {
        ...view,
        botStopped: true,
        pending: undefined,
        usageWait: undefined,
        activity: undefined,
        note: event.cut ? BOT_STOPPED_NOTES.cut : BOT_STOPPED_NOTES.queued,
      };
    case "delivery": {
      const messages = Math.floor(nonNegative(event.waiting?.messages ?? 0));
      if (messages === 0) return view.delivery === undefined ? view : { ...view, delivery: undefined };
      return { ...view, delivery: { messages, answer: event.waiting?.answer === true } };
    }
    case "activity": {
      if (event.activity === undefined)
        return view.activity === undefined ? view : { ...view, activity: undefined };
      // Only a running prompt waits or compacts; a late event after the end changes nothing.
      if (!isRunning(view) || view.pending) return view;
      const activity: DashboardActivity =
        event.activity.kind === "retrying"
          ? {
              ...event.activity,
              delayMs: nonNegative(event.activity.delayMs),
              reason: note(event.activity.reason.split("\n")[0] ?? ""),
            }
          : event.activity;
      return { ...view, activity };
    }
    case "fell_back": {
      const model = oneLineOf(event.model);
      return model ? { ...view, fallbackModel: model } : view;
    }
    case "context": {
      const tokens = nonNegative(event.tokens);
      const contextWindow = nonNegative(event.contextWindow);
      // A window of 0 (a model without one) gives no percentage worth showing.
      if (contextWindow === 0) return view;
      return { ...view, context: { tokens: Math.round(tokens), contextWindow: Math.round(contextWindow) } };
    }
    case "stopped":
      return {
        ...view,
        stopped: true,
        state: view.state === "busy" || view.state === "waiting" ? "idle" : view.state,
        queueDepth: 0,
        pending: undefined,
        usageWait: undefined,
        activity: undefined,
        note: note(
          event.by
            ? `Stopped by <@${event.by}>. Start a new session with /omp new.`
            : "This session was stopped. Start a new one with /omp new.",
        ),
      };
  }
}

/** A session's dashboard state as a small object, for callers that prefer `apply` to a reducer. */
export class DashboardModel {
  #view: DashboardView;

  constructor(view: DashboardView) {
    this.#view = view;
  }

  /** The current view; a new object after each change, so it can be handed to a renderer as is. */
  get view(): DashboardView {
    return this.#view;
  }

  apply(event: DashboardEvent): DashboardView {
    this.#view = reduceDashboard(this.#view, event);
    return this.#view;
  }
}
