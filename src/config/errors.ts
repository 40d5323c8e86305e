// The typed error a bad configuration raises: every problem at once, each saying what to change.

/**
 * The exit status of a start-up a person must fix first (sysexits' EX_CONFIG): a setting, or a token or
 * intent Discord refuses. Restarting cannot help, so the systemd unit's RestartPreventExitStatus=78
 * keeps it from spending the restart budget; every other failure exits 1 and is retried.
 */
export const EXIT_CONFIG = 78;

export type ConfigSource = "environment" | ".env" | "config/ompcord.json";

export interface ConfigProblem {
  /** The variable (or file) at fault, e.g. `OMP_MAX_CONCURRENT_RUNS`. */
  variable: string;
  /** What a valid value looks like, e.g. "a whole number from 1 to 64". */
  expected: string;
  /** The value that came, `(set, hidden)` for secrets, `undefined` when nothing was set. */
  received: string | undefined;
  /** What to do about it, in one sentence. */
  fix: string;
  /** Where the bad value came from, when it came from somewhere. */
  source?: ConfigSource;
}

/** `OMP_MAX_CONCURRENT_RUNS: expected a whole number from 1 to 64, got `0`.` */
export function describeProblem(problem: ConfigProblem): string {
  const where = problem.source && problem.source !== "environment" ? ` (from ${problem.source})` : "";
  const got = problem.received === undefined ? "but it is not set" : `got \`${problem.received}\``;
  return `${problem.variable}${where}: expected ${problem.expected}, ${got}.`;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: ConfigProblem[];
  /** The directory the configuration was read from (where `.env` is looked for). */
  readonly cwd: string;
  /** Whether a `.env` file was found there; when not, the first fix is usually to create one. */
  readonly envFileFound: boolean;

  /**
   * `context` says where the settings were read from; problems found after reading them (a directory,
   * a port) leave it out, and the help then does not suggest creating a `.env`.
   */
  constructor(
    problems: ConfigProblem[],
    context: { cwd: string; envFileFound: boolean } = { cwd: process.cwd(), envFileFound: true },
  ) {
    const count = problems.length === 1 ? "1 setting needs" : `${problems.length} settings need`;
    const lines = problems.map((problem) => `  - ${describeProblem(problem)}\n    Fix: ${problem.fix}`);
    super(`ompcord's configuration is not valid: ${count} attention.\n${lines.join("\n")}`);
    this.problems = problems;
    this.cwd = context.cwd;
    this.envFileFound = context.envFileFound;
  }
}
