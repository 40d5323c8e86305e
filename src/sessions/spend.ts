// SpendGuard: keeps runs within their caps (SPEC §2 "Spend"). It watches each run's usage as omp reports
// it and stops a run that reaches its cap (the cancel path), with a note in the thread; it tells the
// access rules when today's spend is over a day cap, and refuses queued prompts when they come up then.
// The figures come from omp's events (live) and the store's ledger (runs that ended today).

import type { SpendSettings } from "../config/index.js";
import type { Logger } from "../log.js";
import type { RunAdmission, RunObserver } from "../queue/scheduler.js";
import type { OmpEvent } from "../queue/types.js";
import type { SessionRow } from "../store/index.js";
import {
  type CapReached,
  dayBounds,
  dayCapReached,
  dayRefusal,
  describeCap,
  hasCaps,
  runCapReached,
  runStoppedNote,
  type SpendUsage,
} from "./caps.js";

/** Runs that ended since a time, summed (the store's `SpendLedger`). */
export interface SpendRecords {
  spentSince(since: Date, channelId?: string): SpendUsage;
}

/** Where the guard's notes go: the session's thread, through the outbox. */
export interface SpendNotes {
  post(sessionId: string, text: string): void;
}

export interface SpendGuardOptions {
  settings: SpendSettings;
  records: SpendRecords;
  notes: SpendNotes;
  /** The session's launch channel, whose caps apply (undefined for a session that is gone). */
  sessionOf(sessionId: string): Pick<SessionRow, "parentChannelId"> | undefined;
  /** Cancels the session's running prompt: the same path as `/omp cancel`. */
  cancelRun(sessionId: string): Promise<unknown>;
  /** The queue changed (prompts dropped): the dashboard repaints its count. */
  queueChanged?(sessionId: string): void;
  now?: () => Date;
  logger: Logger;
}

interface LiveRun {
  runNumber: number;
  channelId: string;
  usage: SpendUsage;
  /** The cap that stopped it, once: later events of the same run do not stop it again. */
  stoppedAt: CapReached | undefined;
}

export class SpendGuard {
  readonly #options: SpendGuardOptions;
  readonly #now: () => Date;
  readonly #watching: { run: boolean; day: boolean };
  /** Runs going now, by session (one run at a time per session). */
  readonly #live = new Map<string, LiveRun>();

  constructor(options: SpendGuardOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#watching = hasCaps(options.settings);
  }

  /** The run caps: usage counted as each assistant message ends, a run stopped at its cap. */
  readonly observer: Pick<RunObserver, "onStart" | "onLine" | "onEvent" | "onEnd"> = {
    onStart: ({ sessionId, runNumber }) => {
      const channelId = this.#options.sessionOf(sessionId)?.parentChannelId;
      if (channelId === undefined) return;
      this.#live.set(sessionId, {
        runNumber,
        channelId,
        usage: { tokens: 0, cost: 0 },
        stoppedAt: undefined,
      });
    },
    onLine: () => {},
    onEvent: (sessionId, event) => this.#usage(sessionId, event),
    onEnd: ({ sessionId }) => {
      this.#live.delete(sessionId);
    },
  };

  /**
   * Why a new run in `channelId` is refused today (a day cap is reached), for the access rules; undefined
   * when it may start.
   */
  dayRefusal(channelId: string): string | undefined {
    if (!this.#watching.day) return undefined;
    const now = this.#now();
    const { start, end } = dayBounds(now, this.#options.settings.timeZone);
    const cap = dayCapReached(this.#spentToday(start, channelId), this.#options.settings, channelId);
    return cap && dayRefusal(cap, end, this.#options.settings.timeZone);
  }

  /** For the scheduler: a queued prompt that comes up on a day over its cap is not run. */
  readonly admission: RunAdmission = {
    check: (session) => this.dayRefusal(session.parentChannelId),
    refused: (sessionId, reason, dropped) => {
      this.#options.logger.info({ sessionId, dropped }, "queued prompts not run: a day cap is reached");
      const what = dropped === 1 ? "The queued prompt was" : `The ${dropped} queued prompts were`;
      this.#options.notes.post(sessionId, `⏸ ${what} not run. ${reason} Send it again then.`);
      this.#options.queueChanged?.(sessionId);
    },
  };

  #spentToday(start: Date, channelId: string): { overall: SpendUsage; channel: SpendUsage } {
    const overall = { ...this.#options.records.spentSince(start) };
    const channel = { ...this.#options.records.spentSince(start, channelId) };
    for (const run of this.#live.values()) {
      add(overall, run.usage);
      if (run.channelId === channelId) add(channel, run.usage);
    }
    return { overall, channel };
  }

  #usage(sessionId: string, event: OmpEvent): void {
    if (event.type !== "message_end" || event.message.role !== "assistant" || !event.message.usage) return;
    const run = this.#live.get(sessionId);
    if (!run) return;
    // The same sum as the run's recorded total (src/omp/outcome.ts).
    add(run.usage, { tokens: event.message.usage.totalTokens, cost: event.message.usage.cost });
    if (!this.#watching.run || run.stoppedAt) return;
    const cap = runCapReached(run.usage, this.#options.settings, run.channelId);
    if (!cap) return;
    run.stoppedAt = cap;
    this.#options.logger.warn(
      { sessionId, runNumber: run.runNumber, cap: describeCap(cap) },
      "run reached its cap; stopping it",
    );
    // A last answer (no tool call follows) ends the run anyway: the cancel then changes nothing.
    const finishing = event.message.stopReason !== "toolUse";
    this.#options.notes.post(sessionId, runStoppedNote(run.runNumber, cap, { finishing }));
    this.#options.cancelRun(sessionId).catch((error: unknown) => {
      this.#options.logger.error({ err: error, sessionId }, "could not stop a run at its cap");
    });
  }
}

function add(into: SpendUsage, usage: SpendUsage): void {
  into.tokens += usage.tokens;
  into.cost += usage.cost;
}
