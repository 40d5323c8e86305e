// LiveDashboard: keeps one session's pinned dashboard message in step with its runs. It folds events and
// output lines into a DashboardModel, paints the newest state at SPEC §1's cadence with never more than
// one edit in flight, inside the thread's write window, and hands each run's answer, failure note and
// transcript to the outbox when the run ends (shown on the dashboard while Discord keeps them waiting).

import { stat } from "node:fs/promises";
import { type Clock, systemClock } from "../../clock.js";
import { expectFunction, expectInteger, expectNonEmptyString } from "../../expect.js";
import { DISPLAY_LIMITS } from "../../format/limits.js";
import type { OutputLine, RunResult } from "../../omp/index.js";
import { LineBatcher } from "../../output/batcher.js";
import { type DashboardEvent, DashboardModel } from "../model.js";
import { renderDashboard } from "../render.js";
import type { DashboardView, DeliveryWaiting } from "../view.js";
import {
  EDIT_RETRIES,
  HEARTBEAT_MS,
  MAX_ANSWER_MESSAGES,
  RETRY_DELAY_MAX_MS,
  RETRY_DELAY_MS,
} from "./constants.js";
import { DashboardGoneError, isDashboardGone } from "./errors.js";
import type { DeliveryProgress, OutboxEntry } from "./outbox.js";
import { type DashboardPacing, soloPacing } from "./pacing.js";
import { runEndEntries } from "./run-end.js";
import type { DashboardSink, LiveLogger } from "./sink.js";
import { silentLogger } from "./sink.js";
import { type ChannelWrites, ThreadWriteWindow } from "./write-window.js";

/** The parts of a RunResult the dashboard reads (the scheduler's and the runner's results both fit). */
export type RunEnd = Pick<
  RunResult,
  "outcome" | "error" | "finalText" | "tokens" | "cost" | "lineCount" | "transcriptPath" | "endedAt"
>;

/** Reported after each successful edit: enough for metrics and for the stdout → Discord lag benchmark. */
export interface DashboardEditInfo {
  sessionId: string;
  /** When the edit settled (clock milliseconds). */
  at: number;
  /** When the edit was sent (clock milliseconds): edits of one dashboard are paced between sends. */
  sentAt: number;
  /** Arrival of the newest output line this edit showed for the first time; undefined when none. */
  newestLineAt: number | undefined;
  /** Arrival of the oldest line this edit showed for the first time: `at - oldestLineAt` is the worst lag. */
  oldestLineAt: number | undefined;
}

export interface LiveDashboardCounts {
  /** Edits Discord accepted. */
  edits: number;
  /** State changes that joined an edit already waiting instead of asking for their own. */
  coalesced: number;
  /** Edits that failed with a transient error (each one is retried or superseded). */
  editFailures: number;
}

/** Where a dashboard hands the messages its runs leave in the thread: the bot's durable outbox. */
export interface DashboardDelivery {
  /**
   * Stores the entries before any attempt and queues them for the thread, not attempted before `after`
   * settles when given; see `ThreadOutbox.enqueue`.
   */
  send(entries: OutboxEntry[], options?: { after?: Promise<unknown> }): Promise<DeliveryProgress>;
  /** What waits for a retry now (a dashboard opened after a restart shows it from its first paint). */
  waiting(): DeliveryWaiting | undefined;
}

export interface LiveDashboardOptions {
  /** The dashboard as it stands: fresh (`initialDashboardView`) or rebuilt from the store after a restart. */
  view: DashboardView;
  sink: DashboardSink;
  /** Default: the real clock. */
  clock?: Clock;
  logger?: LiveLogger;
  /** Called once when the thread or the dashboard message is gone; the bot then stops the session. */
  onGone?: (sessionId: string) => void;
  /** Called after each successful edit. */
  onEdit?: (info: DashboardEditInfo) => void;
  /** Shared pacing from a DashboardRegistry. Default: one edit per second at most, no shared budget. */
  pacing?: DashboardPacing;
  /** A longer answer is posted as its first part plus `answer.md` (default `MAX_ANSWER_MESSAGES`). */
  maxAnswerMessages?: number;
  /** Size in bytes of a file, undefined when there is none (default: `fs.stat`). */
  fileSize?: (path: string) => Promise<number | undefined>;
  /** The dashboard message was posted just now: that post counts in the thread's write window. */
  justPosted?: boolean;
  /**
   * The thread's write window, shared with every other writer into the thread (default: the dashboard's
   * own, for a dashboard on its own).
   */
  writes?: ChannelWrites;
  /** Where the run-end messages go: the bot's outbox for this thread. */
  delivery: DashboardDelivery;
}

