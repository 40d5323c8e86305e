import { describe, expect, it } from "vitest";
import { backstopMs } from "../../src/omp/run.js";
import { RunDeadline } from "../../src/omp/run-deadline.js";
import { FakeClock } from "./live-fakes.js";

function deadline(limitMs: number) {
  const clock = new FakeClock();
  let expired = 0;
  const d = new RunDeadline({ clock, limitMs, onExpire: () => expired++ });
  return { clock, d, expired: () => expired };
}

describe("RunDeadline", () => {
  it("expires once its running time reaches the limit", async () => {
    const { clock, expired } = deadline(1000);
    await clock.advance(999);
    expect(expired()).toBe(0);
    await clock.advance(1);
    expect(expired()).toBe(1);
    await clock.advance(10_000);
    expect(expired()).toBe(1);
  });

  it("does not count the time it is paused: waiting longer than the limit in total is not expiring", async () => {
    const { clock, d, expired } = deadline(1000);
    await clock.advance(600);
    d.pause("usage limit");
    await clock.advance(60_000);
    expect(expired()).toBe(0);
    d.resume();
    await clock.advance(399);
    expect(expired()).toBe(0);
    expect(d.remainingMs).toBe(1);
    await clock.advance(1);
    expect(expired()).toBe(1);
  });

  it("running time past the limit expires even with pauses in between", async () => {
    const { clock, d, expired } = deadline(1000);
    for (let i = 0; i < 3; i++) {
      await clock.advance(300);
      d.pause("approval");
      await clock.advance(5000);
      d.resume();
    }
    expect(expired()).toBe(0);
    await clock.advance(100);
    expect(expired()).toBe(1);
  });

  it("counts nested pauses: it runs again only after the last resume", async () => {
    const { clock, d, expired } = deadline(1000);
    d.pause("approval");
    d.pause("usage limit");
    expect(d.pausedFor).toEqual(["approval", "usage limit"]);
    d.resume();
    await clock.advance(5000);
    expect(expired()).toBe(0);
    d.resume();
    expect(d.pausedFor).toEqual([]);
    await clock.advance(1000);
    expect(expired()).toBe(1);
  });

  it("ignores a resume without a pause", async () => {
    const { clock, d, expired } = deadline(1000);
    d.resume();
    d.pause("approval");
    d.resume();
    d.resume();
    expect(d.pausedFor).toEqual([]);
    await clock.advance(1000);
    expect(expired()).toBe(1);
  });

  it("never expires once stopped, nor after a pause and resume that come later", async () => {
    const { clock, d, expired } = deadline(1000);
    d.stop();
    d.pause("approval");
    d.resume();
    await clock.advance(5000);
    expect(expired()).toBe(0);
  });

  it("refuses a limit that is not above 0", () => {
    expect(() => new RunDeadline({ clock: new FakeClock(), limitMs: 0, onExpire: () => {} })).toThrow(
      "Expected `limitMs` to be a number above 0, got `0` (number)",
    );
  });
});

describe("omp's --max-time, the backstop", () => {
  it("is the run's limit plus the longest waits it may make", () => {
    expect(
      backstopMs({
        runTimeoutMs: 60_000,
        personWaitMaxMs: 600_000,
        usageWaitMaxMs: 3_600_000,
        maxRetries: 2,
      }),
    ).toBe(60_000 + 600_000 + 3_600_000);
  });

  it("leaves the usage wait out when retries are off: omp then never waits for a reset", () => {
    expect(backstopMs({ runTimeoutMs: 60_000, usageWaitMaxMs: 3_600_000, maxRetries: 0 })).toBe(60_000);
  });
});
