import { describe, expect, it, vi } from "vitest";
import {
  adaptiveEditIntervalMs,
  DASHBOARD_REQUESTS_PER_SECOND,
  type DashboardEditInfo,
  DashboardGoneError,
  DashboardRegistry,
  type LiveDashboard,
  RequestBudget,
} from "../../src/dashboard/live/index.js";
import { FakeClock, FakeSink, fieldOf, openDashboard, result, runStarted, view } from "./live-fakes.js";

/** The most requests that fall in any one-second window [t, t + 1000). */
function peakPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

function busyFleet(count: number, options: { sinkDelayMs?: number } = {}) {
  const clock = new FakeClock();
  const edits: DashboardEditInfo[] = [];
  const registry = new DashboardRegistry({
    clock,
    onEdit: (info) => edits.push(info),
    fileSize: async () => 10,
  });
  const sinks: FakeSink[] = [];
  const dashboards: LiveDashboard[] = [];
  for (let i = 0; i < count; i++) {
    const sink = new FakeSink(clock);
    sink.delayMs = options.sinkDelayMs ?? 0;
    sinks.push(sink);
    dashboards.push(openDashboard(registry, clock, view(`s-${i}`), sink));
  }
  return { clock, registry, sinks, dashboards, edits };
}

/** Every dashboard prints 20 lines every 100 ms (200 lines/s each) for `seconds`. */
async function flood(clock: FakeClock, dashboards: LiveDashboard[], seconds: number): Promise<void> {
  for (let tick = 0; tick < seconds * 10; tick++) {
    for (const dashboard of dashboards) {
      for (let i = 0; i < 20; i++) dashboard.line({ kind: "text", text: `line ${tick * 20 + i}` });
    }
    await clock.advance(100);
  }
}

describe("adaptiveEditIntervalMs", () => {
  it("keeps one edit per second while the budget allows it and slows down beyond", () => {
    expect(adaptiveEditIntervalMs(0)).toBe(1000);
    expect(adaptiveEditIntervalMs(1)).toBe(1000);
    expect(adaptiveEditIntervalMs(DASHBOARD_REQUESTS_PER_SECOND)).toBe(1000);
    expect(adaptiveEditIntervalMs(50)).toBe(1250);
    expect(adaptiveEditIntervalMs(100)).toBe(2500);
  });
});

describe("RequestBudget", () => {
  it("spaces slots evenly and never books the past", async () => {
    const clock = new FakeClock();
    const budget = new RequestBudget(40, clock);
    expect([budget.reserve(), budget.reserve(), budget.reserve()]).toEqual([0, 25, 50]);
    await clock.advance(1000);
    expect(budget.reserve()).toBe(0);
  });

  it("refuses a budget that is not a positive number", () => {
    expect(() => new RequestBudget(0, new FakeClock())).toThrow(
      /`requestsPerSecond` to be a number above 0, got `0`/,
    );
  });
});

