import { describe, expect, it } from "vitest";
import type { LiveDashboard } from "../../src/dashboard/live/index.js";
import {
  FakeClock,
  FakeSink,
  fieldOf,
  liveDashboard,
  noFile,
  result,
  runStarted,
  tailOf,
  view,
} from "./live-fakes.js";

function setup() {
  const clock = new FakeClock();
  const sink = new FakeSink(clock);
  const dashboard = liveDashboard({ view: view(), sink, clock, fileSize: noFile });
  return { clock, sink, dashboard };
}

function lines(dashboard: LiveDashboard, from: number, count: number): void {
  for (let i = from; i < from + count; i++) dashboard.line({ kind: "text", text: `line ${i}` });
}

describe("LiveDashboard cadence (SPEC §1)", () => {
  it("paints a run's start at once", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(0);
    expect(sink.edits).toHaveLength(1);
    expect(fieldOf(sink.lastEdit, "State")).toBe("Busy");
  });

  it("makes one edit for ten lines that arrive together, showing all ten", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(5000);
    lines(dashboard, 0, 10);
    await clock.advance(0);
    expect(sink.edits).toHaveLength(2);
    expect(sink.edits[1]!.at).toBe(5000);
    expect(tailOf(sink.lastEdit)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
  });

  it("shows a trickle of lines 1.5 s after the previous flush, not before", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(100);
    lines(dashboard, 0, 1);
    await clock.advance(1399); // t = 1499
    expect(sink.edits).toHaveLength(1);
    await clock.advance(1); // t = 1500
    expect(sink.edits).toHaveLength(2);
    expect(tailOf(sink.lastEdit)).toEqual(["line 0"]);

    await clock.advance(500); // t = 2000
    lines(dashboard, 1, 1);
    await clock.advance(999); // t = 2999
    expect(sink.edits).toHaveLength(2);
    await clock.advance(1); // t = 3000
    expect(sink.edits).toHaveLength(3);
    expect(tailOf(sink.lastEdit)).toEqual(["line 0", "line 1"]);
  });

  it("turns 1000 lines at full speed into a few edits, never two within a second", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    // 1000 lines over 2 s: 10 lines every 20 ms.
    for (let step = 0; step < 100; step++) {
      lines(dashboard, step * 10, 10);
      await clock.advance(20);
    }
    await clock.advance(3000);
    const times = sink.edits.map((edit) => edit.at);
    expect(times.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(tailOf(sink.lastEdit).at(-1)).toBe("line 999");
  });

  it("never lets two edits out within a second when timers fire a millisecond early, as Node's may", async () => {
    // Node rounds timers and Date.now() differently: a 600 ms timer can fire when the clock has moved
    // 599 ms.
    class EarlyClock extends FakeClock {
      override setTimeout(callback: () => void, ms: number): unknown {
        return super.setTimeout(callback, ms > 1 ? ms - 1 : ms);
      }
    }
    const clock = new EarlyClock();
    const sink = new FakeSink(clock);
    const dashboard = liveDashboard({ view: view(), sink, clock, fileSize: noFile });
    dashboard.apply(runStarted());
    await clock.advance(400);
    dashboard.apply({ type: "queue", depth: 2 });
    await clock.advance(2000);
    expect(sink.edits.map((edit) => edit.at)).toEqual([0, 1000]);
  });

  it("paints a state change as soon as the edit interval allows, without waiting for output", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(400);
    dashboard.apply({ type: "queue", depth: 2 });
    await clock.advance(599); // t = 999: still inside the one-second interval
    expect(sink.edits).toHaveLength(1);
    await clock.advance(1); // t = 1000
    expect(sink.edits).toHaveLength(2);
    expect(fieldOf(sink.lastEdit, "Queue")).toBe("2 waiting");
  });

  it("lets a tool event during a run ride with the output's cadence", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(100);
    dashboard.apply({ type: "tool", name: "bash: ls" });
    await clock.advance(1000); // t = 1100
    expect(sink.edits).toHaveLength(1);
    await clock.advance(400); // t = 1500
    expect(sink.edits).toHaveLength(2);
    expect(fieldOf(sink.lastEdit, "Last tool")).toBe("`bash: ls`");
  });

  it("makes no edit when nothing changed", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(10_000);
    expect(sink.edits).toHaveLength(1);
    await dashboard.flushNow();
    expect(sink.edits).toHaveLength(1);
  });
});

describe("LiveDashboard heartbeat", () => {
  it("repaints a quiet running dashboard every 15 s so its elapsed time moves", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(0);
    await clock.advance(50_000); // a long tool: no output at all
    expect(sink.edits.map((edit) => edit.at)).toEqual([0, 15_000, 30_000, 45_000]);
    expect(fieldOf(sink.lastEdit, "State")).toBe("Busy");
  });

  it("waits 15 s from the last edit, so output keeps its own cadence and the heartbeat adds none", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(10_000);
    lines(dashboard, 0, 10); // output edits from 10 s on
    await clock.advance(2_000);
    const lastOutputEdit = sink.edits.at(-1)!.at;
    expect(lastOutputEdit).toBeGreaterThanOrEqual(10_000);
    const before = sink.edits.length;
    await clock.advance(lastOutputEdit + 15_000 - 1 - clock.now());
    expect(sink.edits).toHaveLength(before);
    await clock.advance(1);
    expect(sink.edits.at(-1)!.at).toBe(lastOutputEdit + 15_000);
  });

  it("stops when the run ends", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.apply(runStarted());
    await clock.advance(0);
    const ended = dashboard.runEnded(result({ finalText: "" }));
    await clock.advance(5_000);
    await ended;
    const settled = sink.edits.length;
    await clock.advance(60_000);
    expect(sink.edits).toHaveLength(settled);
  });
});
