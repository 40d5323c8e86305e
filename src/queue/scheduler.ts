// RunScheduler: turns queued prompts in the store into omp runs, one at a time per session (a p-queue of
// concurrency 1 each) and at most `maxConcurrentRuns` at once overall (one shared p-queue). The store is
// the queue's truth, so a restart loses nothing: `resumeAll()` picks up where the last process stopped.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import PQueue from "p-queue";
import { describeUnusableWorkDir, directoryProblem } from "../config/index.js";
import { expectInteger } from "../expect.js";
import { createLogger, type Logger, withContext } from "../log.js";
import type { NewPrompt, PromptRow, SessionRow, SessionState, Store } from "../store/index.js";
import type { OmpEvent, OmpRun, OmpRunner, OutputLine, RunResult, UsageWait } from "./types.js";

export interface RunObserver {
  /** A prompt was queued through `enqueue` (not called for prompts found in the store at start). */
  onQueued?(sessionId: string, promptId: string): void;
  onStart(ctx: {
    sessionId: string;
    promptId: string;
    runId: string;
    run: OmpRun;
    runNumber: number;
    prompt: PromptRow;
  }): void;
  /**
   * The session's next prompt has to wait for a global run slot: other sessions' runs hold all `max`.
   * `onStart` follows once it gets one (or nothing, if the prompt is dropped meanwhile).
   */
  onWaitingForSlot?(sessionId: string, ctx: { prompt: PromptRow } & SlotWait): void;
  onLine(sessionId: string, line: OutputLine): void;
  /** omp's parsed events as they come (usage, tool starts), for dashboards that want more than lines. */
  onEvent?(sessionId: string, event: OmpEvent): void;
  /** The session's run sleeps until a usage limit resets (undefined: it works again, or ended). */
  onUsageWait?(sessionId: string, wait: UsageWait | undefined): void;
  onEnd(ctx: {
    sessionId: string;
    promptId: string;
    runId: string;
    runNumber: number;
    result: RunResult;
    /** The bot's stop cancelled the run after its grace period (`result.outcome` is `cancelled`). */
    cutByShutdown?: boolean;
  }): void;
}

/**
 * Whether a queued prompt may run when it comes up (the day caps, src/sessions/spend.ts). A refused
 * prompt is not run: the session's queued prompts are dropped (kept as `cancelled`) and `refused` says
 * how many, so the thread can be told.
 */
export interface RunAdmission {
  /** Why the session's next prompt may not run now; undefined when it may. */
  check(session: SessionRow, prompt: PromptRow): string | undefined;
  refused(sessionId: string, reason: string, dropped: number): void;
}

export interface RunSchedulerOptions {
  store: Store;
  runner: OmpRunner;
  observer?: RunObserver;
  /** Runs at once across all sessions; from `config.omp.maxConcurrentRuns`. */
  maxConcurrentRuns: number;
  /** Transcripts go to `<transcriptsDir>/<sessionId>/<runNumber>-<runId>.log`. */
  transcriptsDir: string;
  /** Each session's omp `--session-dir` is `<ompSessionsDir>/<sessionId>`. */
  ompSessionsDir: string;
  /**
   * Why a run cannot start in this working directory (undefined when it can), checked before each run:
   * omp is not spawned in a directory that vanished or turned read-only, and the reason becomes the
   * run's error. May repair what the bot owns. Default: the directory must exist and be writable.
   */
  checkWorkDir?: (dir: string) => string | undefined;
  /** Asked before each run starts; by default every prompt may run. */
  admission?: RunAdmission;
  logger?: Logger;
}

export interface RunningPromptView {
  prompt: PromptRow;
  runId: string;
  runNumber: number;
  startedAt: Date;
  pid: number | undefined;
  /** A cancel of this run is already under way: a second one changes nothing. */
  cancelling: boolean;
  /** Set while the run sleeps until a usage limit resets. */
  usageWait?: UsageWait | undefined;
}

