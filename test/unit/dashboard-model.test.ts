import { describe, expect, it } from "vitest";
import {
  appendToTail,
  DashboardModel,
  INTERRUPTED_NOTE,
  reduceDashboard,
} from "../../src/dashboard/model.js";
import { renderDashboard } from "../../src/dashboard/render.js";
import { initialDashboardView } from "../../src/dashboard/view.js";

const t0 = new Date("2026-01-01T12:00:00Z");
const t1 = new Date("2026-01-01T12:01:00Z");

function busyModel() {
  const model = new DashboardModel(initialDashboardView({ sessionId: "s-1", sessionName: "Run: demo" }));
  model.apply({ type: "run_started", prompt: "list files", authorId: "42", runNumber: 1, at: t0 });
  return model;
}

describe("reduceDashboard", () => {
  it("a usage-limit wait shows while the run sleeps and goes when it works again, ends, or nothing runs", () => {
    const model = busyModel();
    const resumesAt = new Date("2026-01-01T17:00:00Z");
    expect(model.apply({ type: "usage_wait", resumesAt }).usageWait).toEqual({ resumesAt });
    expect(model.apply({ type: "usage_wait", resumesAt: undefined }).usageWait).toBeUndefined();
    model.apply({ type: "usage_wait", resumesAt });
    expect(model.apply({ type: "run_ended", outcome: "cancelled", at: t1 }).usageWait).toBeUndefined();
    // An idle session has no run to wait.
    expect(model.apply({ type: "usage_wait", resumesAt }).usageWait).toBeUndefined();
  });

  it("starts a run: busy, with the prompt, author and run number, and a fresh tail", () => {
    const model = busyModel();
    model.apply({ type: "lines", lines: ["old"] });
    const view = model.apply({ type: "run_started", prompt: "next", authorId: "7", runNumber: 2, at: t1 });
    expect(view).toMatchObject({
      state: "busy",
      prompt: { text: "next", authorId: "7" },
      runNumber: 2,
      runStartedAt: t1,
      runEndedAt: undefined,
      tail: [],
      tokens: undefined,
      note: undefined,
    });
  });

  it("shows a retry's wait while the run waits, and forgets it when the run goes on or ends", () => {
    const model = busyModel();
    const retrying = {
      kind: "retrying" as const,
      delayMs: 20_000,
      reason: "529 overloaded\nat provider",
      attempt: 1,
      maxAttempts: 3,
    };
    expect(model.apply({ type: "activity", activity: retrying }).activity).toEqual({
      ...retrying,
      reason: "529 overloaded",
    });
    expect(model.apply({ type: "activity", activity: undefined }).activity).toBeUndefined();
    model.apply({ type: "activity", activity: { kind: "compacting" } });
    const ended = model.apply({ type: "run_ended", outcome: "success", at: t1 });
    expect(ended.activity).toBeUndefined();
    // A late event after the end does not bring it back.
    expect(model.apply({ type: "activity", activity: { kind: "compacting" } }).activity).toBeUndefined();
  });

  it("keeps the fallback model for the run and the context use across runs until the next report", () => {
    const model = busyModel();
    model.apply({ type: "fell_back", model: "local/\u0007small" });
    model.apply({ type: "context", tokens: 20_160.4, contextWindow: 32_000 });
    let view = model.apply({ type: "run_ended", outcome: "success", at: t1 });
    expect(view).toMatchObject({
      fallbackModel: "local/small",
      context: { tokens: 20_160, contextWindow: 32_000 },
    });
    view = model.apply({ type: "run_started", prompt: "again", authorId: "42", runNumber: 2, at: t1 });
    expect(view.fallbackModel).toBeUndefined();
    expect(view.context).toEqual({ tokens: 20_160, contextWindow: 32_000 });
    // A report without a window says nothing about how full it is.
    expect(model.apply({ type: "context", tokens: 5, contextWindow: 0 }).context?.tokens).toBe(20_160);
  });

  it("keeps only the newest 40 lines, each capped, with embedded newlines split", () => {
    const model = busyModel();
    model.apply({ type: "lines", lines: Array.from({ length: 100 }, (_, i) => `line ${i}`) });
    model.apply({ type: "lines", lines: ["a\nb", "x".repeat(10_000)] });
    const { tail } = model.view;
    expect(tail).toHaveLength(40);
    expect(tail.slice(-3, -1)).toEqual(["a", "b"]);
    expect(tail.at(-1)!.length).toBeLessThanOrEqual(300);
    expect(tail[0]).toBe("line 63");
  });

  it("handles a flood of lines in one batch by keeping only the tail", () => {
    const tail = appendToTail(
      ["kept?"],
      Array.from({ length: 100_000 }, (_, i) => `n${i}`),
    );
    expect(tail).toHaveLength(40);
    expect(tail[0]).toBe("n99960");
    expect(tail.at(-1)).toBe("n99999");
  });

  it("records the last tool and sums usage across assistant messages", () => {
    const model = busyModel();
    model.apply({ type: "tool", name: "bash:\n ls -la" });
    model.apply({ type: "usage", tokens: 100, cost: 0.01 });
    const view = model.apply({ type: "usage", tokens: 50, cost: 0.005 });
    expect(view.lastTool).toBe("bash: ls -la");
    expect(view.tokens).toBe(150);
    expect(view.cost).toBeCloseTo(0.015);
  });

  it("a run cancelled 7 s in keeps its start through tools, usage and a stop, and shows 7s", () => {
    const model = busyModel();
    model.apply({ type: "tool", name: "bash: sleep 300" });
    model.apply({ type: "usage", tokens: 15, cost: 0 });
    model.apply({ type: "run_ended", outcome: "cancelled", at: new Date(t0.getTime() + 7_000) });
    const view = model.apply({ type: "stopped", by: "42" });
    expect(view).toMatchObject({ runStartedAt: t0, runEndedAt: new Date(t0.getTime() + 7_000) });
    const elapsed = renderDashboard(view).embeds[0].fields!.find((f) => f.name === "Elapsed");
    expect(elapsed?.value).toBe("7s");
  });

  it("a prompt about to run shows as busy with that prompt before its run starts, and the run takes over", () => {
    const fresh = initialDashboardView({ sessionId: "s-1", sessionName: "Run: demo" });
    const pending = reduceDashboard(fresh, { type: "pending", prompt: "list files", authorId: "42" });
    expect(pending).toMatchObject({
      state: "busy",
      prompt: { text: "list files", authorId: "42" },
      pending: { waitingForSlot: undefined },
      runStartedAt: undefined,
    });
    const waiting = reduceDashboard(pending, {
      type: "pending",
      prompt: "list files",
      authorId: "42",
      waitingForSlot: { inUse: 2, max: 2 },
    });
    expect(waiting.pending).toEqual({ waitingForSlot: { inUse: 2, max: 2 } });
    const started = reduceDashboard(waiting, {
      type: "run_started",
      prompt: "list files",
      authorId: "42",
      runNumber: 1,
      at: t0,
    });
    expect(started).toMatchObject({ state: "busy", pending: undefined, runStartedAt: t0 });
  });

  it("a pending prompt never hides a running one, and a stopped session shows nothing pending", () => {
    const running = busyModel().view;
    expect(reduceDashboard(running, { type: "pending", prompt: "later", authorId: "7" })).toBe(running);
    const stopped = reduceDashboard(
      reduceDashboard(initialDashboardView({ sessionId: "s-1", sessionName: "x" }), {
        type: "pending",
        prompt: "never runs",
        authorId: "7",
        waitingForSlot: { inUse: 1, max: 1 },
      }),
      { type: "stopped", by: "7" },
    );
    expect(stopped).toMatchObject({ state: "idle", stopped: true, pending: undefined });
    expect(reduceDashboard(stopped, { type: "pending", prompt: "x", authorId: "7" })).toBe(stopped);
  });

  it("goes back to idle after a successful run and keeps the tail and elapsed end", () => {
    const model = busyModel();
    model.apply({ type: "lines", lines: ["done"] });
    const view = model.apply({ type: "run_ended", outcome: "success", at: t1 });
    expect(view).toMatchObject({ state: "idle", runEndedAt: t1, note: undefined, tail: ["done"] });
  });

  it.each([
    ["failed", "provider error", "The last run failed: provider error"],
    ["timed_out", undefined, "The last run hit the time limit and was stopped."],
    ["cancelled", undefined, "The last run was cancelled."],
    ["crashed", "exit code 139", "The last run crashed: exit code 139"],
  ] as const)("turns degraded with a note when a run ends %s", (outcome, error, note) => {
    const view = busyModel().apply({ type: "run_ended", outcome, at: t1, error });
    expect(view.state).toBe("degraded");
    expect(view.note).toBe(note);
  });

  it("follows the queue depth and ignores nonsense values", () => {
    const model = busyModel();
    expect(model.apply({ type: "queue", depth: 3 }).queueDepth).toBe(3);
    expect(model.apply({ type: "queue", depth: -1 }).queueDepth).toBe(0);
  });

  it("shows waiting for a person and back to busy", () => {
    const model = busyModel();
    expect(model.apply({ type: "waiting", waiting: true, note: "Approve rm -rf?" })).toMatchObject({
      state: "waiting",
      note: "Approve rm -rf?",
    });
    expect(model.apply({ type: "waiting", waiting: false })).toMatchObject({
      state: "busy",
      note: undefined,
    });
  });

  it("does not show waiting when nothing runs", () => {
    const idle = initialDashboardView({ sessionId: "s", sessionName: "n" });
    expect(reduceDashboard(idle, { type: "waiting", waiting: true }).state).toBe("idle");
  });

  it("marks a run interrupted by a restart as degraded with the restart note", () => {
    const view = busyModel().apply({ type: "interrupted" });
    expect(view.state).toBe("degraded");
    expect(view.note).toBe(INTERRUPTED_NOTE);
  });

  it("marks a session that cannot run as failed, and a later run end keeps it failed", () => {
    const model = busyModel();
    model.apply({ type: "failed", reason: "omp is not installed: spawn omp ENOENT" });
    const view = model.apply({ type: "run_ended", outcome: "crashed", at: t1 });
    expect(view.state).toBe("failed");
  });

  it("stops a session: stopped flag, empty queue, a note saying who stopped it", () => {
    const model = busyModel();
    model.apply({ type: "queue", depth: 2 });
    const view = model.apply({ type: "stopped", by: "42" });
    expect(view).toMatchObject({ stopped: true, state: "idle", queueDepth: 0 });
    expect(view.note).toContain("<@42>");
  });

  it("never mutates the view it is given", () => {
    const before = initialDashboardView({ sessionId: "s", sessionName: "n" });
    const frozen = Object.freeze({ ...before, tail: Object.freeze(["a"]) });
    const after = reduceDashboard(frozen, { type: "lines", lines: ["b"] });
    expect(frozen.tail).toEqual(["a"]);
    expect(after.tail).toEqual(["a", "b"]);
  });
});
