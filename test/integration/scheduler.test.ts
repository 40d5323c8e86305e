import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type RunObserver, RunScheduler, SHUTDOWN_CUT_ERROR } from "../../src/queue/scheduler.js";
import type { OmpRun, OmpRunner, OmpRunRequest, RunResult } from "../../src/queue/types.js";
import { openStore, type SessionRow, type Store } from "../../src/store/index.js";

/** An OmpRunner whose runs end when the test says so (or at once, with `autoFinish`). */
class FakeRunner implements OmpRunner {
  readonly runs: FakeRun[] = [];
  running = 0;
  maxRunning = 0;
  autoFinish: ((request: OmpRunRequest) => Partial<RunResult>) | undefined;
  failToStart = false;

  start(request: OmpRunRequest): OmpRun {
    if (this.failToStart) throw new Error("spawn omp ENOENT");
    const run = new FakeRun(request, this, 1000 + this.runs.length);
    this.runs.push(run);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const auto = this.autoFinish;
    if (auto) setTimeout(() => run.finish(auto(request)), 5);
    return run;
  }

  texts(): string[] {
    return this.runs.map((run) => run.request.prompt);
  }
}

class FakeRun implements OmpRun {
  readonly done: Promise<RunResult>;
  cancelCalls = 0;
  /** The reasons of the clock's pauses not resumed yet, as the runner's deadline would hold them. */
  readonly clockPauses: string[] = [];
  #resolve!: (result: RunResult) => void;
  #settled = false;
  readonly #startedAt = new Date();

  constructor(
    readonly request: OmpRunRequest,
    private readonly runner: FakeRunner,
    readonly pid: number,
  ) {
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get settled(): boolean {
    return this.#settled;
  }

  pauseClock(reason: string): void {
    this.clockPauses.push(reason);
  }

  resumeClock(): void {
    this.clockPauses.pop();
  }

  finish(partial: Partial<RunResult> = {}): void {
    if (this.#settled) return;
    this.#settled = true;
    this.runner.running -= 1;
    this.#resolve({
      outcome: "success",
      exitCode: 0,
      signal: null,
      error: undefined,
      ompSessionId: undefined,
      finalText: "ok",
      tokens: 10,
      cost: 0.001,
      outputBytes: 42,
      lineCount: 2,
      transcriptPath: this.request.transcriptPath,
      startedAt: this.#startedAt,
      endedAt: new Date(),
      leftovers: [],
      ...partial,
    });
  }

  async cancel(): Promise<void> {
    this.cancelCalls += 1;
    this.finish({ outcome: "cancelled", exitCode: null, signal: "SIGTERM" });
  }
}

