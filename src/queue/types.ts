// The runner contract the scheduler drives, as src/omp/run.ts defines it (docs/ARCHITECTURE.md).
// Re-exported here so the queue and its tests name one place.

export type {
  OmpEvent,
  OmpRun,
  OmpRunner,
  OmpRunRequest,
  OutputLine,
  RunOutcome,
  RunResult,
  UsageWait,
} from "../omp/run.js";
