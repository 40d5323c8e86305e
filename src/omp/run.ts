// The OMP runner: one `omp -p --mode json` process per prompt, under the run supervisor (a subreaper
// that ends whatever omp leaves running), its output parsed, redacted, handed to the caller line by
// line and appended to a transcript, with a time limit, cancel (SIGTERM, then SIGKILL) and an outcome
// judged from events and exit code together.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { execa } from "execa";
import { type Clock, systemClock } from "../clock.js";
import { DEFAULTS as CONFIG_DEFAULTS } from "../config/defaults.js";
import type { ApprovalPolicy } from "../config/types.js";
import { diskFullMessage, isDiskFull } from "../output/disk-full.js";
import { createRedactor, REDACT_OVERLAP_CHARS, REDACT_SLICE_CHARS, type Redactor } from "../output/redact.js";
import { type TranscriptOptions, TranscriptWriter } from "../output/transcript.js";
import { buildOmpArgs, overlayYaml, type SessionContinuation } from "./args.js";
import { buildChildEnv, pathWithBinDir } from "./env.js";
import { type OmpEvent, parseEventLine, truncatedEvent } from "./events.js";
import { identify, isSameProcessAlive, killProcessTree, type ProcessIdentity, waitUntil } from "./kill.js";
import { LineSplitter } from "./line-splitter.js";
import { dropCutWord, dropCutWordAtStart, LineRenderer, type OutputLine } from "./lines.js";
import { neutralisePrompt } from "./neutralise.js";
import { classifyRun, type RunOutcome, RunTally } from "./outcome.js";
import { projectPluginProblem } from "./project-plugins.js";
import { RunDeadline } from "./run-deadline.js";
import type { PreparedSandbox, Sandbox } from "./sandbox-host.js";
import {
  findBun,
  type LeftoverProcess,
  leftoverLine,
  parseSupervisorReport,
  SUPERVISOR_REPORT_FD,
  SUPERVISOR_SLACK_MS,
  type SupervisorReport,
  supervisorArgs,
} from "./supervise.js";
import { endsUsageWait, type UsageWait, usageWaitOf, usageWaitRefusal } from "./usage-wait.js";

export type { OmpEvent } from "./events.js";
export type { ProcessIdentity } from "./kill.js";
export type { OutputLine } from "./lines.js";
export type { RunOutcome } from "./outcome.js";
export type { LeftoverProcess } from "./supervise.js";
export type { UsageWait } from "./usage-wait.js";

/** The processes of a run worth remembering: the supervisor (the run's root) and omp under it. */
export type RunProcessRole = "supervisor" | "omp";

export interface OmpRunRequest {
  /** Raw user text; the runner neutralises it. */
  prompt: string;
  cwd: string;
  /** Resume this conversation when set (and saved in `sessionDir`); otherwise continue the newest. */
  ompSessionId?: string | undefined;
  /** Per-ompcord-session `--session-dir`. */
  sessionDir: string;
  /** `--model` for this run (the session's choice); the runner's `model` when undefined. */
  model?: string | undefined;
  /** ompcord session id, passed to the child env. */
  sessionId: string;
  /** The run's id (the store's), passed to the child env and named in its sidecar token; a fresh one when absent. */
  runId?: string | undefined;
  transcriptPath: string;
  /** Redacted, ANSI-free, one readable line. */
  onLine?: (line: OutputLine) => void;
  /** Typed parsed events (session id, usage, tool start). Not redacted: use lines for display. */
  onEvent?: (event: OmpEvent) => void;
  /**
   * Each process of the run as it starts, with its identity (store it: after a restart, only a process
   * whose whole identity matches may be killed). The supervisor's comes during `start`, omp's soon after.
   */
  onProcess?: (role: RunProcessRole, identity: ProcessIdentity) => void;
  /**
   * The run started sleeping until a provider's usage limit resets (its time limit paused meanwhile),
   * or, with undefined, it is working again.
   */
  onUsageWait?: (wait: UsageWait | undefined) => void;
}

