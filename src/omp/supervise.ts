// How a run is started under the run supervisor (`supervisor.mjs`, whose header says why it exists):
// finding Bun, the supervisor's command line, reading its reports and telling a person what it had
// to end. Pure except `findBun`, which looks at the filesystem.

import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The supervisor script; `npm run build` copies it next to the compiled runner. */
export const SUPERVISOR_SCRIPT = fileURLToPath(new URL("./supervisor.mjs", import.meta.url));

/** The file descriptor the supervisor writes its reports to (never omp's stdout). */
export const SUPERVISOR_REPORT_FD = 3;

/**
 * How long past its own two grace periods (omp's, then the leftovers') the runner gives the supervisor
 * before it ends the tree itself: Bun's start, and a loaded machine.
 */
export const SUPERVISOR_SLACK_MS = 5000;

/** A process the supervisor had to end after omp exited. */
export interface LeftoverProcess {
  pid: number;
  /** `/proc/<pid>/stat` field 22: with the pid and the boot id, identifies the process. */
  startTicks: number;
  bootId: string;
  /** The kernel's name for it (`comm`, at most 15 characters). */
  name: string;
  /** The signal that ended it: SIGTERM when it honoured that, SIGKILL when it did not. */
  signal: "SIGTERM" | "SIGKILL";
  /** It survived SIGKILL for the supervisor's whole ceiling (uninterruptible sleep) and was left. */
  stuck?: boolean;
}

export type SupervisorReport =
  | { type: "started"; pid: number; startTicks: number; bootId: string }
  | { type: "spawn-error"; code: string | undefined; message: string }
  | { type: "leftovers"; processes: LeftoverProcess[] }
  | { type: "exit"; code: number | null; signal: string | null };

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

function parseLeftover(value: unknown): LeftoverProcess | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const p = value as Record<string, unknown>;
  if (!isCount(p.pid) || !isCount(p.startTicks) || typeof p.name !== "string") return undefined;
  if (typeof p.bootId !== "string") return undefined;
  if (p.signal !== "SIGTERM" && p.signal !== "SIGKILL") return undefined;
  return {
    pid: p.pid,
    startTicks: p.startTicks,
    bootId: p.bootId,
    name: p.name,
    signal: p.signal,
    ...(p.stuck === true ? { stuck: true } : {}),
  };
}

/** One line of the supervisor's report stream; undefined for anything else. */
export function parseSupervisorReport(line: string): SupervisorReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  switch (r.type) {
    case "started":
      return isCount(r.pid) && isCount(r.startTicks) && typeof r.bootId === "string"
        ? { type: "started", pid: r.pid, startTicks: r.startTicks, bootId: r.bootId }
        : undefined;
    case "spawn-error":
      return {
        type: "spawn-error",
        code: typeof r.code === "string" ? r.code : undefined,
        message: typeof r.message === "string" ? r.message : "unknown error",
      };
    case "leftovers": {
      if (!Array.isArray(r.processes)) return undefined;
      const processes = r.processes.map(parseLeftover).filter((p) => p !== undefined);
      return { type: "leftovers", processes };
    }
    case "exit":
      return {
        type: "exit",
        code: isCount(r.code) ? r.code : null,
        signal: typeof r.signal === "string" ? r.signal : null,
      };
    default:
      return undefined;
  }
}

export interface SupervisorCommand {
  /** Time between SIGTERM and SIGKILL, for omp on cancel and for what it leaves behind. */
  graceMs: number;
  /** The bot's pid: the supervisor ends the run when this process dies. */
  parentPid: number;
  /** The command is bwrap's (`sandbox.ts`) followed by omp's: omp is found, and signalled, inside. */
  sandboxed?: boolean;
  /** The omp executable and its arguments (after bwrap's, when sandboxed). */
  command: readonly string[];
}

/** The supervisor's arguments (after the Bun executable). Options come first: Bun drops a leading `--`. */
export function supervisorArgs(input: SupervisorCommand): string[] {
  return [
    SUPERVISOR_SCRIPT,
    "--grace-ms",
    String(Math.round(input.graceMs)),
    "--parent-pid",
    String(input.parentPid),
    "--report-fd",
    String(SUPERVISOR_REPORT_FD),
    ...(input.sandboxed ? ["--sandboxed"] : []),
    "--",
    ...input.command,
  ];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `bun` to run the supervisor with: the one next to omp when omp is given by path (node_modules/.bin
 * holds both), else the first on `path`; undefined when there is none.
 */
export function findBun(binDir: string | undefined, path: string | undefined): string | undefined {
  const dirs = [...(binDir ? [binDir] : []), ...(path ?? "").split(":").filter((dir) => dir.length > 0)];
  return dirs.map((dir) => join(dir, "bun")).find(isExecutable);
}

/** The line the transcript and the dashboard get when a run left processes behind. */
export function leftoverLine(processes: readonly LeftoverProcess[]): string {
  const shown = processes.map((p) => {
    const how = p.stuck ? ", would not end" : p.signal === "SIGKILL" ? ", needed SIGKILL" : "";
    return `${p.name} (pid ${p.pid}${how})`;
  });
  const count = processes.length === 1 ? "1 process" : `${processes.length} processes`;
  return `⚠ The run left ${count} running; ompcord ended ${processes.length === 1 ? "it" : "them"}: ${shown.join(", ")}`;
}
