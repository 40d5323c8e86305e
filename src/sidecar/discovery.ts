// `<data dir>/sidecar.json`: where the bot's own tools (the omp extension, scripts) find the sidecar API
// when its port is not fixed. Runs get OMPCORD_API_URL in their environment; this file is for the rest.

import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

export interface SidecarDiscovery {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The bot process that listens there; a reader can check it is still alive. */
  pid: number;
}

/**
 * Writes the file atomically (a reader never sees half of it), readable only by the bot's user: it
 * names no secret, but says where a token-protected API listens.
 */
export function writeSidecarDiscovery(path: string, info: SidecarDiscovery): void {
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, path);
}

/** Removes the file if it still describes `pid` (another bot on the same data dir may have replaced it). */
export function removeSidecarDiscovery(path: string, pid: number): void {
  try {
    const current = JSON.parse(readFileSync(path, "utf8")) as Partial<SidecarDiscovery>;
    if (current.pid === pid) rmSync(path, { force: true });
  } catch {
    // gone or unreadable: nothing of ours to remove
  }
}
