// Whether a directory ompcord works in is usable: one test behind the start-up check, `/omp health`
// and the check before each run, so all three say the same thing about the same directory.

import { accessSync, constants, mkdirSync, statSync } from "node:fs";

export type DirectoryProblemKind = "missing" | "not_a_directory" | "not_writable" | "cannot_create";

export interface DirectoryProblem {
  kind: DirectoryProblemKind;
  /** What is wrong, to follow the path in a sentence: "does not exist", "is not writable (permission denied)". */
  reason: string;
}

/** Why `dir` cannot be a directory ompcord writes in, or `undefined` when it can. Never throws. */
export function directoryProblem(dir: string): DirectoryProblem | undefined {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    const code = errorCode(error);
    return code === "ENOENT" || code === "ENOTDIR"
      ? { kind: "missing", reason: "does not exist" }
      : { kind: "not_writable", reason: `cannot be read (${describeCode(code)})` };
  }
  if (!isDirectory) return { kind: "not_a_directory", reason: "is not a directory" };
  try {
    // Writing needs w and x on the directory; access() asks the kernel, so ACLs and read-only mounts count.
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    return { kind: "not_writable", reason: `is not writable (${describeCode(errorCode(error))})` };
  }
  return undefined;
}

/** Creates `dir` (and its parents) when missing, for directories ompcord owns; then checks it. */
export function ensureDirectory(dir: string): DirectoryProblem | undefined {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = errorCode(error);
    // EEXIST: something that is not a directory is in the way; directoryProblem names it.
    if (code !== "EEXIST")
      return { kind: "cannot_create", reason: `cannot be created (${describeCode(code)})` };
  }
  return directoryProblem(dir);
}

/**
 * A working directory that cannot be used any more, for a session's dashboard and `/omp health`:
 * what is wrong and what brings it back.
 */
export function describeUnusableWorkDir(dir: string, problem: DirectoryProblem): string {
  switch (problem.kind) {
    case "missing":
      return `working directory ${dir} is gone: recreate it (mkdir -p ${dir})`;
    case "not_a_directory":
      return `working directory ${dir} is not a directory any more: move what is there away and recreate the directory`;
    default:
      return `working directory ${dir} ${problem.reason}: let the user running ompcord write to it again (chown or chmod)`;
  }
}

/** Whether an existing file can be rewritten (the overlay, the token); a missing one counts as fine. */
export function fileProblem(file: string): string | undefined {
  try {
    accessSync(file, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = errorCode(error);
    return code === "ENOENT" ? undefined : `is not writable (${describeCode(code)})`;
  }
}

const CODE_WORDS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOTDIR: "a parent is not a directory",
  ENOSPC: "no space left on the device",
  ELOOP: "too many symbolic links",
};

function describeCode(code: string): string {
  return CODE_WORDS[code] ?? code;
}

/** A file system error in a few words ("permission denied"), for messages a person reads. */
export function describeFsError(error: unknown): string {
  return describeCode(errorCode(error));
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "code" in error) return String(error.code);
  return error instanceof Error ? error.message : String(error);
}
