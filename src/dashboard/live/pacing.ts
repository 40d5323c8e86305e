// How many dashboards share one bot's request budget: a per-dashboard edit interval that grows with the
// number of busy dashboards, and a shared slot book that spaces their requests evenly (SPEC §9).

import type { Clock } from "../../clock.js";
import { expectPositive } from "../../expect.js";
import { DASHBOARD_REQUESTS_PER_SECOND, MIN_EDIT_INTERVAL_MS } from "./constants.js";

/**
 * The least time between two edits of one dashboard when `busy` dashboards edit at once: one edit per
 * second while the budget allows it, slower beyond, so that together they stay at `requestsPerSecond`.
 */
export function adaptiveEditIntervalMs(
  busy: number,
  requestsPerSecond: number = DASHBOARD_REQUESTS_PER_SECOND,
  minIntervalMs: number = MIN_EDIT_INTERVAL_MS,
): number {
  const share = Math.ceil((Math.max(0, busy) * 1000) / requestsPerSecond);
  return Math.max(minIntervalMs, share);
}

/**
 * Books request slots `1000 / requestsPerSecond` ms apart across all dashboards. The interval alone keeps
 * the average rate right, but dashboards that start together would still fire together; slots spread
 * them so that no one-second window holds more than the budget. Each dashboard books at most one slot
 * at a time, so the book never holds more than one slot per dashboard: no backlog can build.
 */
export class RequestBudget {
  readonly #spacingMs: number;
  readonly #clock: Clock;
  #nextSlotAt = Number.NEGATIVE_INFINITY;

  constructor(requestsPerSecond: number, clock: Clock) {
    expectPositive("requestsPerSecond", requestsPerSecond);
    this.#spacingMs = 1000 / requestsPerSecond;
    this.#clock = clock;
  }

  /** Books the next free slot; returns how long to wait for it (0 when it is now). */
  reserve(): number {
    const now = this.#clock.now();
    const slot = Math.max(now, this.#nextSlotAt);
    this.#nextSlotAt = slot + this.#spacingMs;
    return slot - now;
  }
}

/** What a DashboardRegistry lends each of its dashboards so they share one budget. */
export interface DashboardPacing {
  /** Least time between two edits of this dashboard, now. */
  minEditIntervalMs(): number;
  /** Books a slot for one request (edit or post); returns the wait in ms. */
  reserveSlot(): number;
  /** The dashboard started or stopped having work (a run, an edit, run-end posts). */
  busyChanged(sessionId: string, busy: boolean): void;
}

/** A dashboard on its own: SPEC §1's one edit per second, no shared budget. */
export const soloPacing: DashboardPacing = {
  minEditIntervalMs: () => MIN_EDIT_INTERVAL_MS,
  reserveSlot: () => 0,
  busyChanged: () => {},
};
