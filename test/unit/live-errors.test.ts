import { describe, expect, it, vi } from "vitest";
import { DashboardGoneError, LiveDashboard } from "../../src/dashboard/live/index.js";
import {
  FakeClock,
  FakeSink,
  fieldOf,
  liveDashboard,
  result,
  runStarted,
  tailOf,
  view,
} from "./live-fakes.js";

function setup() {
  const clock = new FakeClock();
  const sink = new FakeSink(clock);
  const onGone = vi.fn();
  const warn = vi.fn();
  const dashboard = liveDashboard({
    view: view(),
    sink,
    clock,
    onGone,
    logger: { warn, debug: () => {} },
    fileSize: async () => 100,
  });
  return { clock, sink, dashboard, onGone, warn };
}

const serverError = () => Object.assign(new Error("503 Service Unavailable"), { status: 503 });

describe("LiveDashboard when Discord fails", () => {
  it("stops editing and calls onGone once when the dashboard message is gone", async () => {
    const { clock, sink, dashboard, onGone } = setup();
    sink.failEdits(new DashboardGoneError("message"));
    dashboard.apply(runStarted());
    await clock.advance(0);
    expect(onGone).toHaveBeenCalledTimes(1);
    expect(onGone).toHaveBeenCalledWith("s-1");
    expect(dashboard.closed).toBe(true);

    for (let i = 0; i < 50; i++) dashboard.line({ kind: "text", text: `line ${i}` });
    dashboard.apply({ type: "queue", depth: 3 });
    await expect(dashboard.runEnded(result({ lineCount: 50 }))).resolves.toBeUndefined();
    await expect(dashboard.flushNow()).resolves.toBeUndefined();
    await clock.advance(30_000);
    expect(sink.editAttempts).toHaveLength(1);
    expect(sink.posts).toHaveLength(0);
    expect(onGone).toHaveBeenCalledTimes(1);
  });

  it("stops posting and calls onGone once when the thread is gone during the answer", async () => {
    const { clock, sink, dashboard, onGone } = setup();
    dashboard.apply(runStarted());
    await clock.advance(5000);
    sink.failPosts(new DashboardGoneError("thread"));
    const done = dashboard.runEnded(result({ finalText: "x ".repeat(3000) }));
    await clock.advance(30_000);
    await done;
    expect(onGone).toHaveBeenCalledTimes(1);
    expect(sink.posts).toHaveLength(0);
    dashboard.apply({ type: "queue", depth: 1 });
    await clock.advance(5000);
    // The run start only: the answer goes before the final edit, and nothing is sent after the thread went.
    expect(sink.editAttempts).toHaveLength(1);
  });

  it("retries an edit that failed with a transient error, and later edits go on", async () => {
    const { clock, sink, dashboard, warn } = setup();
    sink.failEdits(serverError());
    dashboard.apply(runStarted());
    await clock.advance(0);
    expect(sink.edits).toHaveLength(0);
    expect(warn).toHaveBeenCalledTimes(1);
    await clock.advance(1000);
    expect(sink.edits).toHaveLength(1);
    expect(fieldOf(sink.lastEdit, "State")).toBe("Busy");

    await clock.advance(2000);
    dashboard.line({ kind: "text", text: "after the failure" });
    await clock.advance(1500);
    expect(tailOf(sink.lastEdit)).toEqual(["after the failure"]);
    expect(dashboard.counts).toMatchObject({ edits: 2, editFailures: 1 });
  });

  it("retries the final edit twice so it lands through two transient errors", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(5000);
    sink.failEdits(serverError(), new Error("socket hang up"));
    const done = dashboard.runEnded(result());
    await clock.advance(30_000);
    await done;
    expect(sink.editAttempts).toHaveLength(4);
    expect(sink.edits).toHaveLength(2);
    expect(fieldOf(sink.lastEdit, "State")).toBe("Idle");
    expect(sink.posts).toHaveLength(1);
  });

  it("gives up on an edit after its retries, still posts the answer, and never throws", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(5000);
    sink.failEdits(serverError(), serverError(), serverError());
    const done = dashboard.runEnded(result());
    await clock.advance(60_000);
    await expect(done).resolves.toBeUndefined();
    expect(sink.editAttempts).toHaveLength(4);
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["Done."]);
    // The next change paints again: the dashboard did not stop for a transient error.
    dashboard.apply({ type: "queue", depth: 1 });
    await clock.advance(30_000);
    expect(fieldOf(sink.lastEdit, "Queue")).toBe("1 waiting");
  });

  it("backs off between failed edits instead of hammering Discord", async () => {
    const { clock, sink, dashboard } = setup();
    sink.failEdits(serverError(), serverError(), serverError());
    dashboard.apply(runStarted());
    await clock.advance(10_000); // within the heartbeat: only the retries
    const gaps = sink.editAttempts.slice(1).map((at, i) => at - sink.editAttempts[i]!);
    expect(gaps).toEqual([1000, 2000]);
  });

  it("retries a post that failed with a transient error until it lands", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    sink.failPosts(serverError(), serverError(), new Error("socket hang up"));
    const done = dashboard.runEnded(result({ finalText: "the answer" }));
    await clock.advance(30_000);
    await done;
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["the answer"]);
  });

  it("survives hooks that throw", async () => {
    const clock = new FakeClock();
    const sink = new FakeSink(clock);
    const dashboard = liveDashboard({
      view: view(),
      sink,
      clock,
      onEdit: () => {
        throw new Error("metrics broke");
      },
      onGone: () => {
        throw new Error("session service broke");
      },
    });
    dashboard.apply(runStarted());
    await clock.advance(2000);
    expect(sink.edits).toHaveLength(1);
    sink.failEdits(new DashboardGoneError("thread"));
    dashboard.apply({ type: "queue", depth: 1 });
    await clock.advance(2000);
    expect(dashboard.closed).toBe(true);
  });

  it("sends nothing after close", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(100);
    dashboard.line({ kind: "text", text: "late" });
    await dashboard.close();
    await dashboard.runEnded(result());
    dashboard.apply(runStarted(2));
    dashboard.apply({ type: "tool", name: "bash: ls" });
    dashboard.line({ kind: "text", text: "later still" });
    await dashboard.flushNow();
    await clock.advance(30_000);
    expect(dashboard.busy).toBe(false);
    expect(sink.editAttempts).toHaveLength(1);
    expect(sink.posts).toHaveLength(0);
  });

  it("refuses options that cannot work, saying what it expected", () => {
    const clock = new FakeClock();
    const sink = new FakeSink(clock);
    const delivery = { send: async () => "settled" as const, waiting: () => undefined };
    expect(() => new LiveDashboard({ view: view(""), sink, delivery })).toThrow(
      /`view.sessionId` to be a non-empty/,
    );
    expect(() => new LiveDashboard({ view: view(), sink, delivery, maxAnswerMessages: 0 })).toThrow(
      /`maxAnswerMessages` to be an integer from 1 and up, got `0`/,
    );
    expect(() => new LiveDashboard({ view: view(), sink, delivery: {} as never })).toThrow(
      /`delivery.send` to be a function/,
    );
  });
});