export interface RunResult {
  outcome: RunOutcome;
  exitCode: number | null;
  signal: string | null;
  /** What went wrong, for a person (undefined on success and cancel). */
  error: string | undefined;
  ompSessionId: string | undefined;
  /** The last assistant message's text, redacted. */
  finalText: string;
  tokens: number;
  cost: number;
  /** Bytes omp wrote to stdout. */
  outputBytes: number;
  /** Readable lines produced (all of them are in the transcript). */
  lineCount: number;
  transcriptPath: string;
  startedAt: Date;
  endedAt: Date;
  /** Processes still running when omp exited, which the supervisor had to end (the transcript says so too). */
  leftovers: LeftoverProcess[];
}

export interface OmpRun {
  /** The run's root process: the supervisor omp runs under (signalling it ends the run). */
  readonly pid: number | undefined;
  readonly done: Promise<RunResult>;
  /**
   * SIGTERM to omp, `killGraceMs` to exit, then SIGKILL; then the same for every process left.
   * Resolves when it is over.
   */
  cancel(): Promise<void>;
  /**
   * Stops the run's time limit while it waits for something that is not its work (a person, a usage
   * limit); pauses nest, and the count goes on after the last `resumeClock`.
   */
  pauseClock(reason: string): void;
  /** Undoes one `pauseClock`; one too many is ignored. */
  resumeClock(): void;
}

export interface OmpRunner {
  start(request: OmpRunRequest): OmpRun;
}

/**
 * Issues each run its own sidecar token (the sidecar's `RunTokens`): valid for the run's session only,
 * revoked once the run has ended, with the steering texts its stdout showed arriving.
 */
export interface RunCredentials {
  issue(run: { sessionId: string; runId: string }): {
    readonly token: string;
    revoke(ended?: { seenSteering?: readonly string[] }): void;
  };
}

export interface RunnerOptions {
  /** The omp executable (path or name on PATH). */
  bin: string;
  /** `--model`; omp's default when undefined. */
  model?: string | undefined;
  extraArgs?: readonly string[];
  /**
   * Time limit per run: the time it works, kept by the runner (paused while it waits). omp gets it as
   * `--max-time` plus the longest allowed waits, a backstop (see `backstopMs`).
   */
  runTimeoutMs: number;
  /** The longest a run may wait for a person (an approval, a question); counted into the backstop. */
  personWaitMaxMs?: number;
  /**
   * The longest a run may wait for a provider's usage limit to reset; a later reset fails the run at
   * once, and 0 waits for none (default: the config's).
   */
  usageWaitMaxMs?: number;
  /** The time source of the run's time limit (default: the system's). */
  clock?: Clock;
  /** Time between SIGTERM and SIGKILL on cancel and timeout (default: the config's, 2 s). */
  killGraceMs?: number;
  /** Session-level retries after provider errors (default: the config's, 2). */
  maxRetries?: number;
  /** Extra environment variable names the child may see. */
  envPassthrough?: readonly string[];
  /**
   * The approval policy of a session's runs (`OMPCORD_RUN_APPROVALS` for the extension's gate); without
   * it the extension asks for nothing.
   */
  approvalPolicyFor?: ((sessionId: string) => ApprovalPolicy) | undefined;
  /** How long the extension's gate may wait for a person (omp's handler limit is set above it). */
  approvalTimeoutMs?: number | undefined;
  /** Sidecar API URL for the child (OMPCORD_API_URL). */
  apiUrl?: string | undefined;
  /** Each run's own sidecar token (OMPCORD_RUN_TOKEN); without it the extension has no sidecar. */
  credentials?: RunCredentials | undefined;
  /**
   * The ompcord OMP extension's bundle (absolute path), loaded with `--trusted-extension`: the run's
   * only extension. Without it, runs load none (`--no-extensions`), never what discovery finds.
   */
  extensionPath?: string | undefined;
  /** Exact secret values to redact (bot token, API token …). Run tokens are masked by their shape. */
  secrets?: readonly string[];
  /** Bytes of stderr and final answer kept in memory (default: the config's, 256 KiB). */
  outputKeptBytes?: number;
  /** Longest stdout line kept; longer lines are cut (default 1 MiB). */
  maxLineBytes?: number;
  /**
   * Where the settings overlay of untrusted workspaces is written (default: a file in the OS temp dir);
   * the one of trusted workspaces goes next to it (`-trusted` before the extension).
   */
  overlayPath?: string;
  /**
   * The empty directory omp (and its supervisor) is started from, never the workspace: Bun would run
   * the workspace's `bunfig.toml` preloads and load its `.env` as it starts (default: one in the OS temp
   * dir). Emptied when the runner is created.
   */
  launchDir?: string;
  /** Each run inside this sandbox; undefined runs omp without one (see `trySandbox`). */
  sandbox?: Sandbox | undefined;
  /** Working directories whose repository may run its own code in omp (OMPCORD_TRUSTED_WORKDIRS). */
  trustedWorkDirs?: readonly string[];
  /** The parent environment the child's is built from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Extra running time after `runTimeoutMs` before the runner stops omp itself (default 5000). omp counts
   * its `--max-time` from a point in its own start-up, which takes seconds on a busy machine, so when no
   * waits are allowed (the backstop is the limit itself) either deadline may fire first; both end the
   * run as timed_out.
   */
  timeoutSlackMs?: number;
  /** Opens each run's transcript (default: a file stream); tests hand in one that fails like a full disk. */
  openTranscript?: TranscriptOptions["open"];
  /** Told when a run's transcript or omp's own files could not be written for lack of space. */
  onDiskFull?: (what: string, error: unknown, run: { sessionId: string; runId: string }) => void;
}

