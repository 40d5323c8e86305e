import { describe, expect, it } from "vitest";
import type { OmpEvent } from "../../src/omp/events.js";
import { endsUsageWait, usageWaitOf, usageWaitRefusal } from "../../src/omp/usage-wait.js";

const NOW = Date.UTC(2026, 11, 7, 8, 0, 0);
const retry = (delayMs: number, errorMessage: string): OmpEvent => ({
  type: "auto_retry_start",
  attempt: 1,
  maxAttempts: 2,
  delayMs,
  errorMessage,
});

describe("usage-limit waits from omp's events", () => {
  it("a retry after a usage-limit error is a wait that resumes after its delay", () => {
    const wait = usageWaitOf(
      retry(70_000, "429 You have hit your usage limit for this plan. Your limit will reset in 70s."),
      NOW,
    );
    expect(wait).toEqual({ resumesAt: new Date(NOW + 70_000), delayMs: 70_000 });
  });

  it("a short retry after another error is not a usage wait", () => {
    expect(usageWaitOf(retry(2000, "500 internal server error"), NOW)).toBeUndefined();
    expect(usageWaitOf({ type: "agent_start" }, NOW)).toBeUndefined();
  });

  it("a retry longer than omp ever sleeps without waitForUsageReset is one, whatever the wording", () => {
    expect(usageWaitOf(retry(3 * 3_600_000, "429 slow down"), NOW)?.delayMs).toBe(3 * 3_600_000);
  });

  it("the retry's new turn, or the end of the retry, ends the wait; a notice during the sleep does not", () => {
    expect(endsUsageWait({ type: "agent_start" })).toBe(true);
    expect(endsUsageWait({ type: "auto_retry_end", success: false, attempt: 1, finalError: "x" })).toBe(true);
    expect(endsUsageWait({ type: "notice", level: "info", message: "still here" })).toBe(false);
    expect(endsUsageWait({ type: "other", rawType: "advisor_cost_changed", truncated: false })).toBe(false);
    expect(endsUsageWait(retry(1000, "usage limit"))).toBe(false);
  });

  it("a refused wait tells when the limit resets and which setting to raise", () => {
    const wait = { resumesAt: new Date(NOW + 7 * 3_600_000), delayMs: 7 * 3_600_000 };
    expect(usageWaitRefusal(wait, 6 * 3_600_000)).toBe(
      "The model's usage limit resets in 7h (2026-12-07T15:00:00.000Z), later than runs wait for one (OMPCORD_USAGE_WAIT_MAX, 6h). Send the prompt again after the reset, or raise OMPCORD_USAGE_WAIT_MAX.",
    );
    expect(usageWaitRefusal(wait, 0)).toContain("waiting for usage limits is off (OMPCORD_USAGE_WAIT_MAX=0)");
  });
});
