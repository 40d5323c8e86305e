// The scheduler's one observer fanned out to several watchers (dashboards, spend caps): every hook the
// scheduler calls reaches every watcher, and one that throws keeps it from none of the others.

import { describe, expect, it } from "vitest";
import { combineObservers, OBSERVER_HOOKS } from "../../src/queue/observers.js";
import type { RunObserver } from "../../src/queue/scheduler.js";

describe("combineObservers", () => {
  it.each(OBSERVER_HOOKS)("hands %s to every observer, even after one throws", (hook) => {
    const seen: string[] = [];
    const errors: string[] = [];
    const watcher = (name: string, fail = false): Partial<RunObserver> =>
      Object.fromEntries(
        OBSERVER_HOOKS.map((h) => [
          h,
          (...args: unknown[]) => {
            seen.push(`${name}:${h}:${String(args[0])}`);
            if (fail) throw new Error(`${name} broke`);
          },
        ]),
      );
    const combined = combineObservers([watcher("a", true), watcher("b")], (h, error) =>
      errors.push(`${h}:${(error as Error).message}`),
    );
    const call = combined[hook] as ((...args: unknown[]) => void) | undefined;
    call?.("session-1", undefined);
    expect(seen).toEqual([`a:${hook}:session-1`, `b:${hook}:session-1`]);
    expect(errors).toEqual([`${hook}:a broke`]);
  });

  it("forwards a usage-limit wait to the dashboards (the hook a merge once left out)", () => {
    const waits: unknown[] = [];
    const combined = combineObservers([{ onUsageWait: (_s, wait) => waits.push(wait) }], () => {});
    const wait = { resumesAt: new Date(0) };
    combined.onUsageWait?.("s", wait as never);
    expect(waits).toEqual([wait]);
  });
});