describe("DashboardRegistry", () => {
  it("gives one dashboard per session, and a new one after it was closed", async () => {
    const clock = new FakeClock();
    const registry = new DashboardRegistry({ clock });
    const sink = new FakeSink(clock);
    const first = openDashboard(registry, clock, view("a"), sink);
    expect(openDashboard(registry, clock, view("a"), new FakeSink(clock))).toBe(first);
    expect(registry.get("a")).toBe(first);
    expect(registry.get("b")).toBeUndefined();
    await registry.close("a");
    expect(first.closed).toBe(true);
    expect(registry.get("a")).toBeUndefined();
    expect(openDashboard(registry, clock, view("a"), sink)).not.toBe(first);
  });

  it("keeps a lone busy dashboard at one edit per second", async () => {
    const { clock, dashboards, sinks, registry } = busyFleet(1);
    dashboards[0]!.apply(runStarted());
    await flood(clock, dashboards, 10);
    expect(registry.editIntervalMs()).toBe(1000);
    const times = sinks[0]!.edits.map((edit) => edit.at);
    expect(times.length).toBeGreaterThanOrEqual(10);
    expect(peakPerSecond(times)).toBe(1);
  });

  it("keeps 50 busy dashboards at no more than 40 edits in any second, each still updating", async () => {
    const { clock, dashboards, sinks, registry, edits } = busyFleet(50);
    for (const dashboard of dashboards) dashboard.apply(runStarted());
    await flood(clock, dashboards, 20);

    expect(registry.counts().busy).toBe(50);
    expect(registry.editIntervalMs()).toBe(1250);
    const all = sinks.flatMap((sink) => sink.edits.map((edit) => edit.at));
    expect(peakPerSecond(all)).toBeLessThanOrEqual(40);
    // The budget is used, not wasted: close to 40 edits a second over the 20 s.
    expect(all.length).toBeGreaterThanOrEqual(40 * 19);
    for (const sink of sinks) {
      expect(sink.edits.length).toBeGreaterThanOrEqual(14);
      expect(sink.maxInFlight).toBe(1);
    }
    // No backlog: a line is on its dashboard within about two intervals.
    const lags = edits.filter((e) => e.oldestLineAt !== undefined).map((e) => e.at - e.oldestLineAt!);
    expect(Math.max(...lags)).toBeLessThanOrEqual(2500);
    expect(registry.counts()).toMatchObject({ dashboards: 50, busy: 50, edits: all.length, editFailures: 0 });
  });

  it("posts every answer promptly when 50 busy runs end at once, final edits right after, then the transcripts, all in the budget", async () => {
    const { clock, dashboards, sinks, registry } = busyFleet(50);
    for (const dashboard of dashboards) dashboard.apply(runStarted());
    await flood(clock, dashboards, 5);
    const endedAt = clock.now();
    const done = Promise.all(dashboards.map((dashboard) => dashboard.runEnded(result({ finalText: "ok" }))));
    await clock.advance(10_000);
    await done;
    const finalEdits: number[] = [];
    for (const sink of sinks) {
      expect(fieldOf(sink.lastEdit, "State")).toBe("Idle");
      // Answers first (people wait for them), then the final state with the run's last lines, then the
      // closing note with the transcript, which no one needs to see the run's end.
      const [answer, note] = sink.posts;
      const finalEdit = sink.edits.at(-1)!.at;
      finalEdits.push(finalEdit - endedAt);
      expect(answer!.at - endedAt).toBeLessThanOrEqual(2500);
      expect(finalEdit).toBeGreaterThan(answer!.at);
      expect(note!.at).toBeGreaterThan(finalEdit);
      expect(sink.posts.map(({ message }) => message.content)).toEqual([
        "ok",
        expect.stringContaining("transcript"),
      ]);
    }
    // Every run's last lines show within two budget rounds (50 answers, then 50 final edits at 40/s):
    // neither a transcript upload nor a repeat of an edit already made stands in front of them.
    expect(Math.max(...finalEdits)).toBeLessThanOrEqual(2500);
    const requests = sinks.flatMap((sink) => [...sink.editAttempts, ...sink.posts.map((post) => post.at)]);
    expect(peakPerSecond(requests)).toBeLessThanOrEqual(40);
    expect(registry.counts().busy).toBe(0);
    expect(registry.editIntervalMs()).toBe(1000);
  });

  it("counts edits that were folded into a later one while Discord was slow", async () => {
    const { clock, dashboards, registry } = busyFleet(3, { sinkDelayMs: 3000 });
    for (const dashboard of dashboards) dashboard.apply(runStarted());
    await flood(clock, dashboards, 10);
    const counts = registry.counts();
    expect(counts.coalesced).toBeGreaterThan(0);
    expect(counts.edits).toBeLessThanOrEqual(3 * 4);
  });

  it("reports the lag from a line's arrival to the edit that showed it", async () => {
    const { clock, dashboards, edits } = busyFleet(1);
    dashboards[0]!.apply(runStarted());
    await clock.advance(5000);
    dashboards[0]!.line({ kind: "text", text: "hello" });
    await clock.advance(0);
    expect(edits.at(-1)).toEqual({
      sessionId: "s-0",
      at: 5000,
      sentAt: 5000,
      newestLineAt: 5000,
      oldestLineAt: 5000,
    });
    await clock.advance(300);
    dashboards[0]!.line({ kind: "text", text: "one" });
    await clock.advance(300);
    dashboards[0]!.line({ kind: "text", text: "two" });
    await clock.advance(2000);
    expect(edits.at(-1)).toEqual({
      sessionId: "s-0",
      at: 6500,
      sentAt: 6500,
      newestLineAt: 5600,
      oldestLineAt: 5300,
    });
  });

  it("forgets a dashboard whose thread is gone and tells the bot once", async () => {
    const clock = new FakeClock();
    const onGone = vi.fn();
    const registry = new DashboardRegistry({ clock, onGone });
    const sink = new FakeSink(clock);
    const dashboard = openDashboard(registry, clock, view("gone"), sink);
    sink.failEdits(new DashboardGoneError("thread"));
    dashboard.apply(runStarted());
    await clock.advance(5000);
    expect(onGone).toHaveBeenCalledTimes(1);
    expect(onGone).toHaveBeenCalledWith("gone");
    expect(registry.get("gone")).toBeUndefined();
    expect(registry.counts()).toMatchObject({ dashboards: 0, busy: 0, gone: 1 });
  });

  it("paints every dashboard's newest state on closeAll, then stops them", async () => {
    const clock = new FakeClock();
    const registry = new DashboardRegistry({ clock });
    const sinks = [new FakeSink(clock), new FakeSink(clock)];
    const dashboards = sinks.map((sink, i) => openDashboard(registry, clock, view(`s-${i}`), sink));
    for (const dashboard of dashboards) dashboard.apply(runStarted());
    await clock.advance(100);
    for (const dashboard of dashboards) dashboard.apply({ type: "interrupted" });
    const closed = registry.closeAll();
    await clock.advance(5000);
    await closed;
    for (const sink of sinks) expect(fieldOf(sink.lastEdit, "State")).toBe("Degraded");
    expect(registry.counts().dashboards).toBe(0);
    expect(dashboards.every((dashboard) => dashboard.closed)).toBe(true);
  });
});
