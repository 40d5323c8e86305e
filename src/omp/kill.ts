// Ending an omp process and everything it started, and knowing a process again later. omp's tool
// commands run in their own sessions, so a process-group kill misses them: descendants are found by
// walking `/proc/*/stat` ppid links, remembered before any signal (a child re-parented to init after
// its parent died is no longer findable), and each is killed only if it is still the same process:
// same pid, same start time and, across restarts of the bot, same boot.
import { readdirSync, readFileSync } from "node:fs";

/** A process as `/proc/<pid>/stat` describes it. */
export interface ProcessStat {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, identifies a process across pid reuse. */
  startTime: string;
  state: string;
}

/** Parses `/proc/<pid>/stat`; the command name may hold spaces and parentheses, so split after the last `)`. */
export function parseStat(content: string): ProcessStat | undefined {
  const close = content.lastIndexOf(")");
  if (close === -1) return undefined;
  const pid = Number.parseInt(content.slice(0, content.indexOf("(")).trim(), 10);
  // Fields after the name: state(3) ppid(4) pgrp(5) session(6) … starttime(22).
  const fields = content
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const ppid = Number.parseInt(fields[1] ?? "", 10);
  const startTime = fields[19];
  if (!Number.isFinite(pid) || !Number.isFinite(ppid) || startTime === undefined) return undefined;
  return { pid, ppid, startTime, state: fields[0] ?? "?" };
}

export function readStat(pid: number): ProcessStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Who a process is, durably: a pid is reused, a pid with its start time (clock ticks since boot) is not
 * within one boot, and the boot id tells boots apart (services started at boot can get the same pid
 * and start ticks again after a reboot).
 */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
  bootId: string;
}

let cachedBootId: string | undefined;

/** This boot's id (`/proc/sys/kernel/random/boot_id`); "" where the kernel has none. */
export function currentBootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      cachedBootId = "";
    }
  }
  return cachedBootId;
}

/** The identity of a process that exists now (a zombie too); undefined when there is none. */
export function identify(pid: number): ProcessIdentity | undefined {
  const stat = readStat(pid);
  const bootId = currentBootId();
  if (!stat || bootId === "") return undefined;
  return { pid, startTicks: Number(stat.startTime), bootId };
}

/** True when exactly that process is alive now: same boot, same pid, same start, not a zombie. */
export function isSameProcessAlive(identity: ProcessIdentity): boolean {
  if (identity.bootId === "" || identity.bootId !== currentBootId()) return false;
  return isAlive(identity.pid, String(identity.startTicks));
}

/** Every process on the machine, from /proc (an empty list where /proc does not exist). */
export function listProcesses(): ProcessStat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const stats: ProcessStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** The descendants of `rootPid` in `processes` (children, grandchildren …), root excluded. Pure. */
export function descendantsOf(rootPid: number, processes: readonly ProcessStat[]): ProcessStat[] {
  const children = new Map<number, ProcessStat[]>();
  for (const p of processes) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const found: ProcessStat[] = [];
  const seen = new Set<number>([rootPid]);
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child);
      stack.push(child.pid);
    }
  }
  return found;
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number, startTime?: string): boolean {
  const stat = readStat(pid);
  if (!stat || stat.state === "Z" || stat.state === "X") return false;
  return startTime === undefined || stat.startTime === startTime;
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone, or not ours to signal
  }
}

/** Remembers processes by pid and start time, so a later kill never hits a recycled pid. */
export class ProcessTreeSnapshot {
  readonly #known = new Map<number, string>();

  /** Adds the current descendants of `rootPid` (and the root itself). */
  capture(rootPid: number): void {
    const all = listProcesses();
    const root = all.find((p) => p.pid === rootPid);
    if (root) this.#known.set(root.pid, root.startTime);
    for (const p of descendantsOf(rootPid, all)) this.#known.set(p.pid, p.startTime);
  }

  /** The remembered processes that are still alive (same pid and start time). */
  alive(): number[] {
    return [...this.#known].filter(([pid, start]) => isAlive(pid, start)).map(([pid]) => pid);
  }

  /** SIGKILL every remembered process still alive; returns their pids. */
  killAll(): number[] {
    const pids = this.alive();
    for (const pid of pids) signal(pid, "SIGKILL");
    return pids;
  }

  /** Waits (up to `timeoutMs`) until none of the remembered processes is alive; true when none is. */
  waitAllGone(timeoutMs = 1000): Promise<boolean> {
    return waitUntil(() => this.alive().length === 0, timeoutMs, 10);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `isGone()` is true or `timeoutMs` passed; true when gone. */
export async function waitUntil(isGone: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!isGone()) {
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

export interface KillTreeResult {
  /** The process ended on SIGTERM within the grace period. */
  terminatedGracefully: boolean;
  /** Pids that got SIGKILL (the root and/or descendants). */
  killed: number[];
}

/**
 * Ends `pid` and its whole process tree: SIGTERM, up to `graceMs` for it to exit, then SIGKILL to it
 * and to every descendant seen before or at the kill. Used for processes that are not our children
 * too (runs left over from before a restart); for our own child, pass `exited` so a zombie awaiting
 * reaping counts as gone.
 */
export async function killProcessTree(
  pid: number,
  graceMs: number,
  options: {
    exited?: () => boolean;
    /** The root's recorded start time: when the pid now belongs to another process, nothing is touched. */
    startTicks?: number;
  } = {},
): Promise<KillTreeResult> {
  const rootStart = readStat(pid)?.startTime;
  if (options.startTicks !== undefined && rootStart !== String(options.startTicks)) {
    return { terminatedGracefully: true, killed: [] };
  }
  const snapshot = new ProcessTreeSnapshot();
  snapshot.capture(pid);
  const gone = () => options.exited?.() === true || !isAlive(pid, rootStart);
  if (gone()) {
    // The root is gone already; its tool commands may still run (they were in their own session).
    const killed = snapshot.killAll();
    await snapshot.waitAllGone();
    return { terminatedGracefully: true, killed };
  }
  signal(pid, "SIGTERM");
  const terminatedGracefully = await waitUntil(gone, graceMs);
  if (!gone()) snapshot.capture(pid); // children started during the grace period
  // The root first, so it cannot start anything new, then everything else remembered.
  const killed: number[] = [];
  if (!gone() && signal(pid, "SIGKILL")) killed.push(pid);
  killed.push(...snapshot.killAll().filter((p) => p !== pid));
  // SIGKILL is delivered asynchronously: resolve once the processes are really gone (or zombies).
  await waitUntil(() => gone() && snapshot.alive().every((p) => p === pid), 1000, 10);
  return { terminatedGracefully, killed };
}
