// Restart recovery (SPEC §7): processes left from the last run of the bot are ended, but only those
// whose whole recorded identity (pid, start time, boot id) still matches, never a process that merely
// got the same pid since; every live session's dashboard is repainted from the store (interrupted ones,
// by a crash or by the last stop, as Degraded with a note; a ⏸ bot stopped goes), and sessions whose
// thread vanished while the bot was away are stopped.
// Queued prompts then resume.

import type { Logger } from "../log.js";
import { isSameProcessAlive, killProcessTree, SUPERVISOR_SLACK_MS, waitUntil } from "../omp/index.js";
import type { ReconcileResult, RunRow, Store } from "../store/index.js";
import type { SessionDashboards } from "./ports.js";

/**
 * Ends what is left of runs the last bot process did not finish. A run's supervisor normally ends
 * everything itself when its bot dies; it may still be at it (within its grace periods), or have been
 * killed itself, leaving omp behind. Tool processes are found under whichever of the two is alive.
 */
export async function endLeftoverProcesses(
  store: Store,
  runs: readonly RunRow[],
  options: { graceMs: number; logger: Logger },
): Promise<void> {
  const { graceMs, logger } = options;
  await Promise.all(
    runs.map(async (run) => {
      const recorded = store.runProcesses(run.id);
      const supervisor = recorded.find((p) => p.role === "supervisor");
      const omp = recorded.find((p) => p.role === "omp");
      if (!supervisor && !omp) {
        if (run.pid !== null) {
          logger.warn(
            { runId: run.id, pid: run.pid },
            "left pid alone after the restart: its run did not record who the process was (an older ompcord). If it is that run's omp, end it by hand",
          );
        }
        return;
      }
      const ended: number[] = [];
      if (supervisor && isSameProcessAlive(supervisor)) {
        // SIGTERM is the supervisor's cancel: omp saves its session, then everything under it ends.
        try {
          process.kill(supervisor.pid, "SIGTERM");
        } catch {
          // it ended between the check and the signal
        }
        const gone = () => !isSameProcessAlive(supervisor);
        if (!(await waitUntil(gone, graceMs * 2 + SUPERVISOR_SLACK_MS))) {
          await killProcessTree(supervisor.pid, 0, { startTicks: supervisor.startTicks });
        }
        ended.push(supervisor.pid);
      }
      if (omp && isSameProcessAlive(omp)) {
        const result = await killProcessTree(omp.pid, graceMs, { startTicks: omp.startTicks });
        ended.push(omp.pid, ...result.killed.filter((pid) => pid !== omp.pid));
      }
      if (ended.length > 0) {
        logger.warn({ runId: run.id, pids: ended }, "ended processes left over from before the restart");
      }
    }),
  );
}

export interface RecoveryOptions {
  store: Store;
  dashboards: Pick<SessionDashboards, "restore">;
  /** omp's grace between SIGTERM and SIGKILL (`OMP_KILL_GRACE`). */
  killGraceMs: number;
  logger: Logger;
}

export async function recoverAfterRestart(
  options: RecoveryOptions,
  reconciled: ReconcileResult,
): Promise<void> {
  const { store, dashboards, killGraceMs, logger } = options;
  await endLeftoverProcesses(
    store,
    reconciled.interruptedRuns.map(({ run }) => run),
    { graceMs: killGraceMs, logger },
  );
  const interrupted = new Set(reconciled.interruptedRuns.map(({ session }) => session.id));
  for (const session of store.listActiveSessions()) {
    if (!session.dashboardMessageId) continue;
    // A run the last clean stop cut was recorded as interrupted then: its dashboard, painted ⏸ bot
    // stopped, gets the same note as a run a crash cut.
    const cut = interrupted.has(session.id) || store.latestRun(session.id)?.outcome === "interrupted";
    await dashboards.restore(session, { interrupted: cut });
  }
  logger.info(
    { interruptedRuns: reconciled.interruptedRuns.length, sessions: store.listActiveSessions().length },
    "recovered after restart",
  );
}
