// A session's own files in the data dir: its transcripts, its omp session dir (the raw conversation) and
// its sandbox home, each `<root>/<session id>`. Deleting them is path-checked: the name must be a
// session id, the directory a real directory (not a link) right under its root, and the root inside the
// data dir, so a crafted row or a planted symlink cannot make the bot delete anything else.

import { lstatSync, realpathSync, rmSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";

/** What `newId` makes (src/store/ids.ts), and older ids' UUID shape: letters, digits, dashes. */
const SESSION_ID = /^[0-9a-z][0-9a-z-]{0,63}$/;

export interface SessionFileRoots {
  /** The data dir: every root must be inside it. */
  dataDir: string;
  /** The directories holding one subdirectory per session (transcripts, omp sessions, sandbox homes). */
  roots: readonly string[];
}

export interface RemovedFiles {
  /** Directories deleted. */
  removed: string[];
  /** Directories left alone, each with the reason (a person or the log reads it). */
  refused: { path: string; reason: string }[];
}

/** Whether `child` is `parent` or inside it, both already resolved. */
function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Deletes `<root>/<sessionId>` under each root, refusing anything the checks above do not let through.
 * A directory that does not exist is neither removed nor refused.
 */
export function removeSessionFiles(sessionId: string, where: SessionFileRoots): RemovedFiles {
  const result: RemovedFiles = { removed: [], refused: [] };
  const dataDir = realOrUndefined(where.dataDir);
  for (const root of where.roots) {
    const target = join(root, sessionId);
    if (!SESSION_ID.test(sessionId)) {
      result.refused.push({ path: target, reason: `\`${sessionId}\` is not a session id` });
      continue;
    }
    const realRoot = realOrUndefined(root);
    if (realRoot === undefined) continue; // no such root yet: nothing of the session in it
    if (dataDir === undefined || !isInside(dataDir, realRoot) || realRoot === dataDir) {
      result.refused.push({ path: target, reason: `${root} is not inside the data dir ${where.dataDir}` });
      continue;
    }
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(target);
    } catch {
      continue; // nothing to delete
    }
    if (stat.isSymbolicLink() || !stat.isDirectory()) {
      result.refused.push({
        path: target,
        reason: `${target} is ${stat.isSymbolicLink() ? "a symbolic link" : "not a directory"}, not a session's own directory`,
      });
      continue;
    }
    // rmSync removes links inside without following them: nothing outside `target` is touched.
    rmSync(target, { recursive: true, force: true, maxRetries: 3 });
    result.removed.push(target);
  }
  return result;
}
