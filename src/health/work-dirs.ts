// The working directories runs use, checked the same way by /omp health and before every run: each must
// exist and be writable. What ompcord owns it may repair; what a person named it never creates.

import { dirname } from "node:path";
import { type Config, describeUnusableWorkDir, directoryProblem, ensureDirectory } from "../config/index.js";
import type { Logger } from "../log.js";

/** Every working directory runs may use: the default, the per-channel and the project ones, each once. */
export function workDirsOf(config: Config): string[] {
  return [
    ...new Set([
      config.omp.workDir,
      ...Object.values(config.omp.channelWorkDirs),
      ...config.omp.projects.map((project) => project.dir),
    ]),
  ];
}

/**
 * Why a run cannot start in `dir`, in words for the session's dashboard; undefined when it can. A
 * session's own directory under the workspace root is ompcord's: made before its first run (and again
 * when it went missing), as is the default workspace root; a directory the person named is never
 * created for them.
 */
export function workDirBeforeRun(config: Config, dir: string, logger: Logger): string | undefined {
  const root = config.omp.workDir;
  const rootOwned = !config.configured.includes("OMP_WORKDIR");
  let subject = dir;
  let problem = directoryProblem(dir);
  if (problem?.kind === "missing" && dir === root && rootOwned) {
    logger.warn({ workDir: dir }, "the default workspace was gone: created it again");
    problem = ensureDirectory(dir);
  } else if (problem?.kind === "missing" && dirname(dir) === root) {
    const rootProblem = rootOwned ? ensureDirectory(root) : directoryProblem(root);
    if (rootProblem) {
      subject = root;
      problem = rootProblem;
    } else {
      problem = ensureDirectory(dir);
    }
  }
  return problem && `${describeUnusableWorkDir(subject, problem)}, then send the prompt again with /omp say.`;
}