export interface WaitingPromptView {
  prompt: PromptRow;
  /** True for the session's next prompt when it waits only for a global slot (another session's run). */
  waitingForSlot: boolean;
}

export interface QueueSnapshot {
  running: RunningPromptView | undefined;
  /** In the order they will run. */
  waiting: WaitingPromptView[];
  /** Whether the session's next prompt is held back by the global limit. */
  waitingForSlot: boolean;
}

/** Every global run slot is taken: `inUse` of `max` runs are going. */
export interface SlotWait {
  inUse: number;
  max: number;
  /** How many of the runs holding a slot sleep until a usage limit resets (they keep their slot). */
  usageWaits?: number;
}

export interface SchedulerStats {
  /** Runs in flight now. */
  active: number;
  /** Prompts waiting in sessions that are not stopped. */
  queued: number;
  /** The global limit. */
  max: number;
}

interface ActiveRun {
  prompt: PromptRow;
  runId: string;
  runNumber: number;
  startedAt: Date;
  run: OmpRun | undefined;
  cancelRequested: boolean;
  /** Cancelled because the bot stopped: recorded as interrupted, not as a person's cancel. */
  cutByShutdown?: boolean;
  finished: Promise<void>;
  /** Pauses of the run's clock asked for before its process existed; applied when it starts. */
  earlyPauses: string[];
  /** Set while the run sleeps until a usage limit resets. */
  usageWait: UsageWait | undefined;
}

/** One session's worker: its serial queue and what it is doing. */
interface Lane {
  queue: PQueue;
  /** Set while a drain task is queued or running; cleared in the same tick as the last "nothing left" check. */
  draining: boolean;
  waitingPromptId: string | undefined;
  active: ActiveRun | undefined;
}

const silentLogger = () => createLogger({ logLevel: "silent" });

/** The error of a run the bot's stop cut, in the store (a crash's cut says "ompcord restarted"). */
export const SHUTDOWN_CUT_ERROR = "interrupted: ompcord stopped during the run";

export class RunScheduler {
  readonly #store: Store;
  readonly #runner: OmpRunner;
  readonly #observer: RunObserver | undefined;
  readonly #transcriptsDir: string;
  readonly #ompSessionsDir: string;
  readonly #checkWorkDir: (dir: string) => string | undefined;
  readonly #admission: RunAdmission | undefined;
  readonly #logger: Logger;
  readonly #max: number;
  readonly #global: PQueue;
  readonly #lanes = new Map<string, Lane>();
  #closed = false;

  constructor(options: RunSchedulerOptions) {
    const { maxConcurrentRuns } = options;
    expectInteger("maxConcurrentRuns", maxConcurrentRuns, 1);
    this.#store = options.store;
    this.#runner = options.runner;
    this.#observer = options.observer;
    this.#transcriptsDir = options.transcriptsDir;
    this.#ompSessionsDir = options.ompSessionsDir;
    this.#checkWorkDir = options.checkWorkDir ?? defaultWorkDirCheck;
    this.#admission = options.admission;
    this.#logger = options.logger ?? silentLogger();
    this.#max = maxConcurrentRuns;
    this.#global = new PQueue({ concurrency: maxConcurrentRuns });
  }

  /** Queues a prompt in the store and wakes its session. Limits (length, depth) are the caller's to check. */
  enqueue(input: NewPrompt): PromptRow {
    const prompt = this.#store.enqueuePrompt(input);
    this.#notify("onQueued", () => this.#observer?.onQueued?.(input.sessionId, prompt.id));
    this.kick(input.sessionId);
    return prompt;
  }