// The settings a person can set take their defaults from the config's, so a runner built without them
// behaves as the bot does.
const DEFAULTS: {
  killGraceMs: number;
  maxRetries: number;
  outputKeptBytes: number;
  maxLineBytes: number;
  timeoutSlackMs: number;
  personWaitMaxMs: number;
  usageWaitMaxMs: number;
  clock: Clock;
} = {
  killGraceMs: CONFIG_DEFAULTS.killGraceMs,
  maxRetries: CONFIG_DEFAULTS.maxRetries,
  personWaitMaxMs: 0,
  usageWaitMaxMs: CONFIG_DEFAULTS.usageWaitMaxMs,
  clock: systemClock,
  outputKeptBytes: CONFIG_DEFAULTS.outputKeptBytes,
  maxLineBytes: 1024 * 1024,
  timeoutSlackMs: 5000,
};

function validateOptions(options: RunnerOptions): void {
  if (typeof options.bin !== "string" || options.bin.length === 0) {
    throw new TypeError(
      `Expected \`bin\` to be the omp executable's path or name, got \`${String(options.bin)}\``,
    );
  }
  for (const name of [
    "runTimeoutMs",
    "killGraceMs",
    "outputKeptBytes",
    "maxLineBytes",
    "timeoutSlackMs",
    "personWaitMaxMs",
    "usageWaitMaxMs",
  ] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new TypeError(`Expected \`${name}\` to be a number from 0 and up, got \`${String(value)}\``);
    }
  }
  if (
    options.extensionPath !== undefined &&
    (!isAbsolute(options.extensionPath) || !existsSync(options.extensionPath))
  ) {
    throw new TypeError(
      `Expected \`extensionPath\` to be the absolute path of the built OMP extension, got \`${options.extensionPath}\`. Run \`npm run build:extension\`.`,
    );
  }
  if (!(options.runTimeoutMs > 0)) {
    throw new TypeError(
      `Expected \`runTimeoutMs\` to be more than 0, got \`${String(options.runTimeoutMs)}\``,
    );
  }
}

/**
 * omp's `--max-time`: the run's limit plus the longest waits it may make (a person's answer, a usage
 * limit's reset, which needs retries on), so omp's own deadline is only the backstop behind the
 * runner's pausable one.
 */
export function backstopMs(
  settings: Pick<RunnerOptions, "runTimeoutMs" | "personWaitMaxMs" | "usageWaitMaxMs" | "maxRetries">,
): number {
  const usageWait = (settings.maxRetries ?? DEFAULTS.maxRetries) > 0 ? (settings.usageWaitMaxMs ?? 0) : 0;
  return settings.runTimeoutMs + (settings.personWaitMaxMs ?? 0) + usageWait;
}

