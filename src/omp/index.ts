// The OMP runner's public surface: start a run, get its lines and result, kill leftover processes.
export { buildOmpArgs, overlayYaml, type SessionContinuation } from "./args.js";
export { buildChildEnv, pathWithBinDir } from "./env.js";
export type { OmpEvent, OmpMessage, OmpUsage } from "./events.js";
export { parseEventLine } from "./events.js";
export { isAlive, type KillTreeResult, killProcessTree } from "./kill.js";
export { LineRenderer, type OutputLine } from "./lines.js";
export { neutralisePrompt } from "./neutralise.js";
export type { RunOutcome } from "./outcome.js";
export {
  chooseContinuation,
  createOmpRunner,
  type OmpRun,
  type OmpRunner,
  type OmpRunRequest,
  type RunnerOptions,
  type RunResult,
} from "./run.js";
