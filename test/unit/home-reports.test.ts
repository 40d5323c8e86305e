// The home channel's reports as pure functions: how a start reads the lifecycle file (first start, clean
// stop, crash, crash loop within its window or a new one after it) and the texts people read.

import { describe, expect, it } from "vitest";
import {
  beginLifecycle,
  CRASH_LOOP_WINDOW_MS,
  startReportText,
  stopReportText,
} from "../../src/discord/home-reports.js";

const T0 = Date.UTC(2026, 11, 7, 8, 0, 0);
const NOTHING = { sessions: 0, interruptedRuns: 0, resumedSessions: 0, owedMessages: 0 };

describe("beginLifecycle", () => {
  it("a start without a file is a first start, and marks this process running", () => {
    const { end, state } = beginLifecycle(undefined, T0, 42);
    expect(end).toEqual({ kind: "first" });
    expect(state).toEqual({ running: { pid: 42, startedAt: T0 }, crashes: null });
  });

  it("a start after a clean stop is no crash", () => {
    const { end } = beginLifecycle({ running: null, crashes: null }, T0, 42);
    expect(end).toEqual({ kind: "clean" });
  });

  it("a start that finds the last process still marked running reports a crash, the first of a loop", () => {
    const { end, state } = beginLifecycle(
      { running: { pid: 7, startedAt: T0 - 60_000 }, crashes: null },
      T0,
      42,
    );
    expect(end).toEqual({
      kind: "crash",
      crashedStartedAt: T0 - 60_000,
      loop: { count: 1, firstAt: T0, lastAt: T0 },
    });
    expect(state.crashes).toEqual({ count: 1, firstAt: T0, lastAt: T0 });
  });

  it("a crash within the window of the last one counts on in the same loop, keeping its message", () => {
    const later = T0 + CRASH_LOOP_WINDOW_MS;
    const { end } = beginLifecycle(
      {
        running: { pid: 7, startedAt: T0 },
        crashes: { count: 2, firstAt: T0 - 1_000, lastAt: T0, messageId: "123" },
      },
      later,
      42,
    );
    expect(end).toMatchObject({
      kind: "crash",
      loop: { count: 3, firstAt: T0 - 1_000, lastAt: later, messageId: "123" },
    });
  });

  it("a crash after the window starts a new loop with a message of its own", () => {
    const later = T0 + CRASH_LOOP_WINDOW_MS + 1;
    const { end } = beginLifecycle(
      {
        running: { pid: 7, startedAt: T0 },
        crashes: { count: 4, firstAt: T0, lastAt: T0, messageId: "123" },
      },
      later,
      42,
    );
    expect(end).toEqual({
      kind: "crash",
      crashedStartedAt: T0,
      loop: { count: 1, firstAt: later, lastAt: later },
    });
  });

  it("a clean stop between two crashes ends the loop", () => {
    const { end } = beginLifecycle({ running: null, crashes: null }, T0, 42);
    expect(end.kind).toBe("clean");
  });
});

describe("the report texts", () => {
  const facts = {
    version: "0.1.0",
    ompVersion: "omp/18.2.3",
    ompWarning: undefined,
    recovered: { sessions: 2, interruptedRuns: 1, resumedSessions: 1, owedMessages: 3 },
  };

  it("a start names both versions and each thing it recovered", () => {
    const text = startReportText({ ...facts, end: { kind: "clean" } });
    expect(text.split("\n")).toEqual([
      "🟢 **ompcord 0.1.0 started**.",
      "omp: omp/18.2.3.",
      "Recovered: 2 live sessions repainted, 1 session with queued prompts resumed, 1 run cut by the crash recorded as interrupted, 3 owed messages being delivered.",
    ]);
  });

  it("a crash loop counts its restarts and says how long it has gone on", () => {
    const text = startReportText({
      ...facts,
      recovered: NOTHING,
      end: { kind: "crash", crashedStartedAt: T0, loop: { count: 3, firstAt: T0, lastAt: T0 + 120_000 } },
    });
    expect(text).toMatch(/^🔁 \*\*ompcord 0\.1\.0 is crash-looping\*\*: back after a crash 3 times in 2m/);
  });

  it("says when omp does not answer, and passes on the version warning", () => {
    const text = startReportText({
      ...facts,
      ompVersion: undefined,
      ompWarning: "ompcord is tested with omp 18.2.3, this is 18.3.0",
      end: { kind: "first" },
    });
    expect(text).toContain("omp: not answering (see /omp health).");
    expect(text).toContain("⚠️ ompcord is tested with omp 18.2.3, this is 18.3.0");
  });

  it("neutralises mentions in what omp printed", () => {
    const text = startReportText({
      ...facts,
      ompVersion: "omp @everyone <@123456789012345678>",
      end: { kind: "first" },
    });
    expect(text).not.toContain("@everyone");
    expect(text).not.toContain("<@123456789012345678>");
  });

  it("a stop says how many runs it cut and how many prompts wait", () => {
    expect(
      stopReportText({ version: "0.1.0", uptimeMs: 3_600_000, cutRuns: 2, queuedPrompts: 1 }).split("\n"),
    ).toEqual([
      "⏸ **ompcord 0.1.0 stopped** cleanly after 1h.",
      "2 runs still going after the grace period were stopped; their dashboards say ⏸ bot stopped.",
      "1 queued prompt will run when the bot is back.",
    ]);
  });
});
