// DashboardRegistry: the live dashboards of all sessions, by session id. They share one request budget
// (SPEC §9): each busy dashboard's edit interval grows with the number of busy ones and their requests
// take evenly spaced slots, so many busy threads slow down together instead of building a backlog.

import { type Clock, systemClock } from "../../clock.js";
import { expectPositive } from "../../expect.js";
import type { DashboardView } from "../view.js";
import { DASHBOARD_REQUESTS_PER_SECOND, MIN_EDIT_INTERVAL_MS } from "./constants.js";
import {
  type DashboardDelivery,
  type DashboardEditInfo,
  LiveDashboard,
  type LiveDashboardCounts,
} from "./controller.js";
import { adaptiveEditIntervalMs, type DashboardPacing, RequestBudget } from "./pacing.js";
import type { DashboardSink, LiveLogger } from "./sink.js";
import type { ChannelWrites } from "./write-window.js";

export interface DashboardRegistryOptions {
  clock?: Clock;
  logger?: LiveLogger;
  /** Called once per session whose thread or dashboard message is gone; the bot then stops the session. */
  onGone?: (sessionId: string) => void;
  /** Called after each successful edit of any dashboard (metrics, the lag benchmark). */
  onEdit?: (info: DashboardEditInfo) => void;
  /** Requests per second all dashboards together may make (default `DASHBOARD_REQUESTS_PER_SECOND`). */
  requestsPerSecond?: number;
  /** Least interval between two edits of one dashboard (default `MIN_EDIT_INTERVAL_MS`). */
  minEditIntervalMs?: number;
  /** See `LiveDashboardOptions.maxAnswerMessages`. */
  maxAnswerMessages?: number;
  /** See `LiveDashboardOptions.fileSize`. */
  fileSize?: (path: string) => Promise<number | undefined>;
}

export interface DashboardRegistryCounts extends LiveDashboardCounts {
  /** Dashboards open now. */
  dashboards: number;
  /** Dashboards with a run, an edit or run-end posts in progress now. */
  busy: number;
  /** Dashboards stopped because their thread or message was gone. */
  gone: number;
  /** The edit interval a busy dashboard gets now. */
  editIntervalMs: number;
}

export class DashboardRegistry {
  readonly #options: DashboardRegistryOptions;
  readonly #clock: Clock;
  readonly #requestsPerSecond: number;
  readonly #minEditIntervalMs: number;
  readonly #budget: RequestBudget;
  readonly #pacing: DashboardPacing;
  readonly #dashboards = new Map<string, LiveDashboard>();
  readonly #busy = new Set<string>();
  // Counts of dashboards no longer open, so totals never go down.
  readonly #retired: LiveDashboardCounts = { edits: 0, coalesced: 0, editFailures: 0 };
  #gone = 0;

  constructor(options: DashboardRegistryOptions = {}) {
    const { requestsPerSecond = DASHBOARD_REQUESTS_PER_SECOND, minEditIntervalMs = MIN_EDIT_INTERVAL_MS } =
      options;
    expectPositive("requestsPerSecond", requestsPerSecond);
    expectPositive("minEditIntervalMs", minEditIntervalMs);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#requestsPerSecond = requestsPerSecond;
    this.#minEditIntervalMs = minEditIntervalMs;
    this.#budget = new RequestBudget(requestsPerSecond, this.#clock);
    this.#pacing = {
      minEditIntervalMs: () => this.editIntervalMs(),
      reserveSlot: () => this.#budget.reserve(),
      busyChanged: (sessionId, busy) => {
        if (busy) this.#busy.add(sessionId);
        else this.#busy.delete(sessionId);
      },
    };
  }

  /**
   * The session's live dashboard, created from `view` and `sink` when there is none open. An open one is
   * returned as is: to paint on a new message (a re-posted dashboard), `close` the old one first.
   */
  open(
    view: DashboardView,
    sink: DashboardSink,
    options: { justPosted?: boolean; writes?: ChannelWrites; delivery: DashboardDelivery },
  ): LiveDashboard {
    const existing = this.#dashboards.get(view.sessionId);
    if (existing && !existing.closed) return existing;
    if (existing) this.#retire(existing);
    const { onEdit } = this.#options;
    const dashboard = new LiveDashboard({
      view,
      sink,
      clock: this.#clock,
      pacing: this.#pacing,
      ...(this.#options.logger ? { logger: this.#options.logger } : {}),
      ...(onEdit ? { onEdit } : {}),
      ...(this.#options.maxAnswerMessages !== undefined
        ? { maxAnswerMessages: this.#options.maxAnswerMessages }
        : {}),
      ...(this.#options.fileSize ? { fileSize: this.#options.fileSize } : {}),
      ...(options.justPosted ? { justPosted: true } : {}),
      ...(options.writes ? { writes: options.writes } : {}),
      delivery: options.delivery,
      onGone: (sessionId) => {
        this.#gone++;
        if (this.#dashboards.get(sessionId) === dashboard) this.#retire(dashboard);
        this.#options.onGone?.(sessionId);
      },
    });
    this.#dashboards.set(view.sessionId, dashboard);
    return dashboard;
  }

  /** The open dashboard of a session, if any. */
  get(sessionId: string): LiveDashboard | undefined {
    const dashboard = this.#dashboards.get(sessionId);
    return dashboard && !dashboard.closed ? dashboard : undefined;
  }

  /** Stops a session's dashboard (after `flushNow` when its last state matters). */
  async close(sessionId: string): Promise<void> {
    const dashboard = this.#dashboards.get(sessionId);
    if (!dashboard) return;
    this.#retire(dashboard);
    await dashboard.close();
  }

  /** Shutdown: paints every dashboard's newest state once more, then stops them all. */
  /** Every open dashboard. */
  all(): LiveDashboard[] {
    return [...this.#dashboards.values()];
  }

  async closeAll(): Promise<void> {
    const all = [...this.#dashboards.values()];
    await Promise.allSettled(all.map((dashboard) => dashboard.flushNow()));
    await Promise.allSettled(all.map((dashboard) => this.close(dashboard.sessionId)));
  }

  /** Books a slot of the shared budget for a request that is not a dashboard's (the outbox's posts). */
  reserveSlot(): number {
    return this.#budget.reserve();
  }

  /** The least interval between two edits of one busy dashboard right now. */
  editIntervalMs(): number {
    return adaptiveEditIntervalMs(this.#busy.size, this.#requestsPerSecond, this.#minEditIntervalMs);
  }

  /** Totals over every dashboard this registry ever held, for metrics and the benchmark. */
  counts(): DashboardRegistryCounts {
    const totals = { ...this.#retired };
    for (const dashboard of this.#dashboards.values()) addCounts(totals, dashboard.counts);
    return {
      ...totals,
      dashboards: this.#dashboards.size,
      busy: this.#busy.size,
      gone: this.#gone,
      editIntervalMs: this.editIntervalMs(),
    };
  }

  #retire(dashboard: LiveDashboard): void {
    if (this.#dashboards.get(dashboard.sessionId) !== dashboard) return;
    this.#dashboards.delete(dashboard.sessionId);
    // Its counts may still grow while a request in flight settles; what is counted here is what landed so far.
    addCounts(this.#retired, dashboard.counts);
    this.#busy.delete(dashboard.sessionId);
  }
}

function addCounts(into: LiveDashboardCounts, from: LiveDashboardCounts): void {
  into.edits += from.edits;
  into.coalesced += from.coalesced;
  into.editFailures += from.editFailures;
}
