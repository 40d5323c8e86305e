// The free space of the file system that holds the data dir, for `/omp health`: transcripts, the
// database and omp's session files all go there, and a full disk fails runs (src/output/disk-full.ts).

import { statfsSync } from "node:fs";
import type { HealthCheck } from "./checks.js";

/** What `statfs` reports that this check reads. */
export type StatFs = (path: string) => { bavail: number | bigint; bsize: number | bigint };

/** `1.2 GB`, `350 MB`: decimal units, as `df -H` shows them. */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** ✅ with the free space, or ❌ when less than `warnBytes` is left (or it cannot be read). */
export function diskSpaceCheck(dir: string, warnBytes: number, statfs: StatFs = statfsSync): HealthCheck {
  const name = "Disk space";
  let free: number;
  try {
    const stats = statfs(dir);
    // Blocks available to an unprivileged user: root's reserve does not help ompcord.
    free = Number(stats.bavail) * Number(stats.bsize);
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `could not read the free space of ${dir}: ${(error as Error).message}`,
    };
  }
  if (free < warnBytes) {
    return {
      name,
      ok: false,
      detail: `only ${formatBytes(free)} free for ${dir} (warning below ${formatBytes(warnBytes)}): runs fail once it is full. Free some space, or set OMPCORD_RETENTION_DAYS to purge old sessions.`,
    };
  }
  return { name, ok: true, detail: `${formatBytes(free)} free for ${dir}` };
}
