import { describe, expect, it } from "vitest";
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

function slowSetup() {
  const clock = new FakeClock();
  const sink = new FakeSink(clock);
  sink.delayMs = 3000;
  // No real file system: a stat resolving outside the fake clock's settle would make the test racy.
  const dashboard = liveDashboard({ view: view(), sink, clock, fileSize: async () => undefined });
  return { clock, sink, dashboard };
}

describe("LiveDashboard with a slow Discord", () => {
  it("never has two edits in flight, and the next edit carries the newest state", async () => {
    const { clock, sink, dashboard } = slowSetup();
    dashboard.apply(runStarted()); // edit 1: t = 0 → 3000
    for (let i = 0; i < 29; i++) {
      await clock.advance(100);
      dashboard.line({ kind: "text", text: `line ${i}` });
      if (i % 10 === 9) dashboard.apply({ type: "queue", depth: (i + 1) / 10 });
    }
    dashboard.apply({ type: "queue", depth: 3 }); // t = 2900
    dashboard.line({ kind: "text", text: "line 29" });
    await clock.advance(100); // t = 3000: edit 1 settled, edit 2 starts with everything so far
    expect(sink.edits).toHaveLength(1);
    expect(sink.inFlight).toBe(1);
    await clock.advance(3000);
    expect(sink.edits).toHaveLength(2);
    expect(sink.edits[1]!.at).toBe(3000);
    expect(fieldOf(sink.edits[1]!.payload, "Queue")).toBe("3 waiting");
    expect(tailOf(sink.edits[1]!.payload).at(-1)).toBe("line 29");
    expect(sink.maxInFlight).toBe(1);
    // Four state changes and three output flushes during edit 1 became one edit, not seven.
    expect(dashboard.counts.coalesced).toBeGreaterThan(0);
  });

  it("folds everything that arrives during a long edit into one next edit, not a queue of edits", async () => {
    const { clock, sink, dashboard } = slowSetup();
    dashboard.apply(runStarted());
    for (let i = 0; i < 25; i++) {
      dashboard.apply({ type: "queue", depth: i });
      await clock.advance(100);
    }
    await clock.advance(10_000);
    // t = 0 → 3000 (start), 3000 → 6000 (depth 24); nothing after that.
    expect(sink.edits.map((edit) => edit.at)).toEqual([0, 3000]);
    expect(fieldOf(sink.lastEdit, "Queue")).toBe("24 waiting");
  });

  it("lands the final edit after the slow edit in flight, with the final state", async () => {
    const { clock, sink, dashboard } = slowSetup();
    dashboard.apply(runStarted());
    await clock.advance(500);
    dashboard.line({ kind: "assistant", text: "the end" });
    let ended = false;
    const done = dashboard.runEnded(result({ finalText: "" })).then(() => {
      ended = true;
    });
    await clock.advance(2500); // t = 3000: the first edit settles; the closing message goes, then the final edit
    expect(ended).toBe(false);
    await clock.advance(6000);
    expect(sink.maxInFlight).toBe(1);
    expect(sink.posts).toHaveLength(1);
    expect(sink.edits).toHaveLength(2);
    expect(fieldOf(sink.lastEdit, "State")).toBe("Idle");
    expect(tailOf(sink.lastEdit)).toEqual(["the end"]);
    await clock.advance(10_000);
    await done;
    expect(ended).toBe(true);
  });
});