  /** Makes the session's worker run its queued prompts in order; a no-op while it already does. */
  kick(sessionId: string): void {
    if (this.#closed) return;
    const lane = this.#lane(sessionId);
    if (lane.draining) return;
    lane.draining = true;
    lane.queue
      .add(() => this.#drain(sessionId, lane))
      .catch((error: unknown) => {
        this.#logger.error({ sessionId, err: error }, "session worker stopped unexpectedly");
      });
  }

  /**
   * Cancels the session's running prompt (SIGTERM, then SIGKILL after the runner's grace period); the
   * queue goes on. Resolves `false` when nothing was running, or when a cancel was already under way
   * (every caller still waits for it): only the first of a double click announces the cancel.
   */
  async cancelRun(sessionId: string): Promise<boolean> {
    const active = this.#lanes.get(sessionId)?.active;
    if (!active) return false;
    const first = !active.cancelRequested;
    active.cancelRequested = true;
    // Before the process exists the flag is enough: the run is cancelled as soon as it starts.
    if (active.run) await active.run.cancel();
    return first;
  }

  /**
   * Stops the run's time limit while it waits for something that is not its work (a person's approval
   * or answer); pauses nest. An id that is not running now (ended, unknown) is ignored.
   */
  pauseRunClock(runId: string, reason: string): void {
    const active = this.#activeRun(runId);
    if (!active) return;
    if (active.run) active.run.pauseClock(reason);
    else active.earlyPauses.push(reason);
  }

  /** Undoes one `pauseRunClock` of the run; the limit counts again after the last. Unknown ids are ignored. */
  resumeRunClock(runId: string): void {
    const active = this.#activeRun(runId);
    if (!active) return;
    if (active.run) active.run.resumeClock();
    else active.earlyPauses.pop();
  }

  /** Drops every waiting prompt (kept as `cancelled` history) and cancels the running one. */
  async clearSession(sessionId: string): Promise<{ droppedPrompts: number; cancelledRun: boolean }> {
    const droppedPrompts = this.#store.cancelQueuedPrompts(sessionId);
    const cancelledRun = await this.cancelRun(sessionId);
    return { droppedPrompts, cancelledRun };
  }

  /** What `/omp queue` shows: the running prompt and the waiting ones in order. */
  snapshot(sessionId: string): QueueSnapshot {
    const lane = this.#lanes.get(sessionId);
    const active = lane?.active;
    const waiting = this.#store.listQueuedPrompts(sessionId).map((prompt) => ({
      prompt,
      waitingForSlot: prompt.id === lane?.waitingPromptId,
    }));
    return {
      running: active && {
        prompt: this.#store.getPrompt(active.prompt.id) ?? active.prompt,
        runId: active.runId,
        runNumber: active.runNumber,
        startedAt: active.startedAt,
        pid: active.run?.pid,
        cancelling: active.cancelRequested,
        usageWait: active.usageWait,
      },
      waiting,
      waitingForSlot: waiting.some((item) => item.waitingForSlot),
    };
  }

  stats(): SchedulerStats {
    let active = 0;
    for (const lane of this.#lanes.values()) if (lane.active) active += 1;
    return { active, queued: this.#store.stats().promptsQueued, max: this.#max };
  }

  /**
   * Whether the session's next queued prompt would wait for a global run slot if it were to run now:
   * undefined when the session runs a prompt itself or a slot is free.
   */
  slotWait(sessionId: string): SlotWait | undefined {
    if (this.#lanes.get(sessionId)?.active) return undefined;
    const inUse = this.#global.pending;
    return inUse >= this.#max ? this.#slotWaitOf(inUse) : undefined;
  }

  /** Kicks every session with queued prompts (after a restart); returns their ids. */
  resumeAll(): string[] {
    const sessionIds = this.#store.sessionsWithQueuedPrompts();
    for (const sessionId of sessionIds) this.kick(sessionId);
    return sessionIds;
  }

  /** Resolves when every session worker has nothing left to do. */
  async onIdle(): Promise<void> {
    while (true) {
      const lanes = [...this.#lanes.values()];
      if (lanes.length === 0) return;
      await Promise.all(lanes.map((lane) => lane.queue.onIdle()));
      if ([...this.#lanes.values()].every((lane) => !lane.draining)) return;
    }
  }

  /**
   * Stops taking work, lets running prompts finish for up to `graceMs`, then cancels the rest and waits
   * for them to end. Prompts still queued stay queued in the store for the next start. Resolves with the
   * ids of the sessions whose run the stop cut.
   */
  async shutdown(options: { graceMs: number }): Promise<{ cutSessions: string[] }> {
    this.#closed = true;
    const running = () => [...this.#lanes.values()].flatMap((lane) => (lane.active ? [lane.active] : []));
    const finishing = Promise.all(running().map((active) => active.finished));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), options.graceMs);
    });
    const first = await Promise.race([finishing.then(() => "done" as const), graceOver]);
    clearTimeout(timer);
    const cutSessions: string[] = [];
    if (first === "timeout") {
      const left = running();
      for (const active of left) {
        active.cutByShutdown = true;
        cutSessions.push(active.prompt.sessionId);
      }
      this.#logger.warn(
        { runs: left.length },
        "shutdown: cancelling runs still going after the grace period",
      );
      await Promise.all(
        left.map(async (active) => {
          active.cancelRequested = true;
          await active.run?.cancel();
          await active.finished;
        }),
      );
    }
    await this.onIdle();
    return { cutSessions };
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────

  #activeRun(runId: string): ActiveRun | undefined {
    for (const lane of this.#lanes.values()) if (lane.active?.runId === runId) return lane.active;
    return undefined;
  }

  /** All `inUse` slots taken, and how many of their runs sleep until a usage limit resets (when any do). */
  #slotWaitOf(inUse: number): SlotWait {
    let usageWaits = 0;
    for (const lane of this.#lanes.values()) if (lane.active?.usageWait) usageWaits += 1;
    return usageWaits > 0 ? { inUse, max: this.#max, usageWaits } : { inUse, max: this.#max };
  }

  /**
   * A run began or ended a usage-limit wait: sessions waiting for a slot say again why they wait (a
   * run waiting for a reset keeps its slot).
   */
  #usageWaitChanged(sessionId: string, active: ActiveRun, wait: UsageWait | undefined): void {
    active.usageWait = wait;
    this.#notify("onUsageWait", () => this.#observer?.onUsageWait?.(sessionId, wait));
    for (const [waitingSessionId, lane] of this.#lanes) {
      const promptId = lane.waitingPromptId;
      const prompt = promptId && this.#store.getPrompt(promptId);
      const slotWait = prompt && this.slotWait(waitingSessionId);
      if (!prompt || !slotWait) continue;
      this.#notify("onWaitingForSlot", () =>
        this.#observer?.onWaitingForSlot?.(waitingSessionId, { prompt, ...slotWait }),
      );
    }
  }

  #lane(sessionId: string): Lane {
    let lane = this.#lanes.get(sessionId);
    if (!lane) {
      lane = {
        queue: new PQueue({ concurrency: 1 }),
        draining: false,
        waitingPromptId: undefined,
        active: undefined,
      };
      this.#lanes.set(sessionId, lane);
    }
    return lane;
  }

  async #drain(sessionId: string, lane: Lane): Promise<void> {
    try {
      while (!this.#closed) {
        const prompt = this.#store.nextQueuedPrompt(sessionId);
        const session = prompt && this.#store.getSession(sessionId);
        if (!prompt || !session || session.stoppedAt) break;
        lane.waitingPromptId = prompt.id;
        const inUse = this.#global.pending;
        if (inUse >= this.#max) {
          const slotWait = this.#slotWaitOf(inUse);
          this.#notify("onWaitingForSlot", () =>
            this.#observer?.onWaitingForSlot?.(sessionId, { prompt, ...slotWait }),
          );
        }
        await this.#global.add(() => this.#runPrompt(sessionId, lane, prompt.id));
        // Whatever happened, the prompt must have left "queued", or this loop would spin on it.
        if (this.#store.getPrompt(prompt.id)?.status === "queued") break;
      }
    } finally {
      lane.waitingPromptId = undefined;
      // Same tick as the last check above: a kick arriving from now on starts a new drain.
      lane.draining = false;
      if (!lane.active && this.#lanes.get(sessionId) === lane) this.#lanes.delete(sessionId);
    }
  }

  async #runPrompt(sessionId: string, lane: Lane, promptId: string): Promise<void> {
    lane.waitingPromptId = undefined;
    if (this.#closed) return;
    // The prompt may have been cancelled, or the session stopped, while it waited for a slot.
    const prompt = this.#store.getPrompt(promptId);
    const session = this.#store.getSession(sessionId);
    if (prompt?.status !== "queued" || !session || session.stoppedAt) return;
    const refusal = this.#admission?.check(session, prompt);
    if (refusal !== undefined) {
      const dropped = this.#store.cancelQueuedPrompts(sessionId);
      this.#notify("admission", () => this.#admission?.refused(sessionId, refusal, dropped));
      return;
    }

    let settle!: () => void;
    const finished = new Promise<void>((resolve) => {
      settle = resolve;
    });
    try {
      await this.#execute(session, lane, prompt, finished);
    } catch (error) {
      // A store or observer bug must not stop the whole queue; the prompt is failed so it is not retried forever.
      this.#logger.error({ sessionId, promptId, err: error }, "run bookkeeping failed");
      if (this.#store.getPrompt(promptId)?.status === "queued") this.#store.markPromptFailed(promptId);
    } finally {
      lane.active = undefined;
      settle();
    }
  }

  async #execute(session: SessionRow, lane: Lane, prompt: PromptRow, finished: Promise<void>): Promise<void> {
    const sessionId = session.id;
    const transcriptDir = join(this.#transcriptsDir, sessionId);
    const sessionDir = join(this.#ompSessionsDir, sessionId);
    mkdirSync(transcriptDir, { recursive: true });
    mkdirSync(sessionDir, { recursive: true });

    const row = this.#store.startRun({
      sessionId,
      promptId: prompt.id,
      transcriptPath: (run) => join(transcriptDir, `${run.runNumber}-${run.id}.log`),
    });
    const transcriptPath = row.transcriptPath!;
    const log = withContext(this.#logger, { sessionId, promptId: prompt.id, runId: row.id });
    this.#store.setSessionState(sessionId, "busy");
    const active: ActiveRun = {
      prompt,
      runId: row.id,
      runNumber: row.runNumber,
      startedAt: row.startedAt,
      run: undefined,
      cancelRequested: false,
      finished,
      earlyPauses: [],
      usageWait: undefined,
    };
    lane.active = active;

    let result: RunResult;
    // Checked before spawning: in a directory that is gone omp would fail with a message about its
    // `cwd` option, which tells a person nothing.
    const unusable = this.#checkWorkDir(session.workDir);
    if (unusable !== undefined) {
      log.warn({ workDir: session.workDir, reason: unusable }, "run not started: working directory unusable");
      result = notStartedResult(unusable, transcriptPath, row.startedAt);
    } else {
      try {
        const run = this.#runner.start({
          prompt: prompt.text,
          cwd: session.workDir,
          ...(session.ompSessionId ? { ompSessionId: session.ompSessionId } : {}),
          ...(session.model ? { model: session.model } : {}),
          sessionDir,
          sessionId,
          runId: row.id,
          transcriptPath,
          onLine: (line) => this.#notify("onLine", () => this.#observer?.onLine(sessionId, line)),
          onEvent: (event) => this.#notify("onEvent", () => this.#observer?.onEvent?.(sessionId, event)),
          onUsageWait: (wait) => this.#usageWaitChanged(sessionId, active, wait),
          // Durably, as each starts: after a crash of the bot, recovery ends only these very processes.
          onProcess: (role, identity) => this.#store.recordRunProcess(row.id, role, identity),
        });
        active.run = run;
        for (const reason of active.earlyPauses.splice(0)) run.pauseClock(reason);
        if (run.pid !== undefined) this.#store.setRunPid(row.id, run.pid);
        log.info({ pid: run.pid, runNumber: row.runNumber }, "run started");
        this.#notify("onStart", () =>
          this.#observer?.onStart({
            sessionId,
            promptId: prompt.id,
            runId: row.id,
            run,
            runNumber: row.runNumber,
            prompt: { ...prompt, status: "running", startedAt: row.startedAt },
          }),
        );
        if (active.cancelRequested) void run.cancel();
        result = await run.done;
      } catch (error) {
        // The runner reports process failures in the result; an exception here means it could not even start.
        result = crashedResult(error, transcriptPath, row.startedAt);
      }
    }

    if (result.leftovers.length > 0) {
      for (const leftover of result.leftovers) {
        this.#store.recordRunProcess(row.id, "leftover", leftover, {
          name: leftover.name,
          endedBy: leftover.stuck ? "none (would not end)" : leftover.signal,
        });
      }
      log.warn({ leftovers: result.leftovers }, "the run left processes running; they were ended");
    }
    // A run the bot's stop cancelled was not cancelled by anyone: it is recorded as interrupted, as a run
    // cut by a crash is (its session becomes degraded either way, and its queued prompts stay queued).
    const cut = active.cutByShutdown === true && result.outcome === "cancelled";
    this.#store.finishRun(row.id, {
      outcome: cut ? "interrupted" : result.outcome,
      exitCode: result.exitCode,
      signal: result.signal,
      error: cut ? SHUTDOWN_CUT_ERROR : (result.error ?? null),
      tokens: result.tokens,
      cost: result.cost,
      outputBytes: result.outputBytes,
      endedAt: result.endedAt,
    });
    if (result.ompSessionId && !session.ompSessionId)
      this.#store.setOmpSessionId(sessionId, result.ompSessionId);
    this.#store.setSessionState(sessionId, sessionStateAfter(result));
    log.info({ outcome: result.outcome, exitCode: result.exitCode, signal: result.signal }, "run ended");
    lane.active = undefined;
    this.#notify("onEnd", () =>
      this.#observer?.onEnd({
        sessionId,
        promptId: prompt.id,
        runId: row.id,
        runNumber: row.runNumber,
        result,
        ...(cut ? { cutByShutdown: true } : {}),
      }),
    );
  }

  /** Observers are someone else's code: their errors are logged, never allowed to stop a run. */
  #notify(hook: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#logger.error({ hook, err: error }, "run observer threw");
    }
  }
}

