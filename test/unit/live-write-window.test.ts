import { describe, expect, it } from "vitest";
import {
  CHANNEL_WRITE_MARGIN_MS,
  CHANNEL_WRITE_WINDOW_MS,
  ThreadWriteWindow,
  ThreadWriteWindows,
  type WriteTicket,
  writeInWindow,
} from "../../src/dashboard/live/index.js";
import {
  FakeClock,
  FakeSink,
  liveDashboard,
  noFile,
  result,
  runStarted,
  settle,
  view,
} from "./live-fakes.js";

const HOLD_MS = CHANNEL_WRITE_WINDOW_MS + CHANNEL_WRITE_MARGIN_MS;

/** Every write as the server would see it: sent at `start`, answered at `end`. */
interface Write {
  start: number;
  end: number;
}

/**
 * Discord counts a write somewhere in [start, end]. Six writes could meet in one of its windows only if
 * the latest start came less than a window after the earliest end; so whatever the latency did, no write
 * may start while five earlier ones ended less than a window before.
 */
function expectWithinDiscordsWindow(writes: readonly Write[]): void {
  const sorted = [...writes].sort((a, b) => a.start - b.start);
  sorted.forEach((write, i) => {
    const crowd = sorted.slice(0, i).filter((other) => other.end > write.start - CHANNEL_WRITE_WINDOW_MS);
    expect(crowd.length, `writes a window before the one at ${write.start}`).toBeLessThan(5);
  });
}

