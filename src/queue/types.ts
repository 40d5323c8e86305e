// The OmpRunner contract of docs/ARCHITECTURE.md, declared here because src/omp/run.ts was not written
// yet when the scheduler was. The shapes are the document's; when src/omp/run.ts lands, this file
// should re-export its types instead (the scheduler only needs them to be structurally the same).

/** The scheduler reads no field of omp's events; it forwards them. The real union lives in src/omp/events.ts. */
export interface OmpEvent {
  readonly type: string;
}

export interface OmpRunRequest {
  /** Raw user text; the runner neutralises it. */
  prompt: string;
  cwd: string;
  /** Resume this conversation when set. */
  ompSessionId?: string;
  /** Per-ompcord-session --session-dir. */
  sessionDir: string;
  /** ompcord session id, passed to the child env. */
  sessionId: string;
  transcriptPath: string;
  /** Redacted, ANSI-free, one readable line. */
  onLine?: (line: OutputLine) => void;
  /** Typed parsed events (session id, usage, tool start). */
  onEvent?: (event: OmpEvent) => void;
}

export interface OutputLine {
  kind: "assistant" | "tool" | "tool_result" | "retry" | "error" | "text" | "info";
  text: string;
}

export type RunOutcome = "success" | "failed" | "timed_out" | "cancelled" | "crashed";

export interface RunResult {
  outcome: RunOutcome;
  exitCode: number | null;
  signal: string | null;
  error: string | undefined;
  ompSessionId: string | undefined;
  finalText: string;
  tokens: number;
  cost: number;
  outputBytes: number;
  lineCount: number;
  transcriptPath: string;
  startedAt: Date;
  endedAt: Date;
}

export interface OmpRun {
  readonly pid: number | undefined;
  readonly done: Promise<RunResult>;
  cancel(): Promise<void>;
}

export interface OmpRunner {
  start(request: OmpRunRequest): OmpRun;
}