/**
 * The state a run leaves its session in (SPEC §1): idle after success; failed when omp could not even
 * start (no exit code, no signal: missing binary, unusable working directory), since every later prompt
 * would fail the same way; degraded after any other failure, cancel or timeout.
 */
export function sessionStateAfter(result: Pick<RunResult, "outcome" | "exitCode" | "signal">): SessionState {
  if (result.outcome === "success") return "idle";
  if (result.outcome === "crashed" && result.exitCode === null && result.signal === null) return "failed";
  return "degraded";
}

/** The default `checkWorkDir`: the directory must exist and be writable by this process. */
function defaultWorkDirCheck(dir: string): string | undefined {
  const problem = directoryProblem(dir);
  return problem && `${describeUnusableWorkDir(dir, problem)}, then send the prompt again.`;
}

function crashedResult(error: unknown, transcriptPath: string, startedAt: Date): RunResult {
  return notStartedResult(
    `omp could not be started: ${error instanceof Error ? error.message : String(error)}`,
    transcriptPath,
    startedAt,
  );
}

/** A run that never had a process: no exit code, no signal, which leaves the session Failed. */
function notStartedResult(error: string, transcriptPath: string, startedAt: Date): RunResult {
  return {
    outcome: "crashed",
    exitCode: null,
    signal: null,
    error,
    ompSessionId: undefined,
    finalText: "",
    tokens: 0,
    cost: 0,
    outputBytes: 0,
    lineCount: 0,
    transcriptPath,
    startedAt,
    endedAt: new Date(),
    leftovers: [],
  };
}