/** `--resume <id>` when that conversation is saved in the session dir, else `--continue`. */
export function chooseContinuation(
  sessionDir: string,
  ompSessionId: string | undefined,
): SessionContinuation {
  if (!ompSessionId) return { kind: "continue" };
  let files: string[] = [];
  try {
    files = readdirSync(sessionDir);
  } catch {
    // no directory yet: nothing to resume
  }
  // omp names session files `<timestamp>_<id>.jsonl`; a run that died before saving has no file,
  // and `--resume` would then fail with "Session not found".
  return files.some((f) => f.includes(ompSessionId))
    ? { kind: "resume", ompSessionId }
    : { kind: "continue" };
}

/** Keeps the last `max` bytes of a stream (stderr), for error messages. */
class TailBuffer {
  #chunks: Buffer[] = [];
  #length = 0;
  constructor(readonly max: number) {}
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    while (this.#length - (this.#chunks[0]?.length ?? 0) >= this.max && this.#chunks.length > 1) {
      this.#length -= this.#chunks.shift()!.length;
    }
  }
  toString(): string {
    const all = Buffer.concat(this.#chunks);
    if (all.length <= this.max) return all.toString("utf8");
    // Cut before redaction: a secret's tail without its head would no longer look like one.
    return dropCutWordAtStart(all.subarray(all.length - this.max).toString("utf8"));
  }
}

export function createOmpRunner(options: RunnerOptions): OmpRunner {
  validateOptions(options);
  const settings: Settings = { ...DEFAULTS, ...(stripUndefined(options) as RunnerOptions) };
  const parentEnv = options.env ?? process.env;
  const secrets = [...(options.secrets ?? [])];
  // setImmediate, not a zero timeout: a long line's slices follow each other without the timer clamp.
  const redactor: Redactor = createRedactor({ secrets, yieldControl: () => nextTurn() });

  // Two overlays per runner: bounded retries, magic keywords off, no probing of local model ports, and
  // for an untrusted workspace nothing of it that runs code in omp.
  const overlayPath = options.overlayPath ?? join(tmpdir(), `ompcord-omp-overlay-${process.pid}.yml`);
  const trustedOverlayPath = overlayPath.replace(/(\.[^./]*)?$/, (ext) => `-trusted${ext}`);
  mkdirSync(dirname(overlayPath), { recursive: true });
  const waitForUsageReset = settings.usageWaitMaxMs > 0;
  const approvalTimeoutMs = settings.approvalTimeoutMs;
  writeFileSync(
    overlayPath,
    overlayYaml({ maxRetries: settings.maxRetries, waitForUsageReset, approvalTimeoutMs }),
  );
  writeFileSync(
    trustedOverlayPath,
    overlayYaml({
      maxRetries: settings.maxRetries,
      waitForUsageReset,
      projectTrusted: true,
      approvalTimeoutMs,
    }),
  );
  const launchDir = options.launchDir ?? join(tmpdir(), `ompcord-launch-${process.pid}`);
  emptyDirectory(launchDir);

  // omp is a `#!/usr/bin/env bun` script: when it is given by path, its directory (node_modules/.bin,
  // where `bun` lives too) goes on the child's PATH. The supervisor runs on that same Bun.
  const binDir = isAbsolute(options.bin) ? dirname(options.bin) : undefined;
  const bun = findBun(binDir, parentEnv.PATH);

  return {
    start(request) {
      return startRun(request, settings, {
        parentEnv,
        redactor,
        overlayPath,
        trustedOverlayPath,
        launchDir,
        binDir,
        bun,
      });
    },
  };
}

/** Makes `dir` and empties it, keeping the directory itself (another runner's runs may start there). */
function emptyDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Settings = RunnerOptions & typeof DEFAULTS;

interface RunContext {
  parentEnv: NodeJS.ProcessEnv;
  redactor: Redactor;
  overlayPath: string;
  trustedOverlayPath: string;
  launchDir: string;
  binDir: string | undefined;
  /** The Bun executable for the supervisor; undefined when none was found (every run then fails, saying so). */
  bun: string | undefined;
}

