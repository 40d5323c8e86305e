// What runs report through their extension that omp's stdout does not carry, kept per run for the
// dashboard: today the context window in use ("context 63 %").

import type { ContextUsageBody } from "../extension-protocol.js";

/** The context window in use by one run, as its extension last reported it. */
export interface ContextUsage extends ContextUsageBody {
  /** When the sidecar received it. */
  at: Date;
}

export interface ContextUsageReport {
  sessionId: string;
  runId: string;
  usage: ContextUsage;
}

/** Where reports are kept beyond memory (the store's run row), so a finished run still shows its last. */
export interface RunTelemetryStore {
  setRunContext(runId: string, usage: { tokens: number; contextWindow: number }): void;
}

/**
 * The latest context use per live run, and a feed of changes. The dashboard (phase 2) reads
 * `contextUsage(runId)` when it renders, or listens with `onContextUsage`; a run's entry is dropped when
 * the run ends (`endRun`), the stored copy stays.
 */
export class RunTelemetry {
  readonly #byRun = new Map<string, ContextUsageReport>();
  readonly #listeners = new Set<(report: ContextUsageReport) => void>();
  readonly #store: RunTelemetryStore | undefined;
  readonly #onError: (error: unknown) => void;

  constructor(options: { store?: RunTelemetryStore; onError?: (error: unknown) => void } = {}) {
    this.#store = options.store;
    this.#onError = options.onError ?? (() => {});
  }

  recordContextUsage(report: ContextUsageReport): void {
    this.#byRun.set(report.runId, report);
    this.#store?.setRunContext(report.runId, report.usage);
    for (const listener of this.#listeners) {
      try {
        listener(report);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  /** The run's latest report, while it runs. */
  contextUsage(runId: string): ContextUsage | undefined {
    return this.#byRun.get(runId)?.usage;
  }

  /** The latest report of the session's live run, if it has one. */
  sessionContextUsage(sessionId: string): ContextUsage | undefined {
    for (const report of this.#byRun.values()) if (report.sessionId === sessionId) return report.usage;
    return undefined;
  }

  onContextUsage(listener: (report: ContextUsageReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The run ended: its live entry goes (the store keeps the last report on the run's row). */
  endRun(runId: string): void {
    this.#byRun.delete(runId);
  }
}