let dir: string;
let dbPath: string;
let store: Store;
let runner: FakeRunner;
let schedulers: RunScheduler[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-scheduler-"));
  dbPath = join(dir, "ompcord.db");
  store = openStore(dbPath);
  runner = new FakeRunner();
  schedulers = [];
});
afterEach(async () => {
  for (const run of runner.runs) run.finish();
  for (const scheduler of schedulers) await scheduler.shutdown({ graceMs: 0 });
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function scheduler(options: { max?: number; observer?: RunObserver; on?: Store } = {}): RunScheduler {
  const created = new RunScheduler({
    store: options.on ?? store,
    runner,
    maxConcurrentRuns: options.max ?? 2,
    transcriptsDir: join(dir, "transcripts"),
    ompSessionsDir: join(dir, "omp-sessions"),
    ...(options.observer ? { observer: options.observer } : {}),
  });
  schedulers.push(created);
  return created;
}

let threads = 0;
function session(on: Store = store): SessionRow {
  threads += 1;
  const workDir = join(dir, `work-${threads}`);
  mkdirSync(workDir);
  return on.createSession({
    guildId: "g",
    parentChannelId: "c",
    threadId: `thread-${threads}`,
    name: `session ${threads}`,
    createdBy: "u",
    workDir,
  });
}

function queue(sessionId: string, text: string, on: Store = store) {
  return on.enqueuePrompt({ sessionId, authorId: "u", text, source: "say" });
}

/** Ceiling for a wait on the scheduler: it acts in microtasks, but a loaded machine may pause the worker. */
const WAIT = { timeout: 30_000 };

const runsStarted = (n: number) => vi.waitFor(() => expect(runner.runs).toHaveLength(n), WAIT);

describe("order", () => {
  it("runs a session's prompts in the order they were queued, resuming the same omp conversation", async () => {
    runner.autoFinish = () => ({ ompSessionId: "omp-conversation-1" });
    const s = session();
    const rs = scheduler();
    for (const text of ["first", "second", "third"])
      rs.enqueue({ sessionId: s.id, authorId: "u", text, source: "say" });
    await rs.onIdle();

    expect(runner.texts()).toEqual(["first", "second", "third"]);
    expect(runner.runs[0]?.request.ompSessionId).toBeUndefined();
    expect(runner.runs[1]?.request.ompSessionId).toBe("omp-conversation-1");
    expect(store.getSession(s.id)).toMatchObject({ state: "idle", ompSessionId: "omp-conversation-1" });
    expect(store.countQueued(s.id)).toBe(0);
    expect(store.runCount(s.id)).toBe(3);
    const statuses = store.sqlite.prepare("select status from prompts order by position").all();
    expect(statuses).toEqual([{ status: "done" }, { status: "done" }, { status: "done" }]);
  });

  it("gives each run the session's cwd, session dir and a transcript path with run number and id", async () => {
    runner.autoFinish = () => ({});
    const s = session();
    const rs = scheduler();
    queue(s.id, "hello");
    rs.kick(s.id);
    await rs.onIdle();

    const request = runner.runs[0]!.request;
    const run = store.latestRun(s.id)!;
    expect(request).toMatchObject({
      prompt: "hello",
      cwd: s.workDir,
      sessionId: s.id,
      sessionDir: join(dir, "omp-sessions", s.id),
      transcriptPath: join(dir, "transcripts", s.id, `1-${run.id}.log`),
    });
    expect(existsSync(join(dir, "transcripts", s.id))).toBe(true);
    expect(existsSync(request.sessionDir)).toBe(true);
    expect(run).toMatchObject({ pid: 1000, outcome: "success", exitCode: 0, tokens: 10, outputBytes: 42 });
    expect(run.transcriptPath).toBe(request.transcriptPath);
  });

  it("records the run's processes as they start, and the leftovers it had to end", async () => {
    const s = session();
    const rs = scheduler();
    queue(s.id, "leave a job");
    rs.kick(s.id);
    await runsStarted(1);
    const fake = runner.runs[0]!;
    fake.request.onProcess?.("supervisor", { pid: 1000, startTicks: 50, bootId: "boot-1" });
    fake.request.onProcess?.("omp", { pid: 1001, startTicks: 51, bootId: "boot-1" });
    const leftover = {
      pid: 1002,
      startTicks: 60,
      bootId: "boot-1",
      name: "python3",
      signal: "SIGKILL" as const,
    };
    fake.finish({ leftovers: [leftover] });
    await rs.onIdle();

    const run = store.latestRun(s.id)!;
    expect(
      store.runProcesses(run.id).map(({ role, pid, startTicks, bootId, name, endedBy }) => ({
        role,
        pid,
        startTicks,
        bootId,
        name,
        endedBy,
      })),
    ).toEqual([
      { role: "supervisor", pid: 1000, startTicks: 50, bootId: "boot-1", name: null, endedBy: null },
      { role: "omp", pid: 1001, startTicks: 51, bootId: "boot-1", name: null, endedBy: null },
      { role: "leftover", pid: 1002, startTicks: 60, bootId: "boot-1", name: "python3", endedBy: "SIGKILL" },
    ]);
  });

  it("a prompt queued while the worker drains is picked up without another kick", async () => {
    const s = session();
    const rs = scheduler();
    queue(s.id, "one");
    rs.kick(s.id);
    await runsStarted(1);
    queue(s.id, "two"); // no kick: the running worker must find it
    runner.runs[0]!.finish();
    await runsStarted(2);
    runner.runs[1]!.finish();
    await rs.onIdle();
    expect(runner.texts()).toEqual(["one", "two"]);
  });
});

describe("one at a time per session", () => {
  it("never starts a session's second prompt before the first ends", async () => {
    const s = session();
    const rs = scheduler({ max: 4 });
    queue(s.id, "a");
    queue(s.id, "b");
    rs.kick(s.id);
    rs.kick(s.id);
    await runsStarted(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runner.runs).toHaveLength(1);
    expect(store.getSession(s.id)?.state).toBe("busy");
    expect(rs.snapshot(s.id)).toMatchObject({
      running: { prompt: { text: "a", status: "running" }, runNumber: 1, pid: 1000 },
      waiting: [{ prompt: { text: "b" }, waitingForSlot: false }],
      waitingForSlot: false,
    });

    runner.runs[0]!.finish();
    await runsStarted(2);
    expect(runner.maxRunning).toBe(1);
    runner.runs[1]!.finish();
    await rs.onIdle();
  });
});

describe("global limit", () => {
  it("caps runs across sessions and shows the rest as waiting for a slot", async () => {
    const sessions = [session(), session(), session()];
    const rs = scheduler({ max: 2 });
    for (const s of sessions) {
      queue(s.id, `from ${s.name}`);
      rs.kick(s.id);
    }
    await runsStarted(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runner.runs).toHaveLength(2);
    expect(rs.stats()).toEqual({ active: 2, queued: 1, max: 2 });

    const third = sessions[2]!;
    const snapshot = rs.snapshot(third.id);
    expect(snapshot.running).toBeUndefined();
    expect(snapshot.waitingForSlot).toBe(true);
    expect(snapshot.waiting).toMatchObject([{ prompt: { status: "queued" }, waitingForSlot: true }]);

    runner.runs[0]!.finish();
    await runsStarted(3);
    expect(runner.runs[2]!.request.sessionId).toBe(third.id);
    expect(runner.maxRunning).toBe(2);
    for (const run of runner.runs) run.finish();
    await rs.onIdle();
    expect(rs.stats()).toEqual({ active: 0, queued: 0, max: 2 });
  });

  it("tells the observer when a session's next prompt has to wait for a slot, and `slotWait` says so too", async () => {
    const waits: Array<{ sessionId: string; text: string; inUse: number; max: number }> = [];
    const observer: RunObserver = {
      onWaitingForSlot: (sessionId, { prompt, inUse, max }) =>
        waits.push({ sessionId, text: prompt.text, inUse, max }),
      onStart: () => {},
      onLine: () => {},
      onEnd: () => {},
    };
    const [holder, waiter] = [session(), session()];
    const rs = scheduler({ max: 1, observer });
    expect(rs.slotWait(waiter.id)).toBeUndefined();
    rs.enqueue({ sessionId: holder.id, authorId: "u", text: "holds the slot", source: "say" });
    await runsStarted(1);
    // The holder runs; a new session's prompt would wait for the only slot.
    expect(rs.slotWait(holder.id)).toBeUndefined();
    expect(rs.slotWait(waiter.id)).toEqual({ inUse: 1, max: 1 });
    rs.enqueue({ sessionId: waiter.id, authorId: "u", text: "waits for it", source: "say" });
    await vi.waitFor(() => expect(waits).toHaveLength(1));
    expect(waits[0]).toEqual({ sessionId: waiter.id, text: "waits for it", inUse: 1, max: 1 });
    expect(waits.some((w) => w.sessionId === holder.id)).toBe(false);

    runner.runs[0]!.finish();
    await runsStarted(2);
    expect(rs.slotWait(waiter.id)).toBeUndefined();
    runner.runs[1]!.finish();
    await rs.onIdle();
    expect(waits).toHaveLength(1);
  });

  it("holds many sessions to the limit under load", async () => {
    runner.autoFinish = () => ({});
    const rs = scheduler({ max: 3 });
    for (let i = 0; i < 8; i += 1) {
      const s = session();
      for (let j = 0; j < 3; j += 1)
        rs.enqueue({ sessionId: s.id, authorId: "u", text: `${i}.${j}`, source: "say" });
    }
    await rs.onIdle();
    expect(runner.runs).toHaveLength(24);
    expect(runner.maxRunning).toBe(3);
    // Within each session, order held.
    for (let i = 0; i < 8; i += 1) {
      expect(runner.texts().filter((text) => text.startsWith(`${i}.`))).toEqual([
        `${i}.0`,
        `${i}.1`,
        `${i}.2`,
      ]);
    }
  });

  it("refuses a limit below 1 with a message that says what came", () => {
    expect(() => scheduler({ max: 0 })).toThrow(
      "Expected `maxConcurrentRuns` to be an integer from 1 and up, got `0` (number)",
    );
  });
});

describe("cancel", () => {
  it("cancels the running prompt; the session shows degraded and the queue goes on", async () => {
    const s = session();
    const rs = scheduler();
    queue(s.id, "long");
    queue(s.id, "after");
    rs.kick(s.id);
    await runsStarted(1);

    expect(await rs.cancelRun(s.id)).toBe(true);
    expect(runner.runs[0]!.cancelCalls).toBe(1);
    await runsStarted(2);
    const first = store.sqlite.prepare("select status from prompts where text = 'long'").get();
    expect(first).toEqual({ status: "cancelled" });
    expect(store.getRun(store.latestRun(s.id)!.id)?.runNumber).toBe(2);
    expect(store.sqlite.prepare("select outcome, signal from runs where run_number = 1").get()).toEqual({
      outcome: "cancelled",
      signal: "SIGTERM",
    });
    runner.runs[1]!.finish();
    await rs.onIdle();
    expect(store.getSession(s.id)?.state).toBe("idle");
  });

  it("a cancel that arrives before omp exists cancels the run as soon as its process starts", async () => {
    const s = session();
    let cancelling: Promise<boolean> | undefined;
    const rs: RunScheduler = new RunScheduler({
      store,
      runner,
      maxConcurrentRuns: 1,
      transcriptsDir: join(dir, "transcripts"),
      ompSessionsDir: join(dir, "omp-sessions"),
      // The last step before omp is spawned: the run is registered as running, its process does not
      // exist yet. A cancel arriving now has no process to signal.
      checkWorkDir: () => {
        cancelling ??= rs.cancelRun(s.id);
        return undefined;
      },
    });
    schedulers.push(rs);
    queue(s.id, "cancelled before it started");
    queue(s.id, "after");
    rs.kick(s.id);
    await runsStarted(1);

    expect(await cancelling).toBe(true);
    await vi.waitFor(() => expect(runner.runs[0]!.cancelCalls).toBe(1), WAIT);
    await runsStarted(2);
    expect(store.sqlite.prepare("select outcome from runs where run_number = 1").get()).toEqual({
      outcome: "cancelled",
    });
    expect(store.sqlite.prepare("select status from prompts where text = 'after'").get()).toEqual({
      status: "running",
    });
    runner.runs[1]!.finish();
    await rs.onIdle();
  });

  it("answers false when nothing runs", async () => {
    const s = session();
    const rs = scheduler();
    expect(await rs.cancelRun(s.id)).toBe(false);
  });
});

describe("the run's clock", () => {
  it("pauses and resumes the running prompt's time limit by run id, nested; other and unknown ids change nothing", async () => {
    const rs = scheduler();
    const [a, b] = [session(), session()];
    queue(a.id, "waits for a person");
    queue(b.id, "just works");
    rs.kick(a.id);
    rs.kick(b.id);
    await runsStarted(2);
    const runA = runner.runs.find((r) => r.request.prompt === "waits for a person")!;
    const runB = runner.runs.find((r) => r.request.prompt === "just works")!;
    rs.pauseRunClock(runA.request.runId!, "approval");
    rs.pauseRunClock(runA.request.runId!, "question");
    rs.pauseRunClock("no-such-run", "approval");
    rs.resumeRunClock("no-such-run");
    expect(runA.clockPauses).toEqual(["approval", "question"]);
    expect(runB.clockPauses).toEqual([]);
    rs.resumeRunClock(runA.request.runId!);
    expect(runA.clockPauses).toEqual(["approval"]);
    runA.finish();
    await vi.waitFor(() => expect(rs.snapshot(a.id).running).toBeUndefined(), WAIT);
    // Ended: its id is no longer running, and nothing reaches the finished run.
    rs.resumeRunClock(runA.request.runId!);
    expect(runA.clockPauses).toEqual(["approval"]);
  });

  it("a pause asked for before omp's process exists is applied as soon as it starts", async () => {
    const s = session();
    const rs: RunScheduler = new RunScheduler({
      store,
      runner,
      maxConcurrentRuns: 1,
      transcriptsDir: join(dir, "transcripts"),
      ompSessionsDir: join(dir, "omp-sessions"),
      // The last step before omp is spawned: the run is registered, its process does not exist yet.
      checkWorkDir: () => {
        const runId = rs.snapshot(s.id).running?.runId;
        if (runId) rs.pauseRunClock(runId, "approval");
        return undefined;
      },
    });
    schedulers.push(rs);
    queue(s.id, "paused before it started");
    rs.kick(s.id);
    await runsStarted(1);
    expect(runner.runs[0]!.clockPauses).toEqual(["approval"]);
  });

  it("a run waiting for a usage limit keeps its slot, and a session waiting for one is told so, then told when it works again", async () => {
    const waits: Array<{ sessionId: string; inUse: number; usageWaits: number | undefined }> = [];
    const usage: Array<{ sessionId: string; waiting: boolean }> = [];
    const observer: RunObserver = {
      onWaitingForSlot: (sessionId, { inUse, usageWaits }) => waits.push({ sessionId, inUse, usageWaits }),
      onUsageWait: (sessionId, wait) => usage.push({ sessionId, waiting: wait !== undefined }),
      onStart: () => {},
      onLine: () => {},
      onEnd: () => {},
    };
    const [holder, waiter] = [session(), session()];
    const rs = scheduler({ max: 1, observer });
    rs.enqueue({ sessionId: holder.id, authorId: "u", text: "hits a usage limit", source: "say" });
    await runsStarted(1);
    rs.enqueue({ sessionId: waiter.id, authorId: "u", text: "waits for the slot", source: "say" });
    await vi.waitFor(() => expect(waits).toHaveLength(1), WAIT);
    expect(waits[0]).toEqual({ sessionId: waiter.id, inUse: 1, usageWaits: undefined });

    const wait = { resumesAt: new Date(Date.now() + 3_600_000), delayMs: 3_600_000 };
    runner.runs[0]!.request.onUsageWait?.(wait);
    expect(usage).toEqual([{ sessionId: holder.id, waiting: true }]);
    expect(waits[1]).toEqual({ sessionId: waiter.id, inUse: 1, usageWaits: 1 });
    expect(rs.slotWait(waiter.id)).toEqual({ inUse: 1, max: 1, usageWaits: 1 });
    expect(runner.runs).toHaveLength(1);

    runner.runs[0]!.request.onUsageWait?.(undefined);
    expect(usage.at(-1)).toEqual({ sessionId: holder.id, waiting: false });
    expect(waits[2]).toEqual({ sessionId: waiter.id, inUse: 1, usageWaits: undefined });
    runner.runs[0]!.finish();
    await runsStarted(2);
  });
});

describe("clear", () => {
  it("drops the waiting prompts and cancels the running one; nothing else starts", async () => {
    const s = session();
    const rs = scheduler();
    for (const text of ["running", "waiting 1", "waiting 2"]) queue(s.id, text);
    rs.kick(s.id);
    await runsStarted(1);

    expect(await rs.clearSession(s.id)).toEqual({ droppedPrompts: 2, cancelledRun: true });
    await rs.onIdle();
    expect(runner.runs).toHaveLength(1);
    expect(store.getSession(s.id)?.state).toBe("degraded");
    const rows = store.sqlite.prepare("select text, status from prompts order by position").all();
    expect(rows).toEqual([
      { text: "running", status: "cancelled" },
      { text: "waiting 1", status: "cancelled" },
      { text: "waiting 2", status: "cancelled" },
    ]);
  });

  it("a prompt cancelled while it waits for a global slot never runs", async () => {
    const busy = session();
    const waiting = session();
    const rs = scheduler({ max: 1 });
    queue(busy.id, "holding the slot");
    rs.kick(busy.id);
    await runsStarted(1);
    queue(waiting.id, "never");
    rs.kick(waiting.id);
    await vi.waitFor(() => expect(rs.snapshot(waiting.id).waitingForSlot).toBe(true), WAIT);

    await rs.clearSession(waiting.id);
    runner.runs[0]!.finish();
    await rs.onIdle();
    expect(runner.texts()).toEqual(["holding the slot"]);
  });
});

describe("failures", () => {
  it("a failed run marks the prompt failed and the session degraded, and the next prompt still runs", async () => {
    runner.autoFinish = (request) =>
      request.prompt === "breaks" ? { outcome: "failed", exitCode: 1, error: "provider returned 500" } : {};
    const s = session();
    const rs = scheduler();
    queue(s.id, "breaks");
    rs.kick(s.id);
    await rs.onIdle();
    expect(store.getSession(s.id)?.state).toBe("degraded");
    expect(store.latestRun(s.id)).toMatchObject({
      outcome: "failed",
      exitCode: 1,
      error: "provider returned 500",
    });

    queue(s.id, "works");
    rs.kick(s.id);
    await rs.onIdle();
    expect(store.getSession(s.id)?.state).toBe("idle");
  });

  it("a runner that cannot start omp ends the run as crashed with the reason and the session Failed", async () => {
    runner.failToStart = true;
    const ends: RunResult[] = [];
    const s = session();
    const rs = scheduler({
      observer: { onStart: () => {}, onLine: () => {}, onEnd: (ctx) => ends.push(ctx.result) },
    });
    queue(s.id, "x");
    queue(s.id, "y");
    rs.kick(s.id);
    await rs.onIdle();
    expect(ends.map((result) => result.outcome)).toEqual(["crashed", "crashed"]);
    expect(store.latestRun(s.id)).toMatchObject({ outcome: "crashed", runNumber: 2 });
    expect(store.latestRun(s.id)?.error).toContain("spawn omp ENOENT");
    // Every later prompt would fail the same way: SPEC's Failed, not Degraded.
    expect(store.getSession(s.id)?.state).toBe("failed");
  });

  it("a working directory that is gone starts no omp: the run fails with the reason and the session turns Failed", async () => {
    runner.autoFinish = () => ({});
    const ends: RunResult[] = [];
    const s = session();
    const rs = scheduler({
      observer: { onStart: () => {}, onLine: () => {}, onEnd: (ctx) => ends.push(ctx.result) },
    });
    rmSync(s.workDir, { recursive: true });
    queue(s.id, "x");
    rs.kick(s.id);
    await rs.onIdle();
    expect(runner.runs).toHaveLength(0);
    expect(ends.map((result) => result.outcome)).toEqual(["crashed"]);
    expect(ends[0]?.error).toBe(
      `working directory ${s.workDir} is gone: recreate it (mkdir -p ${s.workDir}), then send the prompt again.`,
    );
    expect(store.latestRun(s.id)).toMatchObject({ outcome: "crashed", error: ends[0]?.error });
    expect(store.getPrompt(store.latestRun(s.id)!.promptId)?.status).toBe("failed");
    expect(store.getSession(s.id)?.state).toBe("failed");
  });

  it("once the working directory is back, the next prompt runs and the session is Idle again", async () => {
    runner.autoFinish = () => ({});
    const s = session();
    const rs = scheduler();
    rmSync(s.workDir, { recursive: true });
    queue(s.id, "while gone");
    rs.kick(s.id);
    await rs.onIdle();
    expect(store.getSession(s.id)?.state).toBe("failed");

    mkdirSync(s.workDir);
    queue(s.id, "after it came back");
    rs.kick(s.id);
    await rs.onIdle();
    expect(runner.texts()).toEqual(["after it came back"]);
    expect(runner.runs[0]?.request.cwd).toBe(s.workDir);
    expect(store.getSession(s.id)?.state).toBe("idle");
  });

  it("a working directory replaced by a file is refused the same way, naming what is wrong", async () => {
    runner.autoFinish = () => ({});
    const s = session();
    const rs = scheduler();
    rmSync(s.workDir, { recursive: true });
    writeFileSync(s.workDir, "not a directory");
    queue(s.id, "x");
    rs.kick(s.id);
    await rs.onIdle();
    expect(runner.runs).toHaveLength(0);
    expect(store.latestRun(s.id)?.error).toContain(`working directory ${s.workDir} is not a directory`);
    expect(store.getSession(s.id)?.state).toBe("failed");
  });

  it("asks the injected check, so the bot can repair a directory it owns before the run", async () => {
    runner.autoFinish = () => ({});
    const s = session();
    const checked: string[] = [];
    const rs = new RunScheduler({
      store,
      runner,
      maxConcurrentRuns: 1,
      transcriptsDir: join(dir, "transcripts"),
      ompSessionsDir: join(dir, "omp-sessions"),
      checkWorkDir: (workDir) => {
        checked.push(workDir);
        return checked.length === 1 ? "working directory is read-only: fix it" : undefined;
      },
    });
    schedulers.push(rs);
    queue(s.id, "first");
    rs.kick(s.id);
    await rs.onIdle();
    expect(store.latestRun(s.id)?.error).toBe("working directory is read-only: fix it");
    queue(s.id, "second");
    rs.kick(s.id);
    await rs.onIdle();
    expect(checked).toEqual([s.workDir, s.workDir]);
    expect(runner.texts()).toEqual(["second"]);
  });

  it("a throwing observer stops nothing", async () => {
    runner.autoFinish = () => ({});
    const s = session();
    const rs = scheduler({
      observer: {
        onQueued: () => {
          throw new Error("observer bug");
        },
        onStart: () => {
          throw new Error("observer bug");
        },
        onLine: () => {},
        onEnd: () => {
          throw new Error("observer bug");
        },
      },
    });
    rs.enqueue({ sessionId: s.id, authorId: "u", text: "a", source: "say" });
    rs.enqueue({ sessionId: s.id, authorId: "u", text: "b", source: "say" });
    await rs.onIdle();
    expect(runner.texts()).toEqual(["a", "b"]);
  });
});

describe("observer", () => {
  it("hears queued, start, lines, events and end for each run, in that order", async () => {
    const heard: string[] = [];
    const s = session();
    const rs = scheduler({
      observer: {
        onQueued: (_sessionId, promptId) => heard.push(`queued ${store.getPrompt(promptId)?.text}`),
        onStart: (ctx) => heard.push(`start ${ctx.prompt.text} #${ctx.runNumber} pid ${ctx.run.pid}`),
        onLine: (_sessionId, line) => heard.push(`line ${line.kind}: ${line.text}`),
        onEvent: (_sessionId, event) => heard.push(`event ${event.type}`),
        onEnd: (ctx) => heard.push(`end #${ctx.runNumber} ${ctx.result.outcome}`),
      },
    });
    rs.enqueue({ sessionId: s.id, authorId: "u", text: "hi", source: "new" });
    await runsStarted(1);
    const run = runner.runs[0]!;
    run.request.onEvent?.({ type: "session", id: "omp-1", cwd: undefined });
    run.request.onLine?.({ kind: "assistant", text: "hello" });
    run.finish();
    await rs.onIdle();
    expect(heard).toEqual([
      "queued hi",
      "start hi #1 pid 1000",
      "event session",
      "line assistant: hello",
      "end #1 success",
    ]);
  });
});

describe("restart", () => {
  it("after a crash mid-run, a new scheduler resumes the queued prompts in order", async () => {
    const s = session();
    const other = session();
    const before = scheduler();
    for (const text of ["cut off", "second", "third"]) queue(s.id, text);
    queue(other.id, "other waiting");
    before.kick(s.id);
    await runsStarted(1);
    // The process "dies": the run never ends, nothing is closed cleanly.
    schedulers.length = 0;

    const reopened = openStore(dbPath);
    try {
      const { interruptedRuns } = reopened.reconcileAfterRestart();
      expect(interruptedRuns.map((item) => [item.prompt?.text, item.run.pid])).toEqual([["cut off", 1000]]);
      const resumedRunner = new FakeRunner();
      resumedRunner.autoFinish = () => ({});
      const after = new RunScheduler({
        store: reopened,
        runner: resumedRunner,
        maxConcurrentRuns: 1,
        transcriptsDir: join(dir, "transcripts"),
        ompSessionsDir: join(dir, "omp-sessions"),
      });
      expect(after.resumeAll().sort()).toEqual([s.id, other.id].sort());
      await after.onIdle();
      expect(resumedRunner.texts().filter((text) => text !== "other waiting")).toEqual(["second", "third"]);
      expect(resumedRunner.texts()).toContain("other waiting");
      expect(reopened.latestRun(s.id)?.runNumber).toBe(3);
      expect(reopened.getPrompt(interruptedRuns[0]!.prompt!.id)?.status).toBe("interrupted");
      await after.shutdown({ graceMs: 0 });
    } finally {
      reopened.close();
    }
  });
});

describe("shutdown", () => {
  it("lets a run finish within the grace period and leaves the queue for the next start", async () => {
    const s = session();
    const rs = scheduler();
    queue(s.id, "finishing");
    queue(s.id, "stays queued");
    rs.kick(s.id);
    await runsStarted(1);
    // The run ends while shutdown waits for it: a grace period no loaded machine can outlast.
    const stopping = rs.shutdown({ graceMs: 10 * 60_000 });
    runner.runs[0]!.finish();
    await stopping;
    expect(runner.runs).toHaveLength(1);
    expect(runner.runs[0]!.cancelCalls).toBe(0);
    expect(store.listQueuedPrompts(s.id).map((p) => p.text)).toEqual(["stays queued"]);
    rs.kick(s.id);
    expect(runner.runs).toHaveLength(1);
  });

  it("cancels runs still going when the grace period ends, and records them interrupted by the stop, not cancelled", async () => {
    const s = session();
    const rs = scheduler();
    queue(s.id, "hangs");
    rs.kick(s.id);
    await runsStarted(1);
    const started = Date.now();
    const { cutSessions } = await rs.shutdown({ graceMs: 50 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(runner.runs[0]!.cancelCalls).toBe(1);
    expect(cutSessions).toEqual([s.id]);
    expect(store.latestRun(s.id)).toMatchObject({ outcome: "interrupted", error: SHUTDOWN_CUT_ERROR });
    expect(store.listQueuedPrompts(s.id)).toEqual([]);
  });
});
