// The arithmetic of spend caps: which cap applies, when usage reaches it, and where a day begins and
// ends in a time zone (the clock is an argument, so days are crossed without waiting).

import { describe, expect, it } from "vitest";
import type { SpendSettings } from "../../src/config/index.js";
import {
  dayBounds,
  dayCapReached,
  dayRefusal,
  formatInZone,
  hasCaps,
  runCapReached,
  runCapsFor,
  runStoppedNote,
} from "../../src/sessions/caps.js";

const CHANNEL = "111111111111111111";
const OTHER = "222222222222222222";

function settings(overrides: Partial<SpendSettings> = {}): SpendSettings {
  return {
    run: { tokens: undefined, cost: undefined },
    day: { tokens: undefined, cost: undefined },
    channels: {},
    timeZone: "UTC",
    ...overrides,
  };
}

describe("run caps", () => {
  it("are off by default: no usage reaches them", () => {
    expect(hasCaps(settings())).toEqual({ run: false, day: false });
    expect(runCapReached({ tokens: 1e12, cost: 1e6 }, settings(), CHANNEL)).toBeUndefined();
  });

  it("a run reaches its token cap at the cap itself, not one token before", () => {
    const s = settings({ run: { tokens: 100, cost: undefined } });
    expect(runCapReached({ tokens: 99, cost: 0 }, s, CHANNEL)).toBeUndefined();
    expect(runCapReached({ tokens: 100, cost: 0 }, s, CHANNEL)).toEqual({
      scope: "run",
      measure: "tokens",
      used: 100,
      cap: 100,
    });
  });

  it("a cost cap counts fractions of a dollar", () => {
    const s = settings({ run: { tokens: undefined, cost: 0.5 } });
    expect(runCapReached({ tokens: 10, cost: 0.4999 }, s, CHANNEL)).toBeUndefined();
    expect(runCapReached({ tokens: 10, cost: 0.5001 }, s, CHANNEL)?.measure).toBe("cost");
  });

  it("a channel's own run cap overrides the overall one for that channel only", () => {
    const s = settings({
      run: { tokens: 1000, cost: 2 },
      channels: { [CHANNEL]: { run: { tokens: 10 }, day: {} } },
    });
    expect(runCapsFor(s, CHANNEL)).toEqual({ tokens: 10, cost: 2 });
    expect(runCapsFor(s, OTHER)).toEqual({ tokens: 1000, cost: 2 });
    expect(runCapReached({ tokens: 15, cost: 0 }, s, CHANNEL)).toMatchObject({ cap: 10, channelId: CHANNEL });
    expect(runCapReached({ tokens: 15, cost: 0 }, s, OTHER)).toBeUndefined();
    // The overall cost cap still applies in the channel, and is named as the overall one.
    expect(runCapReached({ tokens: 1, cost: 3 }, s, CHANNEL)).toEqual({
      scope: "run",
      measure: "cost",
      used: 3,
      cap: 2,
    });
  });

  it("the note names the cap, the figures and the setting", () => {
    const s = settings({ channels: { [CHANNEL]: { run: { tokens: 10 }, day: {} } } });
    const note = runStoppedNote(3, runCapReached({ tokens: 15, cost: 0 }, s, CHANNEL)!);
    expect(note).toContain("Run #3 was stopped");
    expect(note).toContain("per-run token cap of this channel (15 tokens used, cap 10 tokens)");
    expect(note).toContain("OMPCORD_CHANNEL_CAP_RUN_TOKENS");
  });
});

describe("day caps", () => {
  it("the overall cap counts every channel; a channel's own counts only its runs", () => {
    const s = settings({
      day: { tokens: 1000, cost: undefined },
      channels: { [CHANNEL]: { run: {}, day: { cost: 1 } } },
    });
    const quiet = { tokens: 10, cost: 0.1 };
    expect(dayCapReached({ overall: quiet, channel: quiet }, s, CHANNEL)).toBeUndefined();
    expect(dayCapReached({ overall: { tokens: 1000, cost: 0.1 }, channel: quiet }, s, OTHER)).toMatchObject({
      scope: "day",
      measure: "tokens",
    });
    expect(dayCapReached({ overall: quiet, channel: { tokens: 5, cost: 1.2 } }, s, CHANNEL)).toMatchObject({
      scope: "day",
      measure: "cost",
      channelId: CHANNEL,
    });
    // Another channel's spend over CHANNEL's own cap does not refuse it elsewhere.
    expect(dayCapReached({ overall: quiet, channel: { tokens: 5, cost: 0 } }, s, OTHER)).toBeUndefined();
  });

  it("a day in UTC runs from midnight to midnight", () => {
    const { start, end } = dayBounds(new Date("2026-12-07T23:59:59.999Z"), "UTC");
    expect(start.toISOString()).toBe("2026-12-07T00:00:00.000Z");
    expect(end.toISOString()).toBe("2026-12-08T00:00:00.000Z");
    expect(dayBounds(new Date("2026-12-08T00:00:00.000Z"), "UTC").start.toISOString()).toBe(
      "2026-12-08T00:00:00.000Z",
    );
  });

  it("a day in another zone starts at that zone's midnight, across the end of a month and a year", () => {
    // 23:30 UTC on Dec 31 is already Jan 1 in Berlin (UTC+1 in winter).
    const { start, end } = dayBounds(new Date("2026-12-31T23:30:00Z"), "Europe/Berlin");
    expect(start.toISOString()).toBe("2026-12-31T23:00:00.000Z");
    expect(end.toISOString()).toBe("2027-01-01T23:00:00.000Z");
    // New York, behind UTC: 03:00 UTC is still the previous day there.
    const ny = dayBounds(new Date("2026-12-08T03:00:00Z"), "America/New_York");
    expect(ny.start.toISOString()).toBe("2026-12-07T05:00:00.000Z");
  });

  it("a day on which the clocks change is 23 or 25 hours long", () => {
    // Europe/Berlin springs forward on 2027-03-28 and falls back on 2027-10-31.
    const spring = dayBounds(new Date("2027-03-28T12:00:00Z"), "Europe/Berlin");
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const autumn = dayBounds(new Date("2027-10-31T12:00:00Z"), "Europe/Berlin");
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
  });

  it("the refusal says when the day ends, in the zone it names", () => {
    const s = settings({ day: { tokens: 100, cost: undefined }, timeZone: "Europe/Berlin" });
    const cap = dayCapReached(
      { overall: { tokens: 150, cost: 0 }, channel: { tokens: 0, cost: 0 } },
      s,
      CHANNEL,
    )!;
    const { end } = dayBounds(new Date("2026-12-07T10:00:00Z"), s.timeZone);
    const text = dayRefusal(cap, end, s.timeZone);
    expect(text).toContain("daily token cap (all channels together) (150 tokens used, cap 100 tokens)");
    expect(text).toContain("2026-12-08 00:00 Europe/Berlin");
    expect(text).toContain(`<t:${end.getTime() / 1000}:R>`);
    expect(text).toContain("OMPCORD_CAP_DAY_TOKENS");
    expect(formatInZone(new Date("2026-12-08T00:00:00Z"), "UTC")).toBe("2026-12-08 00:00 UTC");
  });
});