type Halt = "gone" | "closed";

const TAIL_LINES = DISPLAY_LIMITS.dashboardTailLines;

async function fileSizeOnDisk(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function retryDelayMs(failuresInARow: number): number {
  return Math.min(RETRY_DELAY_MAX_MS, RETRY_DELAY_MS * 2 ** Math.max(0, failuresInARow - 1));
}

export class LiveDashboard {
  readonly sessionId: string;
  readonly #model: DashboardModel;
  readonly #sink: DashboardSink;
  readonly #clock: Clock;
  readonly #logger: LiveLogger;
  readonly #onGone: ((sessionId: string) => void) | undefined;
  readonly #onEdit: ((info: DashboardEditInfo) => void) | undefined;
  readonly #pacing: DashboardPacing;
  readonly #maxAnswerMessages: number;
  readonly #fileSize: (path: string) => Promise<number | undefined>;
  readonly #counts: LiveDashboardCounts = { edits: 0, coalesced: 0, editFailures: 0 };
  readonly #writes: ChannelWrites;
  readonly #delivery: DashboardDelivery;
  /** Aborted when the dashboard halts: a wait for the write window ends with it. */
  readonly #halting = new AbortController();

  // Output waits here until the next paint: folding it into the model line by line would cost a new
  // view per line, and only the newest TAIL_LINES can ever show.
  #pendingLines: string[] = [];
  // Decides *when* output is worth an edit (10 lines or 1.5 s); items are arrival times.
  #batcher: LineBatcher<number> | undefined;
  #runActive = false;
  #heartbeat: unknown;
  #runRows = 0;
  #runHasLongLine = false;
  #unshownOldestAt: number | undefined;
  #unshownNewestAt: number | undefined;

  // Painting: `#dirty` is "the model changed since the edit in flight was rendered".
  #version = 0;
  #paintedVersion = 0;
  #dirty = false;
  /** The next edit goes out even if the state did not change (the heartbeat's elapsed time). */
  #repaint = false;
  #painting: Promise<void> | undefined;
  /** Set while an edit or a post is in flight: one request at a time per dashboard, whichever kind. */
  #sinkBusy: Promise<void> | undefined;
  #retriesLeft = EDIT_RETRIES;
  #failuresInARow = 0;
  #lastEditAt = Number.NEGATIVE_INFINITY;
  // A run's final view, painted before anything newer: the next queued run starts (and turns the view
  // Busy again) long before the edit interval lets the final edit out, and "newest wins" would skip it.
  #runEndView: { view: DashboardView; version: number } | undefined;

  #ending: Promise<void> | undefined;
  #halted: Halt | undefined;
  #reportedBusy = false;
  readonly #wakers = new Set<() => void>();

  constructor(options: LiveDashboardOptions) {
    expectNonEmptyString("view.sessionId", options?.view?.sessionId);
    expectFunction("sink.edit", options.sink?.edit);
    expectFunction("delivery.send", options.delivery?.send);
    const maxAnswerMessages = options.maxAnswerMessages ?? MAX_ANSWER_MESSAGES;
    expectInteger("maxAnswerMessages", maxAnswerMessages, 1);
    this.sessionId = options.view.sessionId;
    this.#model = new DashboardModel(options.view);
    this.#sink = options.sink;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#onGone = options.onGone;
    this.#onEdit = options.onEdit;
    this.#pacing = options.pacing ?? soloPacing;
    this.#maxAnswerMessages = maxAnswerMessages;
    this.#fileSize = options.fileSize ?? fileSizeOnDisk;
    this.#writes = options.writes ?? new ThreadWriteWindow({ clock: this.#clock });
    if (options.justPosted) this.#writes.recordSettled();
    this.#delivery = options.delivery;
    const waiting = this.#delivery.waiting();
    if (waiting) this.#model.apply({ type: "delivery", waiting });
  }

  /** The newest state, painted or not. */
  get view(): DashboardView {
    this.#syncModel();
    return this.#model.view;
  }

  /** What this dashboard has done so far; a copy. */
  get counts(): LiveDashboardCounts {
    return { ...this.#counts };
  }

  /** The thread or message is gone, or `close()` was called: nothing more is sent. */
  get closed(): boolean {
    return this.#halted !== undefined;
  }

  /** A run in progress, an edit waiting or in flight, or a run's messages being posted. */
  get busy(): boolean {
    return (
      this.#halted === undefined &&
      (this.#runActive || this.#painting !== undefined || this.#ending !== undefined)
    );
  }

  /**
   * A state change. Run starts, queue depth, waiting, stops and failures are painted as soon as the edit
   * interval allows; tools and usage during a run ride with the output's cadence.
   */
  apply(event: DashboardEvent): void {
    if (event.type === "lines") {
      const at = this.#clock.now();
      for (const text of event.lines) this.#takeLine(text, at);
      return;
    }
    // Output that arrived before this event belongs before it (a run_started clears the tail).
    this.#syncModel();
    if (event.type === "run_started" && !this.#halted) this.#startRun();
    this.#model.apply(event);
    this.#version++;
    // A closed dashboard still keeps its view current (for `view`), but schedules nothing.
    if (this.#halted) return;
    if (event.type === "run_ended") this.#endRunCadence();
    if ((event.type === "tool" || event.type === "usage" || event.type === "context") && this.#runActive) {
      this.#cadence().push(this.#clock.now());
      return;
    }
    void this.#requestPaint();
  }

  /** One readable output line of the running prompt. */
  line(line: OutputLine): void {
    this.#takeLine(line.text, this.#clock.now());
  }

  /** Messages owed to the thread started or stopped waiting for a retry: shown on the dashboard. */
  deliveryChanged(waiting: DeliveryWaiting | undefined): void {
    this.apply({ type: "delivery", waiting });
  }

  /**
   * The run ended: a final edit with its last lines and final state (retried on transient errors), then
   * the answer, a failure note and the transcript when the output did not fit. Nothing is posted once the
   * session is stopped: its thread is being archived. Resolves when all of it has settled; never rejects.
   */
  runEnded(result: RunEnd, options: { runNumber?: number } = {}): Promise<void> {
    if (this.#halted) return this.#ending ?? Promise.resolve();
    this.#syncModel();
    const before = this.#model.view;
    // The runner's sum is the truth; usage events may have been missed or never wired.
    const tokensGap = (result.tokens ?? 0) - (before.tokens ?? 0);
    const costGap = (result.cost ?? 0) - (before.cost ?? 0);
    if (tokensGap > 0 || costGap > 0) {
      this.#model.apply({ type: "usage", tokens: Math.max(0, tokensGap), cost: Math.max(0, costGap) });
    }
    const view = this.#model.apply({
      type: "run_ended",
      outcome: result.outcome,
      at: result.endedAt,
      error: result.error,
    });
    this.#version++;
    this.#runEndView = { view, version: this.#version };
    // Decided now: the next run may start (and clear the tail) before the final edit goes out.
    const runNumber = options.runNumber ?? view.runNumber;
    const outputFitted = this.#outputFitted(view, result.lineCount);
    this.#endRunCadence();

    const previous = this.#ending;
    const work = (async () => {
      if (previous) await previous;
      // The answer first: the final edit may have to wait out the edit interval, and the person should
      // not wait with it. The final state is painted once the answer landed, or once Discord failed it
      // (the outbox then retries it, and the dashboard says so). The closing note with the transcript
      // comes last: stored with the answer, sent once the final edit settled, so the run's last lines
      // do not wait behind an upload for a place in the thread's window.
      let painted!: () => void;
      const finalPainted = new Promise<void>((resolve) => {
        painted = resolve;
      });
      try {
        const { answer, note } = await this.#sendRunEnd(view, result, runNumber, outputFitted, finalPainted);
        if ((await answer) === "gone") {
          this.#gone(new DashboardGoneError("thread"));
          return;
        }
        await this.#requestPaint();
        painted();
        if ((await note) === "gone") this.#gone(new DashboardGoneError("thread"));
      } finally {
        painted();
      }
    })();
    const tracked: Promise<void> = work
      .catch((error: unknown) => {
        this.#logger.warn({ sessionId: this.sessionId, err: error }, "posting a run's end failed");
      })
      .finally(() => {
        if (this.#ending === tracked) this.#ending = undefined;
        this.#refreshBusy();
      });
    this.#ending = tracked;
    this.#refreshBusy();
    return tracked;
  }

  /**
   * Paints the newest state now (still never two edits at once, never faster than the interval) and
   * resolves once it landed or was given up; waits first for an ending run's messages. For `/omp stop`
   * before archiving, and for shutdown.
   */
  async flushNow(): Promise<void> {
    if (this.#ending) await this.#ending;
    if (this.#halted) return;
    this.#syncModel();
    if (this.#version !== this.#paintedVersion) await this.#requestPaint();
    else if (this.#painting) await this.#painting;
  }

  /**
   * Stops all editing; resolves when the request in flight, if any, has settled. Messages already handed
   * to the bot's outbox stay there.
   */
  async close(): Promise<void> {
    this.#halt("closed");
    await Promise.allSettled([this.#painting, this.#ending]);
  }

  // --- output -------------------------------------------------------------------------------------

  #takeLine(text: string, at: number): void {
    if (this.#halted) return;
    this.#pendingLines.push(text);
    // Every entry is at least one row, so the newest TAIL_LINES entries hold every row that can show.
    if (this.#pendingLines.length > 2 * TAIL_LINES)
      this.#pendingLines = this.#pendingLines.slice(-TAIL_LINES);
    for (const row of text.split(/\r\n?|\n/)) {
      this.#runRows++;
      if (row.length > DISPLAY_LIMITS.dashboardLineChars) this.#runHasLongLine = true;
    }
    this.#version++;
    this.#unshownOldestAt ??= at;
    this.#unshownNewestAt = at;
    this.#cadence().push(at);
  }

  #syncModel(): void {
    if (this.#pendingLines.length === 0) return;
    const lines = this.#pendingLines;
    this.#pendingLines = [];
    this.#model.apply({ type: "lines", lines });
  }

  #cadence(): LineBatcher<number> {
    if (!this.#batcher) {
      const batcher: LineBatcher<number> = new LineBatcher<number>({
        // The final flush of an ended batcher is covered by the run's own final edit.
        flush: (_arrivals, info) => {
          if (!info.final && batcher === this.#batcher) void this.#requestPaint();
        },
        clock: this.#clock,
      });
      this.#batcher = batcher;
    }
    return this.#batcher;
  }

  #startRun(): void {
    this.#endRunCadence();
    this.#runActive = true;
    this.#runRows = 0;
    this.#runHasLongLine = false;
    // The cadence starts with the run, so ten lines right after a quiet start show at once.
    this.#cadence();
    this.#scheduleHeartbeat();
    this.#refreshBusy();
  }

  /** Repaints a quiet running dashboard `HEARTBEAT_MS` after its last edit (elapsed time, liveness). */
  #scheduleHeartbeat(): void {
    this.#clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
    if (!this.#runActive || this.#halted) return;
    const due = Math.max(1, this.#lastEditAt + HEARTBEAT_MS - this.#clock.now());
    this.#heartbeat = this.#clock.setTimeout(() => {
      this.#heartbeat = undefined;
      if (!this.#runActive || this.#halted) return;
      if (this.#clock.now() - this.#lastEditAt >= HEARTBEAT_MS) {
        // Nothing changed but the elapsed time: paint all the same.
        this.#repaint = true;
        void this.#requestPaint();
      }
      this.#scheduleHeartbeat();
    }, due);
  }

  #endRunCadence(): void {
    this.#clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
    const batcher = this.#batcher;
    this.#batcher = undefined;
    if (batcher) void batcher.end();
    this.#runActive = false;
    this.#refreshBusy();
  }

  /** Every line of the run is on the dashboard, uncut: then the transcript adds nothing. */
  #outputFitted(view: DashboardView, lineCount: number): boolean {
    if (this.#runHasLongLine || Math.max(this.#runRows, lineCount ?? 0) > TAIL_LINES) return false;
    if (view.tail.length === 0) return true;
    // The renderer drops the oldest rows when the embed runs out of room: count the rows it kept.
    const description = renderDashboard(view, new Date(this.#clock.now())).embeds[0].description ?? "";
    return description.split("\n").length - 2 >= view.tail.length;
  }

  // --- painting ------------------------------------------------------------------------------------

  /** The last edit that landed shows the newest state, and no repaint of it was asked for. */
  #upToDate(): boolean {
    return (
      !this.#repaint &&
      this.#runEndView === undefined &&
      this.#pendingLines.length === 0 &&
      this.#version === this.#paintedVersion
    );
  }

  /** Resolves when an edit showing the state as of this call has landed or been given up. */
  #requestPaint(): Promise<void> {
    if (this.#halted) return Promise.resolve();
    if (this.#dirty) this.#counts.coalesced++;
    this.#dirty = true;
    this.#retriesLeft = EDIT_RETRIES;
    if (!this.#painting) {
      this.#painting = this.#paintLoop();
      this.#refreshBusy();
    }
    return this.#painting;
  }

  async #paintLoop(): Promise<void> {
    try {
      while (this.#dirty && !this.#halted) {
        // Always yields at least once, so `#painting` is set before this loop can clear it.
        await this.#waitForTurn();
        if (this.#halted) break;
        this.#dirty = false;
        // A request made while the edit in flight already carried the newest state (a run's end asks
        // again once its answer landed) would only repeat that edit and spend a place in the window.
        if (this.#upToDate()) continue;
        this.#repaint = false;
        const landed = await this.#editOnce();
        if (!landed && !this.#halted && this.#retriesLeft > 0) {
          this.#retriesLeft--;
          this.#dirty = true;
        }
      }
    } finally {
      // Cleared in the same tick as the loop's last check: a request made after it starts a new loop.
      this.#painting = undefined;
      this.#refreshBusy();
    }
  }

  async #waitForTurn(): Promise<void> {
    const backoff = this.#failuresInARow > 0 ? retryDelayMs(this.#failuresInARow) : 0;
    const readyAt = this.#lastEditAt + Math.max(this.#pacing.minEditIntervalMs(), backoff);
    // Timers and the clock round differently (a timer may fire a millisecond before the clock says the
    // time is up): check the clock, so that no two edits are ever sent closer than the interval.
    while (!this.#halted && this.#clock.now() < readyAt) await this.#sleep(readyAt - this.#clock.now());
  }

  /** Waits until no edit of this dashboard is in flight, then holds the sink until released. */
  async #acquireSink(): Promise<() => void> {
    while (this.#sinkBusy) await this.#sinkBusy;
    let release!: () => void;
    this.#sinkBusy = new Promise<void>((resolve) => {
      release = () => {
        this.#sinkBusy = undefined;
        resolve();
      };
    });
    return release;
  }

  /**
   * One edit: the sink (one edit in flight), then a place in the thread's write window, then a slot of
   * the shared budget. The place is booked before the slot wait and held until the edit settled, so a
   * wait on the way can only make the write later than booked, never crowd Discord's window.
   */
  async #editOnce(): Promise<boolean> {
    const release = await this.#acquireSink();
    let ticket: Awaited<ReturnType<ChannelWrites["acquire"]>>;
    try {
      if (this.#halted) return false;
      ticket = await this.#writes.acquire({ signal: this.#halting.signal });
      if (!ticket || this.#halted) return false;
      // The slot is booked only when this dashboard is ready, so a slow one never holds a slot it can't use.
      await this.#sleep(this.#pacing.reserveSlot());
      return await this.#editNow();
    } finally {
      ticket?.settled();
      release();
    }
  }

  /** Renders the newest state and sends it; the caller holds the sink. */
  async #editNow(): Promise<boolean> {
    if (this.#halted) return false;
    this.#syncModel();
    const now = this.#clock.now();
    const final = this.#runEndView;
    this.#runEndView = undefined;
    const version = final?.version ?? this.#version;
    const payload = renderDashboard(final?.view ?? this.#model.view, new Date(now));
    const oldest = this.#unshownOldestAt;
    const newest = this.#unshownNewestAt;
    this.#unshownOldestAt = undefined;
    this.#unshownNewestAt = undefined;
    this.#lastEditAt = now;
    try {
      await this.#sink.edit(payload);
    } catch (error) {
      if (isDashboardGone(error)) {
        this.#gone(error);
        return false;
      }
      this.#counts.editFailures++;
      this.#failuresInARow++;
      this.#runEndView ??= final;
      // Those lines are still unseen: the next edit that lands reports their lag.
      if (oldest !== undefined) this.#unshownOldestAt = Math.min(oldest, this.#unshownOldestAt ?? oldest);
      if (newest !== undefined) this.#unshownNewestAt ??= newest;
      this.#logger.warn(
        { sessionId: this.sessionId, err: error, failuresInARow: this.#failuresInARow },
        "dashboard edit failed; the next edit carries the newest state",
      );
      return false;
    }
    this.#counts.edits++;
    this.#failuresInARow = 0;
    this.#paintedVersion = version;
    // The run's final view went out; whatever came after it (the next run) is the next edit.
    if (final && version !== this.#version) this.#dirty = true;
    if (this.#onEdit) {
      try {
        this.#onEdit({
          sessionId: this.sessionId,
          at: this.#clock.now(),
          sentAt: now,
          newestLineAt: newest,
          oldestLineAt: oldest,
        });
      } catch (error) {
        this.#logger.debug({ sessionId: this.sessionId, err: error }, "onEdit hook threw");
      }
    }
    return true;
  }

  // --- posting -------------------------------------------------------------------------------------

  /**
   * Hands the answer, then the closing message with the transcript, of an ended run to the outbox, both
   * stored now; the closing message is held until `after` (the final edit).
   */
  async #sendRunEnd(
    view: DashboardView,
    result: RunEnd,
    runNumber: number,
    outputFitted: boolean,
    after: Promise<void>,
  ): Promise<{ answer: Promise<DeliveryProgress>; note: Promise<DeliveryProgress> }> {
    const none = Promise.resolve<DeliveryProgress>("settled");
    // Halted meanwhile (the dashboard message was deleted, or shutdown began) is no reason to drop the
    // answer: the outbox is the thread's, not the dashboard's. A stopped session's thread gets nothing.
    if (view.stopped) return { answer: none, note: none };
    const bytes = result.transcriptPath ? await this.#fileSize(result.transcriptPath) : undefined;
    const entries = runEndEntries({
      runNumber,
      outcome: result.outcome,
      error: result.error,
      finalText: result.finalText ?? "",
      outputFitted,
      transcript: bytes === undefined ? undefined : { path: result.transcriptPath, bytes },
      transcriptPath: result.transcriptPath || undefined,
      maxAnswerMessages: this.#maxAnswerMessages,
    });
    const answers = entries.filter((entry) => entry.kind === "answer");
    const notes = entries.filter((entry) => entry.kind !== "answer");
    return {
      answer: answers.length > 0 ? this.#delivery.send(answers) : none,
      note: notes.length > 0 ? this.#delivery.send(notes, { after }) : none,
    };
  }

  // --- lifecycle -----------------------------------------------------------------------------------

  #gone(error: unknown): void {
    if (this.#halted) return;
    this.#logger.warn(
      { sessionId: this.sessionId, err: error },
      "the session's thread or dashboard is gone; the dashboard stops",
    );
    this.#halt("gone");
    try {
      this.#onGone?.(this.sessionId);
    } catch (hookError) {
      this.#logger.warn({ sessionId: this.sessionId, err: hookError }, "onGone hook threw");
    }
  }

  #halt(reason: Halt): void {
    if (this.#halted) return;
    this.#halted = reason;
    this.#halting.abort();
    this.#endRunCadence();
    this.#pendingLines = [];
    for (const wake of [...this.#wakers]) wake();
    this.#refreshBusy();
  }

  /** Waits on the injected clock; `#halt` cuts every wait short. Always yields, even for 0 ms. */
  #sleep(ms: number): Promise<void> {
    if (!(ms > 0) || this.#halted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.#wakers.delete(wake);
        this.#clock.clearTimeout(handle);
        resolve();
      };
      const handle = this.#clock.setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  #refreshBusy(): void {
    const busy = this.busy;
    if (busy === this.#reportedBusy) return;
    this.#reportedBusy = busy;
    this.#pacing.busyChanged(this.sessionId, busy);
  }
}