function startRun(request: OmpRunRequest, settings: Settings, context: RunContext): OmpRun {
  const startedAt = new Date();
  mkdirSync(request.sessionDir, { recursive: true });
  const projectTrusted = (settings.trustedWorkDirs ?? []).includes(request.cwd);
  const overlayPath = projectTrusted ? context.trustedOverlayPath : context.overlayPath;
  const invocation = buildOmpArgs({
    model: request.model ?? settings.model,
    extraArgs: settings.extraArgs,
    maxTimeMs: backstopMs(settings),
    configOverlayPath: overlayPath,
    sessionDir: request.sessionDir,
    continuation: chooseContinuation(request.sessionDir, request.ompSessionId),
    cwd: request.cwd,
    projectTrusted,
    extensionPath: settings.extensionPath,
    text: neutralisePrompt(request.prompt),
  });
  if (!projectTrusted) {
    // Throws before anything is made: omp would import the workspace's plugins as it starts.
    const problem = projectPluginProblem(request.cwd, {
      // omp (Bun's `os.homedir()`) falls back on the account's home when HOME is unset.
      home: context.parentEnv.HOME ?? userInfo().homedir,
      configDir: context.parentEnv.PI_CONFIG_DIR,
      workspaceOnly: settings.sandbox !== undefined,
    });
    if (problem !== undefined) throw new Error(problem);
  }
  // Throws (the run does not start, the caller reports why) when the directories cannot be fenced off.
  const sandbox: PreparedSandbox | undefined = settings.sandbox?.prepare({
    sessionId: request.sessionId,
    workDir: request.cwd,
    sessionDir: request.sessionDir,
    // Read-only inside: the settings overlay and the extension omp loads.
    files: [overlayPath, ...(settings.extensionPath ? [settings.extensionPath] : [])],
  });
  const runId = request.runId ?? randomUUID();
  // The run's own token; revoked once omp has exited and its output is read (see `done`).
  const grant = settings.credentials?.issue({ sessionId: request.sessionId, runId });
  const env = buildChildEnv(context.parentEnv, {
    passthrough: settings.envPassthrough,
    sessionId: request.sessionId,
    apiUrl: settings.apiUrl,
    runToken: grant?.token,
    runId,
    approvalPolicy: settings.approvalPolicyFor?.(request.sessionId),
  });
  if (context.binDir) env.PATH = pathWithBinDir(env.PATH, context.binDir);
  /** Steering texts omp showed arriving (user messages marked `steering`), for the token's revocation. */
  const seenSteering: string[] = [];

  const transcript = new TranscriptWriter(
    request.transcriptPath,
    settings.openTranscript ? { open: settings.openTranscript } : {},
  );
  const lineRedactor = context.redactor.lines();
  const renderer = new LineRenderer();
  // The answer is kept with context past its cut, so a secret across the cut is masked (see finalText).
  const tally = new RunTally({ maxFinalChars: settings.outputKeptBytes + REDACT_OVERLAP_CHARS });
  const splitter = new LineSplitter({ maxLineBytes: settings.maxLineBytes });
  const stderrTail = new TailBuffer(settings.outputKeptBytes);
  let outputBytes = 0;
  let lineCount = 0;
  let cancelled = false;
  let timedOut = false;
  /** Why the runner ended the run instead of letting it wait for a usage limit's late reset. */
  let usageWaitRefused: string | undefined;
  let usageWait: UsageWait | undefined;
  let exited = false;
  let supervisorExited = false;
  let stopping: Promise<void> | undefined;
  let omp: ProcessIdentity | undefined;
  const reports: SupervisorReport[] = [];

  // omp runs under the supervisor, which inherits these stdio and passes them on, all but fd 3. Both
  // start in the empty launch directory; omp works in the workspace through `--cwd`.
  const subprocess = execa(
    context.bun ?? "bun",
    supervisorArgs({
      graceMs: settings.killGraceMs,
      parentPid: process.pid,
      sandboxed: sandbox !== undefined,
      command: [...(sandbox?.command ?? []), settings.bin, ...invocation.args],
    }),
    {
      cwd: context.launchDir,
      env,
      extendEnv: false,
      // The prompt is always on stdin, never in argv (see buildOmpArgs): execa writes it and closes the
      // pipe, and omp starts once it reads EOF. fd 3 carries the supervisor's reports.
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      input: invocation.stdinText,
      buffer: false,
      reject: false,
      // Our own cancel goes through the supervisor; execa's cleanup still ends the run if we exit, and
      // the supervisor ends it when we die (its parent-death signal).
      cleanup: true,
      encoding: "buffer",
    },
  );
  const pid = subprocess.pid;
  const supervisorExit = new Promise<void>((resolve) => {
    subprocess.once("exit", () => {
      supervisorExited = true;
      resolve();
    });
    subprocess.once("error", () => resolve());
  });
  const notifyProcess = (role: RunProcessRole, identity: ProcessIdentity | undefined) => {
    if (!identity) return;
    try {
      request.onProcess?.(role, identity);
    } catch {
      // same as onLine
    }
  };
  // Our child cannot be reaped before this tick ends: its /proc entry is there to read.
  if (pid !== undefined) notifyProcess("supervisor", identify(pid));

  /** Hands one redacted line on; returns the transcript's wait when the disk is behind. */
  const deliver = (kind: OutputLine["kind"], text: string): Promise<void> | undefined => {
    lineCount++;
    try {
      request.onLine?.({ kind, text });
    } catch {
      // a failing consumer must not break the run or lose the transcript
    }
    return transcript.writeLine(text);
  };

  const emit = (lines: OutputLine[]): Promise<void> | undefined => {
    let wait: Promise<void> | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      // A long line (up to maxLineBytes) is redacted in slices, the event loop free in between.
      if (line.text.length > REDACT_SLICE_CHARS) return emitInSlices(lines.slice(i), wait);
      const text = lineRedactor.line(line.text, line);
      // (A piece that goes on can come out empty: the redactor holds its end back for the next.)
      if (text !== "" || !line.continues) wait = deliver(line.kind, text) ?? wait;
    }
    return wait;
  };
  const emitInSlices = async (lines: OutputLine[], earlier: Promise<void> | undefined): Promise<void> => {
    await earlier;
    for (const line of lines) {
      const text = await lineRedactor.lineAsync(line.text, line);
      if (text !== "" || !line.continues) await deliver(line.kind, text);
    }
  };

  const notifyUsageWait = (wait: UsageWait | undefined) => {
    try {
      request.onUsageWait?.(wait);
    } catch {
      // same as onLine
    }
  };
  /** omp sleeping until a usage limit resets does not use the run's time; one resetting too late ends it. */
  const followUsageWait = (event: OmpEvent) => {
    if (usageWait && endsUsageWait(event)) {
      usageWait = undefined;
      deadline.resume();
      notifyUsageWait(undefined);
    }
    const wait = usageWaitOf(event, settings.clock.now());
    if (!wait || usageWait || stopping) return;
    if (wait.delayMs > settings.usageWaitMaxMs) {
      usageWaitRefused = usageWaitRefusal(wait, settings.usageWaitMaxMs);
      void stop();
      return;
    }
    usageWait = wait;
    deadline.pause("usage limit");
    notifyUsageWait(wait);
  };

  const handleLine = (text: string, truncated: boolean): Promise<void> | undefined => {
    const event = truncated ? truncatedEvent(text) : parseEventLine(text);
    if (!event) {
      return emit(renderer.text(truncated ? `${dropCutWord(text)} … [line cut]` : text));
    }
    tally.push(event);
    followUsageWait(event);
    if (event.type === "message_start" && event.message.role === "user" && event.message.steering) {
      seenSteering.push(event.message.text);
    }
    try {
      request.onEvent?.(event);
    } catch {
      // same as onLine
    }
    return emit(renderer.push(event));
  };

  const readStdout = async () => {
    if (!subprocess.stdout) return;
    for await (const chunk of subprocess.stdout as AsyncIterable<Buffer>) {
      outputBytes += chunk.length;
      for (const line of splitter.push(chunk)) {
        const wait = handleLine(line.text, line.truncated);
        if (wait) await wait; // disk slower than omp: stop reading, omp's pipe fills, omp waits
      }
    }
    const last = splitter.end();
    if (last) await handleLine(last.text, last.truncated);
  };
  const readStderr = async () => {
    if (!subprocess.stderr) return;
    for await (const chunk of subprocess.stderr as AsyncIterable<Buffer>) stderrTail.push(chunk);
  };
  const onReport = (line: string) => {
    const report = parseSupervisorReport(line);
    if (!report) return;
    reports.push(report);
    if (report.type === "started" && omp === undefined) {
      omp = { pid: report.pid, startTicks: report.startTicks, bootId: report.bootId };
      notifyProcess("omp", omp);
    }
  };
  const readReports = async () => {
    const stream = subprocess.stdio[SUPERVISOR_REPORT_FD];
    if (!stream) return;
    const reportLines = new LineSplitter();
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const line of reportLines.push(chunk)) onReport(line.text);
    }
    const last = reportLines.end();
    if (last) onReport(last.text);
  };
  const reportsRead = readReports().catch(() => {});
  // The supervisor died without its exit report (killed by someone else, or a bug): omp may live on,
  // orphaned and holding our stdout; end it and its tree the old way, by its recorded identity.
  void supervisorExit.then(async () => {
    await reportsRead;
    if (reports.some((r) => r.type === "exit") || !omp || !isSameProcessAlive(omp)) return;
    await killProcessTree(omp.pid, settings.killGraceMs, { startTicks: omp.startTicks });
  });

  const stop = (): Promise<void> => {
    if (!stopping) {
      stopping = (async () => {
        if (pid === undefined || supervisorExited) return;
        // The supervisor forwards SIGTERM to omp (which saves its session), SIGKILLs omp after the
        // grace, then ends every process left: the same path as the end of any run.
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          return; // gone already
        }
        const ceiling = settings.killGraceMs * 2 + SUPERVISOR_SLACK_MS;
        if (await waitUntil(() => supervisorExited, ceiling)) return;
        // A supervisor that does not answer: end it and everything under it without it.
        await killProcessTree(pid, 0, { exited: () => supervisorExited });
      })();
    }
    return stopping;
  };

  // omp ended on its own (the supervisor says so before it has ended the leftovers and exits itself):
  // a time limit or cancel that comes after must not relabel the run.
  const ompEnded = () => supervisorExited || reports.some((r) => r.type === "exit");

  const deadline = new RunDeadline({
    clock: settings.clock,
    limitMs: settings.runTimeoutMs + settings.timeoutSlackMs,
    onExpire: () => {
      if (ompEnded()) return;
      timedOut = true;
      void stop();
    },
  });

  const done = (async (): Promise<RunResult> => {
    const [result] = await Promise.all([
      subprocess,
      readStdout().catch(() => {}),
      readStderr().catch(() => {}),
      reportsRead,
    ]).finally(() => {
      // omp is gone and its output read: the token ends with it (what it leased and never saw
      // arriving goes back to the session's pending steering).
      grant?.revoke({ seenSteering });
    });
    exited = true;
    deadline.stop();
    if (usageWait) {
      usageWait = undefined;
      notifyUsageWait(undefined);
    }
    await emit(renderer.end());
    if (stopping) await stopping;
    try {
      sandbox?.finish();
    } catch {
      // a leftover agent dir is removed before the session's next run anyway
    }
    const endedAt = new Date();
    // omp's own status, as the supervisor saw it; the supervisor's when it could not tell.
    const ompExit = reports.find((r) => r.type === "exit");
    const ompSpawnError = reports.find((r) => r.type === "spawn-error");
    const leftovers = reports.flatMap((r) => (r.type === "leftovers" ? r.processes : []));
    if (leftovers.length > 0) await emit([{ kind: "info", text: leftoverLine(leftovers) }]);
    // bwrap's own failures (before omp ran) are the lines of stderr it signs.
    const sandboxFailure =
      sandbox !== undefined && omp === undefined
        ? /^bwrap: .*$/m.exec(stderrTail.toString())?.[0]
        : undefined;
    const spawnError = ompSpawnError
      ? `Could not start omp (\`${settings.bin}\`): ${ompSpawnError.message}. Check OMP_BIN and that bun is on PATH.`
      : sandboxFailure
        ? `The sandbox did not start: ${sandboxFailure}. \`/omp health\` shows the sandbox check; OMPCORD_SANDBOX=off runs without it.`
        : result.exitCode === undefined && result.signal === undefined && result.failed
          ? context.bun === undefined
            ? `Could not start omp (\`${settings.bin}\`): no \`bun\` next to it or on PATH. omp and ompcord's run supervisor both need Bun: install it (\`npm install\` in the checkout does) or set OMP_BIN to node_modules/.bin/omp.`
            : `Could not start omp (\`${settings.bin}\`) under \`${context.bun}\`: ${result.originalMessage ?? result.shortMessage}. Check OMP_BIN and that bun is on PATH.`
          : undefined;
    const exitCode = ompSpawnError ? null : ompExit ? ompExit.code : (result.exitCode ?? null);
    const signal = ompSpawnError ? null : ompExit ? ompExit.signal : (result.signal ?? null);
    const classification = classifyRun(tally, {
      exitCode,
      signal,
      cancelled,
      timedOut,
      usageWaitRefused,
      // omp's own deadline is the backstop: only a run that lasted that long can have met it.
      reachedTimeLimit: endedAt.getTime() - startedAt.getTime() >= backstopMs(settings) - 500,
      spawnError,
      stderrTail: stderrTail.toString(),
    });
    const errorLine = classification.error ? `✗ ${classification.error}` : undefined;
    if (errorLine && classification.outcome !== "success") await emit([{ kind: "error", text: errorLine }]);
    await transcript.close();
    // A transcript that could not be written is output lost: the run fails and says why, never silently.
    const writeFailure = fileFailure(transcript.error, classification.error);
    if (writeFailure) {
      if (writeFailure.diskFull)
        settings.onDiskFull?.(writeFailure.what, writeFailure.cause, { sessionId: request.sessionId, runId });
      classification.error =
        classification.error && classification.error !== writeFailure.cause
          ? `${writeFailure.message} (${classification.error})`
          : writeFailure.message;
      if (classification.outcome === "success") classification.outcome = "failed";
    }
    return {
      outcome: classification.outcome,
      exitCode,
      signal,
      error: classification.error ? await context.redactor.redactAsync(classification.error) : undefined,
      ompSessionId: tally.ompSessionId,
      finalText: await context.redactor.redactAsync(tally.finalText, { maxChars: settings.outputKeptBytes }),
      tokens: tally.tokens,
      cost: tally.cost,
      outputBytes,
      lineCount,
      transcriptPath: request.transcriptPath,
      startedAt,
      endedAt,
      leftovers,
    };
  })();

  return {
    pid,
    done,
    async cancel() {
      // A run that already ended keeps its own outcome.
      if (!exited && !ompEnded()) cancelled = true;
      await stop();
      await done.then(
        () => {},
        () => {},
      );
    },
    pauseClock: (reason) => deadline.pause(reason),
    resumeClock: () => deadline.resume(),
  };
}

/**
 * What a run could not write, if anything: its transcript (any write error), or omp's own files (omp's
 * error says the disk is full). Undefined when every write went through.
 */
function fileFailure(
  transcriptError: Error | undefined,
  ompError: string | undefined,
): { what: string; message: string; cause: unknown; diskFull: boolean } | undefined {
  if (transcriptError) {
    const what = "this run's transcript";
    if (isDiskFull(transcriptError)) {
      return { what, message: diskFullMessage(what), cause: transcriptError, diskFull: true };
    }
    const code = (transcriptError as { code?: string }).code;
    return {
      what,
      message: `This run's transcript could not be written (${code ?? transcriptError.message}): check that the data dir is writable.`,
      cause: transcriptError,
      diskFull: false,
    };
  }
  if (ompError && isDiskFull(ompError)) {
    const what = "omp's session files";
    return {
      what,
      message: `${diskFullMessage(what)} omp said: ${ompError}`,
      cause: ompError,
      diskFull: true,
    };
  }
  return undefined;
}
