import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import { type FlushInfo, LineBatcher } from "../../src/output/batcher.js";

/** A manual clock: time moves only when the test says so. */
class FakeClock implements Clock {
  time = 0;
  #timers: Array<{ at: number; fn: () => void; id: number }> = [];
  #next = 1;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.#next++;
    this.#timers.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  };
  /** Moves time forward, firing due timers in order, letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(options: { slowFlush?: () => Promise<void> } = {}) {
  const clock = new FakeClock();
  const flushes: Array<{ at: number; batch: number[]; info: FlushInfo }> = [];
  let running = 0;
  let overlapped = false;
  const batcher = new LineBatcher<number>({
    clock,
    flush: async (batch, info) => {
      running++;
      if (running > 1) overlapped = true;
      flushes.push({ at: clock.time, batch, info });
      if (options.slowFlush) await options.slowFlush();
      running--;
    },
  });
  return { clock, batcher, flushes, overlapped: () => overlapped };
}

describe("LineBatcher: when it flushes", () => {
  it("flushes 1.5 s after the previous flush when fewer than 10 items wait", async () => {
    const { clock, batcher, flushes } = setup();
    batcher.push(1);
    batcher.push(2);
    await clock.advance(1499);
    expect(flushes).toEqual([]);
    await clock.advance(1);
    expect(flushes.map((f) => [f.at, f.batch])).toEqual([[1500, [1, 2]]]);
  });

  it("flushes at 10 items, but not sooner than 1 s after the previous flush", async () => {
    const { clock, batcher, flushes } = setup();
    await clock.advance(200);
    for (let i = 1; i <= 10; i++) batcher.push(i);
    await clock.advance(0);
    expect(flushes).toEqual([]); // 10 items, but only 200 ms since the start
    await clock.advance(800);
    expect(flushes.map((f) => f.at)).toEqual([1000]);
    expect(flushes[0]!.batch).toHaveLength(10);
  });

  it("flushes at once when 10 items arrive long after the last flush", async () => {
    const { clock, batcher, flushes } = setup();
    await clock.advance(5000);
    for (let i = 1; i <= 10; i++) batcher.push(i);
    await clock.advance(0);
    expect(flushes.map((f) => f.at)).toEqual([5000]);
  });

  it("never flushes more than once per second under a steady flood", async () => {
    const { clock, batcher, flushes } = setup();
    for (let t = 0; t < 10_000; t += 10) {
      batcher.push(t);
      await clock.advance(10);
    }
    const gaps = flushes.slice(1).map((f, i) => f.at - flushes[i]!.at);
    expect(flushes.length).toBeGreaterThanOrEqual(9);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(flushes.flatMap((f) => f.batch)).toHaveLength(1000); // nothing lost
  });

  it("does nothing while no items arrive", async () => {
    const { clock, flushes } = setup();
    await clock.advance(10_000);
    expect(flushes).toEqual([]);
  });
});

describe("LineBatcher: a slow consumer", () => {
  it("never runs two flushes at once; items arriving meanwhile go into the next batch", async () => {
    let release!: () => void;
    const { clock, batcher, flushes, overlapped } = setup({
      slowFlush: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    });
    for (let i = 0; i < 10; i++) batcher.push(i);
    await clock.advance(1000);
    expect(flushes).toHaveLength(1);
    for (let i = 10; i < 40; i++) batcher.push(i);
    await clock.advance(5000); // the first flush is still running
    expect(flushes).toHaveLength(1);
    release();
    await clock.advance(0);
    expect(flushes).toHaveLength(2);
    expect(flushes[1]!.batch).toEqual(Array.from({ length: 30 }, (_, i) => i + 10));
    release();
    expect(overlapped()).toBe(false);
  });

  it("keeps only the newest items when too many pile up, and says how many it dropped", async () => {
    const clock = new FakeClock();
    const batches: Array<{ batch: number[]; info: FlushInfo }> = [];
    const batcher = new LineBatcher<number>({
      clock,
      maxPending: 20,
      flush: (batch, info) => {
        batches.push({ batch, info });
      },
    });
    for (let i = 0; i < 100; i++) batcher.push(i);
    await clock.advance(1000);
    expect(batches[0]!.batch).toEqual(Array.from({ length: 20 }, (_, i) => i + 80));
    expect(batches[0]!.info).toEqual({ final: false, dropped: 80 });
  });

  it("goes on after a flush that throws, reporting the error", async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    const seen: number[][] = [];
    const batcher = new LineBatcher<number>({
      clock,
      onError: (e) => errors.push(e),
      flush: (batch) => {
        seen.push(batch);
        if (seen.length === 1) throw new Error("discord is down");
      },
    });
    batcher.push(1);
    await clock.advance(1500);
    batcher.push(2);
    await clock.advance(1500);
    expect(seen).toEqual([[1], [2]]);
    expect(errors).toHaveLength(1);
  });
});

describe("LineBatcher: end()", () => {
  it("makes one final flush with what is left and resolves after it", async () => {
    const { clock, batcher, flushes } = setup();
    await clock.advance(3000);
    // Long after the last flush, a single item flushes at once.
    batcher.push(1);
    await clock.advance(0);
    batcher.push(2);
    batcher.push(3);
    let resolved = false;
    const ended = batcher.end().then(() => {
      resolved = true;
    });
    await clock.advance(999);
    expect(resolved).toBe(false); // still honouring one flush per second
    await clock.advance(1);
    await ended;
    expect(flushes.map((f) => [f.at, f.batch, f.info.final])).toEqual([
      [3000, [1], false],
      [4000, [2, 3], true],
    ]);
  });

  it("flushes once with final: true even with nothing pending, and ignores later pushes", async () => {
    const { clock, batcher, flushes } = setup();
    await clock.advance(2000);
    await batcher.end();
    batcher.push(9);
    await clock.advance(5000);
    expect(flushes.map((f) => [f.batch, f.info.final])).toEqual([[[], true]]);
    expect(batcher.end()).toBe(batcher.end());
  });

  it("waits for a running flush before the final one", async () => {
    let release!: () => void;
    const { clock, batcher, flushes, overlapped } = setup({
      slowFlush: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    });
    for (let i = 0; i < 10; i++) batcher.push(i);
    await clock.advance(1000);
    batcher.push(99);
    const ended = batcher.end();
    await clock.advance(2000);
    expect(flushes).toHaveLength(1);
    release();
    await clock.advance(0);
    release();
    await ended;
    expect(flushes.map((f) => f.batch.at(-1))).toEqual([9, 99]);
    expect(overlapped()).toBe(false);
  });
});

describe("LineBatcher: options", () => {
  const flush = () => {};
  it.each([
    [{ maxItems: 0 }, "Expected `maxItems` to be an integer from 1 and up, got `0`"],
    [{ maxItems: 2.5 }, "Expected `maxItems` to be an integer from 1 and up, got `2.5`"],
    [{ maxWaitMs: -1 }, "Expected `maxWaitMs` to be a number of milliseconds from 0 and up, got `-1`"],
    [
      { minIntervalMs: Number.NaN },
      "Expected `minIntervalMs` to be a number of milliseconds from 0 and up, got `NaN`",
    ],
    [{ maxPending: 5 }, "Expected `maxPending` to be an integer from 10 and up, got `5`"],
  ])("rejects %j with a message that teaches", (bad, message) => {
    expect(() => new LineBatcher({ flush, ...bad })).toThrow(message);
  });
  it("rejects a missing flush function", () => {
    expect(() => new LineBatcher({} as never)).toThrow("Expected `flush` to be a function, got `undefined`");
  });
});