describe("ThreadWriteWindow", () => {
  it("lets five writes through at once and holds the sixth until the window after the first settled", async () => {
    const clock = new FakeClock();
    const window = new ThreadWriteWindow({ clock, inFlight: 5 });
    const tickets = await Promise.all(Array.from({ length: 5 }, () => window.acquire()));
    let sixth: WriteTicket | undefined;
    void window.acquire().then((ticket) => {
      sixth = ticket;
    });
    await clock.advance(300);
    for (const ticket of tickets) ticket!.settled(); // all five settle at t = 300
    await clock.advance(HOLD_MS - 1);
    expect(sixth).toBeUndefined();
    await clock.advance(1);
    expect(sixth).toBeDefined();
  });

  it("counts a write from its booking until a window after it settled, however long it was on the way", async () => {
    const clock = new FakeClock();
    const window = new ThreadWriteWindow({ clock, inFlight: 5 });
    const tickets = await Promise.all(Array.from({ length: 5 }, () => window.acquire()));
    let sixth: WriteTicket | undefined;
    void window.acquire().then((ticket) => {
      sixth = ticket;
    });
    // The five requests are stuck for 8 s (a busy CPU, a queue in discord.js): Discord may count them
    // only now, so a window counted from when they left would let the sixth in among them.
    await clock.advance(8000);
    expect(sixth).toBeUndefined();
    for (const ticket of tickets) ticket!.settled();
    await clock.advance(HOLD_MS - 1);
    expect(sixth).toBeUndefined();
    await clock.advance(1);
    expect(sixth).toBeDefined();
  });

  it("lets one write of a thread fly at a time by default, and serves writers in the order they asked", async () => {
    const clock = new FakeClock();
    const window = new ThreadWriteWindow({ clock });
    const order: string[] = [];
    const first = await window.acquire();
    const later = ["a", "b", "c"].map((name) =>
      window.acquire().then((ticket) => {
        order.push(name);
        return ticket;
      }),
    );
    await settle();
    expect(order).toEqual([]);
    first!.settled();
    await settle();
    expect(order).toEqual(["a"]);
    (await later[0])!.settled();
    await settle();
    (await later[1])!.settled();
    await settle();
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("books nothing for a writer that stopped waiting", async () => {
    const clock = new FakeClock();
    const window = new ThreadWriteWindow({ clock });
    const held = await window.acquire();
    const stop = new AbortController();
    const aborted = window.acquire({ signal: stop.signal });
    const next = window.acquire();
    stop.abort();
    await expect(aborted).resolves.toBeUndefined();
    held!.settled();
    await expect(next).resolves.toBeDefined();
    expect(window.load).toEqual({ counted: 2, waiting: 0 });
  });

  it("refuses settings that cannot work, saying what it expected", () => {
    expect(() => new ThreadWriteWindow({ limit: 0 })).toThrow(
      /Expected `limit` to be an integer from 1 and up, got `0`/,
    );
    expect(() => new ThreadWriteWindow({ windowMs: -1 })).toThrow(
      /Expected `windowMs` to be a number from 0 and up, got `-1`/,
    );
    expect(() => new ThreadWriteWindows().for("")).toThrow(/`channelId` to be a non-empty string/);
  });
});

describe("ThreadWriteWindows", () => {
  it("gives every writer of one channel the same window, and other channels their own", async () => {
    const clock = new FakeClock();
    const windows = new ThreadWriteWindows({ clock, inFlight: 5 });
    for (let i = 0; i < 5; i++) (await windows.for("thread-1").acquire())!.settled();
    let blocked = true;
    void windows
      .for("thread-1")
      .acquire()
      .then(() => {
        blocked = false;
      });
    await expect(windows.for("thread-2").acquire()).resolves.toBeDefined();
    await settle();
    expect(blocked).toBe(true);
    await clock.advance(HOLD_MS);
    expect(blocked).toBe(false);
  });

  it("runs a one-off write (a reaction) inside the window and settles it even when it throws", async () => {
    const clock = new FakeClock();
    const windows = new ThreadWriteWindows({ clock });
    const writes = windows.for("thread-1");
    await expect(writeInWindow(writes, async () => "reacted")).resolves.toBe("reacted");
    await expect(
      writeInWindow(writes, async () => {
        throw new Error("403 Missing Access");
      }),
    ).rejects.toThrow("Missing Access");
    // Both settled: a third write goes at once (one in flight at a time, two of five counted).
    await expect(writeInWindow(writes, async () => "again")).resolves.toBe("again");
  });
});

describe("the per-thread write window of the live dashboard", () => {
  it("keeps a flooding dashboard's edits within Discord's shared window even when every edit is slow", async () => {
    const clock = new FakeClock();
    const sink = new FakeSink(clock);
    // Each edit takes 400 ms: counted from its start, the next window would open 400 ms too early.
    sink.delayMs = 400;
    const dashboard = liveDashboard({ view: view(), sink, clock, fileSize: noFile });
    dashboard.apply(runStarted());
    for (let t = 0; t < 40_000; t += 100) {
      dashboard.line({ kind: "text", text: `line ${t}` });
      await clock.advance(100);
    }
    await clock.advance(10_000);
    const writes = sink.edits.map((edit) => ({ start: edit.at, end: edit.at + sink.delayMs }));
    expect(writes.length).toBeGreaterThan(20);
    expectWithinDiscordsWindow(writes);
  });

  it("shares the thread's window with every other writer: edits, the answer and a reply together stay within it", async () => {
    const clock = new FakeClock();
    const windows = new ThreadWriteWindows({ clock });
    const sink = new FakeSink(clock);
    sink.delayMs = 250;
    const dashboard = liveDashboard({
      view: view(),
      sink,
      clock,
      fileSize: noFile,
      writes: windows.for("thread-1"),
    });
    const replies: Write[] = [];
    dashboard.apply(runStarted());
    for (let t = 0; t < 12_000; t += 100) {
      dashboard.line({ kind: "text", text: `line ${t}` });
      if (t % 2000 === 0) {
        // A reply to a plain message (another writer into the same thread) every 2 s.
        void writeInWindow(windows.for("thread-1"), async () => {
          const start = clock.now();
          await new Promise<void>((resolve) => clock.setTimeout(resolve, 250));
          replies.push({ start, end: clock.now() });
        });
      }
      await clock.advance(100);
    }
    const ended = dashboard.runEnded(result({ finalText: "the answer" }));
    await clock.advance(30_000);
    await ended;
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["the answer"]);
    expect(replies).toHaveLength(6);
    const writes = [
      ...sink.edits.map((edit) => ({ start: edit.at, end: edit.at + sink.delayMs })),
      ...sink.posts.map((post) => ({ start: post.at, end: post.at + sink.delayMs })),
      ...replies,
    ];
    expectWithinDiscordsWindow(writes);
    expect(sink.maxInFlight).toBe(1);
  });
});
