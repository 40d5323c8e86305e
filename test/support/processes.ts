// Finding the processes a test started, among everything else on a shared machine. Other suites (CI
// jobs, a second clone, a developer's own run) start the same tools at the same time, so a command line
// a test looks for carries a tag no other test process uses.

import { randomInt } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** An absolute path: omp's embedded shell runs a bare `sleep` in-process, without a process to find. */
export const SLEEP = ["/usr/bin/sleep", "/bin/sleep"].find((path) => existsSync(path)) ?? "/bin/sleep";

/** Unique to this test process: a fraction of a second that makes a `sleep` command line ours alone. */
const TAG = String(randomInt(100_000, 1_000_000));

/** `seconds` as a `sleep` argument no other test process on the machine uses (`317` → `317.482913`). */
export function taggedSeconds(seconds: number): string {
  return `${seconds}.${TAG}`;
}

/** Live (non-zombie) processes whose command line, arguments joined by spaces, contains `needle`. */
export function processesMatching(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (state !== "Z" && cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
