// The typing indicator while a run goes: renewed every 8 s, booked in the thread's write window, and
// never taking a place a dashboard edit waits for or leaving the window without a free place.

import { describe, expect, it } from "vitest";
import {
  CHANNEL_WRITES_PER_WINDOW,
  ThreadWriteWindow,
  ThreadWriteWindows,
  TYPING_FIRST_MS,
  TYPING_INTERVAL_MS,
  TYPING_RETRY_MS,
  TypingIndicators,
} from "../../src/dashboard/live/index.js";
import { FakeClock } from "./live-fakes.js";

const THREAD = "thread-1";

function typing(clock: FakeClock, windows = new ThreadWriteWindows({ clock })) {
  const sent: number[] = [];
  const indicators = new TypingIndicators({
    send: async () => {
      sent.push(clock.now());
    },
    windows,
    clock,
  });
  return { indicators, windows, sent };
}

describe("ThreadWriteWindow.tryAcquire", () => {
  it("books only with a place to spare and nobody waiting", async () => {
    const clock = new FakeClock();
    const window = new ThreadWriteWindow({ clock });
    for (let i = 0; i < CHANNEL_WRITES_PER_WINDOW - 2; i++) window.recordSettled();
    // Two places free: one for typing, one left over.
    const ticket = window.tryAcquire({ spare: 1 });
    expect(ticket).toBeDefined();
    ticket!.settled();
    expect(window.tryAcquire({ spare: 1 })).toBeUndefined();
    // Without a spare, the last place is taken.
    const last = window.tryAcquire();
    expect(last).toBeDefined();
    last!.settled();
    expect(window.tryAcquire()).toBeUndefined();
  });

  it("never goes before a writer that waits", async () => {
    const clock = new FakeClock();
    const window = new ThreadWriteWindow({ clock });
    const first = await window.acquire();
    const waiting = window.acquire();
    expect(window.tryAcquire()).toBeUndefined();
    first!.settled();
    (await waiting)!.settled();
  });
});

describe("TypingIndicators", () => {
  it("types once the run's first paint had its turn, then every 8 s while the run goes, and stops with it", async () => {
    const clock = new FakeClock();
    const t = typing(clock);
    t.indicators.start("s-1", THREAD);
    await clock.advance(TYPING_FIRST_MS - 1);
    expect(t.sent).toEqual([]);
    await clock.advance(1);
    const first = TYPING_FIRST_MS;
    expect(t.sent).toEqual([first]);
    await clock.advance(TYPING_INTERVAL_MS * 2);
    expect(t.sent).toEqual([first, first + TYPING_INTERVAL_MS, first + TYPING_INTERVAL_MS * 2]);
    t.indicators.stop("s-1");
    await clock.advance(TYPING_INTERVAL_MS * 3);
    expect(t.sent).toHaveLength(3);
    expect(t.indicators.active).toBe(0);
  });

  it("yields to dashboard writes: a full window skips the beat and tries again when a place is free", async () => {
    const clock = new FakeClock();
    const windows = new ThreadWriteWindows({ clock });
    for (let i = 0; i < CHANNEL_WRITES_PER_WINDOW; i++) windows.for(THREAD).recordSettled();
    const t = typing(clock, windows);
    t.indicators.start("s-1", THREAD);
    await clock.advance(TYPING_RETRY_MS * 3);
    expect(t.sent).toEqual([]);
    // The five writes leave the window (5 s + margin); then there is room for typing and a spare.
    await clock.advance(6_000);
    expect(t.sent).toHaveLength(1);
  });

  it("a run over before its first beat shows no typing", async () => {
    const clock = new FakeClock();
    const t = typing(clock);
    t.indicators.start("s-1", THREAD);
    await clock.advance(TYPING_FIRST_MS / 2);
    t.indicators.stop("s-1");
    await clock.advance(TYPING_INTERVAL_MS);
    expect(t.sent).toEqual([]);
  });

  it("a typing write counts in the window like any other", async () => {
    const clock = new FakeClock();
    const t = typing(clock);
    t.indicators.start("s-1", THREAD);
    await clock.advance(TYPING_FIRST_MS);
    expect(t.sent).toHaveLength(1);
    // Four more writes fit: the fifth place went to typing.
    for (let i = 0; i < CHANNEL_WRITES_PER_WINDOW - 1; i++)
      (await t.windows.for(THREAD).acquire())!.settled();
    let fifth = false;
    void t.windows
      .for(THREAD)
      .acquire()
      .then((ticket) => {
        fifth = true;
        ticket?.settled();
      });
    await clock.advance(1_000);
    expect(fifth).toBe(false);
    t.indicators.stop("s-1");
  });

  it("a failed typing request is skipped and the indicator goes on", async () => {
    const clock = new FakeClock();
    const windows = new ThreadWriteWindows({ clock });
    let calls = 0;
    const indicators = new TypingIndicators({
      send: async () => {
        calls++;
        if (calls === 1) throw new Error("503");
      },
      windows,
      clock,
    });
    indicators.start("s-1", THREAD);
    await clock.advance(TYPING_FIRST_MS + TYPING_INTERVAL_MS);
    expect(calls).toBe(2);
    indicators.stopAll();
  });
});
