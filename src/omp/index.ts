// The OMP runner's public surface: start a run, get its lines and result, know and end its processes.
export { buildOmpArgs, extensionArgs, overlayYaml, type SessionContinuation } from "./args.js";
export { buildChildEnv, pathWithBinDir } from "./env.js";
export type { OmpEvent, OmpMessage, OmpUsage } from "./events.js";
export { parseEventLine, toEvent } from "./events.js";
export {
  buildExtensionBundle,
  EXTENSION_BUNDLE,
  ExtensionBundleError,
  ensureExtensionBundle,
} from "./extension.js";
export {
  currentBootId,
  identify,
  isAlive,
  isSameProcessAlive,
  type KillTreeResult,
  killProcessTree,
  type ProcessIdentity,
  waitUntil,
} from "./kill.js";
export { LineRenderer, type OutputLine } from "./lines.js";
export { neutralisePrompt } from "./neutralise.js";
export type { RunOutcome } from "./outcome.js";
export {
  chooseContinuation,
  createOmpRunner,
  type OmpRun,
  type OmpRunner,
  type OmpRunRequest,
  type RunCredentials,
  type RunnerOptions,
  type RunProcessRole,
  type RunResult,
  type UsageWait,
} from "./run.js";
export {
  chooseSandbox,
  describeSandbox,
  type SandboxChoice,
  type SandboxStatus,
  UNSANDBOXED_EXPOSURE,
  UNSANDBOXED_EXPOSURE_SHORT,
} from "./sandbox.js";
export {
  installHint,
  type PreparedSandbox,
  type Sandbox,
  SandboxError,
  type SandboxHostOptions,
  type SandboxUnavailable,
  trySandbox,
} from "./sandbox-host.js";
export { findBun, type LeftoverProcess, SUPERVISOR_SCRIPT, SUPERVISOR_SLACK_MS } from "./supervise.js";
