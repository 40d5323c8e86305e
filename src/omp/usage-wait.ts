// Usage-limit waits as omp's stdout shows them (SPEC §2): with `retry.waitForUsageReset` pinned, omp
// sleeps until a provider's usage limit resets and says so once, in `auto_retry_start` (the delay and
// the provider's error); the next turn means it is working again (no `auto_retry_end` follows a retry
// that succeeds). Pure, kept apart from events.ts so the runner owns the reading.

import { formatDuration } from "../format/text.js";
import type { OmpEvent } from "./events.js";

/**
 * The wording of usage-limit errors, from omp 18.2.3's own recognition (`USAGE_LIMIT_PATTERN` in
 * pi-ai/src/error/rate-limit.ts), minus provider-specific oddities.
 */
const USAGE_LIMIT_TEXT =
  /usage.?limit|usage_limit_reached|limit_reached|quota.?(?:exceeded|reached|insufficient)|resource.?exhausted|exhausted your capacity|quota will reset|insufficient.?(?:balance|quota)|balance.?exhausted|out of credits|spending[- _]?limit/i;

/**
 * omp's default `retry.maxDelayMs`: without `waitForUsageReset` omp never sleeps longer, so a longer
 * retry delay is a usage-limit wait whatever the provider's wording.
 */
export const OMP_RETRY_MAX_DELAY_MS = 5 * 60_000;

/** A run sleeping until a provider's usage limit resets. */
export interface UsageWait {
  /** When omp tries again: the moment it said so plus its delay. */
  resumesAt: Date;
  /** How long omp said it would wait. */
  delayMs: number;
}

/** The usage-limit wait `event` starts, or undefined for every other event (a short retry included). */
export function usageWaitOf(event: OmpEvent, now: number): UsageWait | undefined {
  if (event.type !== "auto_retry_start" || !(event.delayMs > 0)) return undefined;
  if (!USAGE_LIMIT_TEXT.test(event.errorMessage) && event.delayMs <= OMP_RETRY_MAX_DELAY_MS) return undefined;
  return { resumesAt: new Date(now + event.delayMs), delayMs: event.delayMs };
}

/**
 * Events that show omp working again after a wait (the retry starts a new agent turn) or giving up. Other
 * lines (notices, what an extension sends) may come during the sleep and end nothing.
 */
const WORKING_AGAIN: ReadonlySet<OmpEvent["type"]> = new Set([
  "agent_start",
  "agent_end",
  "turn_start",
  "message_start",
  "message_end",
  "text_delta",
  "tool_execution_start",
  "auto_retry_end",
]);

/** Whether `event` ends a usage-limit wait: omp works again, or the retry is over. */
export function endsUsageWait(event: OmpEvent): boolean {
  return WORKING_AGAIN.has(event.type);
}

/** What a person reads when a usage limit resets later than the bot waits (`OMPCORD_USAGE_WAIT_MAX`). */
export function usageWaitRefusal(wait: UsageWait, maxMs: number): string {
  const resetsIn = formatDuration(wait.delayMs);
  const reset = `The model's usage limit resets in ${resetsIn} (${wait.resumesAt.toISOString()})`;
  if (maxMs <= 0) {
    return `${reset}, and waiting for usage limits is off (OMPCORD_USAGE_WAIT_MAX=0). Send the prompt again after the reset, or set OMPCORD_USAGE_WAIT_MAX to let runs wait.`;
  }
  return `${reset}, later than runs wait for one (OMPCORD_USAGE_WAIT_MAX, ${formatDuration(maxMs)}). Send the prompt again after the reset, or raise OMPCORD_USAGE_WAIT_MAX.`;
}
