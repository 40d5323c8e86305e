// The start-up message for a configuration that cannot work: what is missing, what is wrong, and
// where each value comes from, for a person setting ompcord up for the first time.

import { ENV_FILE } from "./defaults.js";
import { type ConfigError, describeProblem } from "./errors.js";

/** The way to try ompcord without Discord, for a person whose Discord setup does not work yet. */
export const PLAYGROUND_HINT =
  "To try ompcord without Discord first: npm run playground (the real bot on a local Discord in your browser).";

export interface ConfigHelpOptions {
  /** The local playground is installed here: say how to try ompcord without Discord. */
  playground?: boolean;
}

export function formatConfigHelp(error: ConfigError, options: ConfigHelpOptions = {}): string {
  const missing = error.problems.filter((problem) => problem.received === undefined);
  const invalid = error.problems.filter((problem) => problem.received !== undefined);
  const lines = ["ompcord cannot start: its configuration needs attention.", ""];

  if (missing.length > 0) {
    lines.push("Missing:");
    for (const problem of missing)
      lines.push(`  ${problem.variable}: ${problem.expected}.`, `    → ${problem.fix}`);
    lines.push("");
  }
  if (invalid.length > 0) {
    lines.push("Invalid:");
    for (const problem of invalid) lines.push(`  ${describeProblem(problem)}`, `    → ${problem.fix}`);
    lines.push("");
  }

  lines.push(
    "Where the values come from:",
    "  • Bot token: https://discord.com/developers/applications → your application → Bot → Reset Token.",
    "  • Server, channel and user ids: in Discord, User Settings → Advanced → turn on Developer Mode,",
    "    then right-click the server, channel or user → Copy ID.",
    "  • Every variable is described in .env.example; the environment overrides .env.",
  );
  if (!error.envFileFound) {
    lines.push(
      "",
      `No ${ENV_FILE} file in ${error.cwd}. Start with: cp .env.example ${ENV_FILE}  and fill in the Discord block.`,
    );
  }
  if (options.playground) {
    lines.push("", PLAYGROUND_HINT);
  }
  return lines.join("\n");
}
