// Restart recovery (SPEC §7): omp processes left from the last run of the bot are killed, every live
// session's dashboard is repainted from the store (interrupted ones as Degraded with a note), and
// sessions whose thread vanished while the bot was away are stopped. Queued prompts then resume.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { isAlive, killProcessTree } from "../omp/index.js";
import type { ReconcileResult } from "../store/index.js";
import type { BotContext } from "./context.js";

/** A pid from the last run may have been reused since: only kill it when it still looks like omp. */
export function looksLikeOmp(pid: number, bin: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    return cmdline.includes(basename(bin)) || /\bomp\b/.test(cmdline);
  } catch {
    return false;
  }
}

export async function recoverAfterRestart(ctx: BotContext, reconciled: ReconcileResult): Promise<void> {
  const { config, logger, store } = ctx;
  await Promise.all(
    reconciled.interruptedRuns.map(async ({ run }) => {
      if (run.pid === null || !isAlive(run.pid) || !looksLikeOmp(run.pid, config.omp.bin)) return;
      const result = await killProcessTree(run.pid, config.omp.killGraceMs);
      logger.warn(
        { runId: run.id, pid: run.pid, killed: result.killed },
        "killed omp left over from before the restart",
      );
    }),
  );
  const interrupted = new Set(reconciled.interruptedRuns.map(({ session }) => session.id));
  for (const session of store.listActiveSessions()) {
    if (!session.dashboardMessageId) continue;
    await ctx.dashboards.restore(session, { interrupted: interrupted.has(session.id) });
  }
  logger.info(
    { interruptedRuns: reconciled.interruptedRuns.length, sessions: store.listActiveSessions().length },
    "recovered after restart",
  );
}
