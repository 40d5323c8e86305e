// The OMP runner: one `omp -p --mode json` process per prompt, its output parsed, redacted, handed
// to the caller line by line and appended to a transcript, with a time limit, cancel (SIGTERM, then
// SIGKILL to the whole tree) and an outcome judged from events and exit code together.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { execa } from "execa";
import { createRedactor, type Redactor } from "../output/redact.js";
import { TranscriptWriter } from "../output/transcript.js";
import { buildOmpArgs, overlayYaml, type SessionContinuation } from "./args.js";
import { buildChildEnv, pathWithBinDir } from "./env.js";
import { type OmpEvent, parseEventLine, truncatedEvent } from "./events.js";
import { isAlive, killProcessTree, ProcessTreeSnapshot } from "./kill.js";
import { LineSplitter } from "./line-splitter.js";
import { LineRenderer, type OutputLine } from "./lines.js";
import { neutralisePrompt } from "./neutralise.js";
import { classifyRun, type RunOutcome, RunTally } from "./outcome.js";

export type { OmpEvent } from "./events.js";
export type { OutputLine } from "./lines.js";
export type { RunOutcome } from "./outcome.js";

export interface OmpRunRequest {
  /** Raw user text; the runner neutralises it. */
  prompt: string;
  cwd: string;
  /** Resume this conversation when set (and saved in `sessionDir`); otherwise continue the newest. */
  ompSessionId?: string | undefined;
  /** Per-ompcord-session `--session-dir`. */
  sessionDir: string;
  /** ompcord session id, passed to the child env. */
  sessionId: string;
  transcriptPath: string;
  /** Redacted, ANSI-free, one readable line. */
  onLine?: (line: OutputLine) => void;
  /** Typed parsed events (session id, usage, tool start). Not redacted: use lines for display. */
  onEvent?: (event: OmpEvent) => void;
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
}

export interface OmpRun {
  readonly pid: number | undefined;
  readonly done: Promise<RunResult>;
  /** SIGTERM, `killGraceMs` to exit, then SIGKILL to omp and every descendant. Resolves when it is over. */
  cancel(): Promise<void>;
}

export interface OmpRunner {
  start(request: OmpRunRequest): OmpRun;
}

export interface RunnerOptions {
  /** The omp executable (path or name on PATH). */
  bin: string;
  /** `--model`; omp's default when undefined. */
  model?: string | undefined;
  extraArgs?: readonly string[];
  /** Time limit per run (also passed as `--max-time`). */
  runTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL on cancel and timeout (default 2000). */
  killGraceMs?: number;
  /** Session-level retries after provider errors (default 2). */
  maxRetries?: number;
  /** Extra environment variable names the child may see. */
  envPassthrough?: readonly string[];
  /** Sidecar API URL and token for the child (OMPCORD_API_URL / OMPCORD_API_TOKEN). */
  apiUrl?: string | undefined;
  apiToken?: string | undefined;
  /** Exact secret values to redact (bot token, API token …); the API token is added automatically. */
  secrets?: readonly string[];
  /** Bytes of stderr and final answer kept in memory (default 64 KiB). */
  outputKeptBytes?: number;
  /** Longest stdout line kept; longer lines are cut (default 1 MiB). */
  maxLineBytes?: number;
  /** Where the settings overlay is written (default: a file in the OS temp dir). */
  overlayPath?: string;
  /** The parent environment the child's is built from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Extra time after `runTimeoutMs` before the runner stops omp itself (default 5000). */
  timeoutSlackMs?: number;
}

const DEFAULTS = {
  killGraceMs: 2000,
  maxRetries: 2,
  outputKeptBytes: 64 * 1024,
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
  ] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new TypeError(`Expected \`${name}\` to be a number from 0 and up, got \`${String(value)}\``);
    }
  }
  if (!(options.runTimeoutMs > 0)) {
    throw new TypeError(
      `Expected \`runTimeoutMs\` to be more than 0, got \`${String(options.runTimeoutMs)}\``,
    );
  }
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
    return all.subarray(Math.max(0, all.length - this.max)).toString("utf8");
  }
}

export function createOmpRunner(options: RunnerOptions): OmpRunner {
  validateOptions(options);
  const settings: Settings = { ...DEFAULTS, ...(stripUndefined(options) as RunnerOptions) };
  const parentEnv = options.env ?? process.env;
  const secrets = [...(options.secrets ?? []), ...(options.apiToken ? [options.apiToken] : [])];
  const redactor: Redactor = createRedactor({ secrets });

  // One overlay per runner: bounded retries, magic keywords off, no probing of local model ports.
  const overlayPath = options.overlayPath ?? join(tmpdir(), `ompcord-omp-overlay-${process.pid}.yml`);
  mkdirSync(dirname(overlayPath), { recursive: true });
  writeFileSync(overlayPath, overlayYaml({ maxRetries: settings.maxRetries }));

  // omp is a `#!/usr/bin/env bun` script: when it is given by path, its directory (node_modules/.bin,
  // where `bun` lives too) goes on the child's PATH.
  const binDir = isAbsolute(options.bin) ? dirname(options.bin) : undefined;

  return {
    start(request) {
      return startRun(request, settings, { parentEnv, redactor, overlayPath, binDir });
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Settings = RunnerOptions & typeof DEFAULTS;

interface RunContext {
  parentEnv: NodeJS.ProcessEnv;
  redactor: Redactor;
  overlayPath: string;
  binDir: string | undefined;
}

function startRun(request: OmpRunRequest, settings: Settings, context: RunContext): OmpRun {
  const startedAt = new Date();
  mkdirSync(request.sessionDir, { recursive: true });
  const invocation = buildOmpArgs({
    model: settings.model,
    extraArgs: settings.extraArgs,
    maxTimeMs: settings.runTimeoutMs,
    configOverlayPath: context.overlayPath,
    sessionDir: request.sessionDir,
    continuation: chooseContinuation(request.sessionDir, request.ompSessionId),
    cwd: request.cwd,
    text: neutralisePrompt(request.prompt),
  });
  const env = buildChildEnv(context.parentEnv, {
    passthrough: settings.envPassthrough,
    sessionId: request.sessionId,
    apiUrl: settings.apiUrl,
    apiToken: settings.apiToken,
  });
  if (context.binDir) env.PATH = pathWithBinDir(env.PATH, context.binDir);

  const transcript = new TranscriptWriter(request.transcriptPath);
  const lineRedactor = context.redactor.lines();
  const renderer = new LineRenderer();
  const tally = new RunTally({ maxFinalChars: settings.outputKeptBytes });
  const splitter = new LineSplitter({ maxLineBytes: settings.maxLineBytes });
  const stderrTail = new TailBuffer(settings.outputKeptBytes);
  const tree = new ProcessTreeSnapshot();
  let outputBytes = 0;
  let lineCount = 0;
  let cancelled = false;
  let timedOut = false;
  let exited = false;
  let stopping: Promise<void> | undefined;

  const subprocess = execa(settings.bin, invocation.args, {
    cwd: request.cwd,
    env,
    extendEnv: false,
    // The prompt is always on stdin, never in argv (see buildOmpArgs); execa writes it and closes the
    // pipe, and omp starts once it reads EOF.
    input: invocation.stdinText,
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
    reject: false,
    // Our own cancel does SIGTERM → SIGKILL to the tree; execa's cleanup still kills omp if we exit.
    cleanup: true,
    encoding: "buffer",
  });
  const pid = subprocess.pid;

  const emit = (lines: OutputLine[]): Promise<void> | undefined => {
    let wait: Promise<void> | undefined;
    for (const line of lines) {
      const text = lineRedactor.line(line.text);
      lineCount++;
      const safe = { kind: line.kind, text };
      try {
        request.onLine?.(safe);
      } catch {
        // a failing consumer must not break the run or lose the transcript
      }
      wait = transcript.writeLine(text) ?? wait;
    }
    return wait;
  };

  const handleLine = (text: string, truncated: boolean): Promise<void> | undefined => {
    const event = truncated ? truncatedEvent(text) : parseEventLine(text);
    if (!event) {
      return emit(renderer.text(truncated ? `${text} … [line cut]` : text));
    }
    tally.push(event);
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

  const stop = (): Promise<void> => {
    if (!stopping) {
      stopping = (async () => {
        if (pid === undefined || exited) return;
        tree.capture(pid);
        await killProcessTree(pid, settings.killGraceMs, { exited: () => exited });
        // Tool commands seen earlier that outlived omp (they run in their own sessions).
        tree.killAll();
        await tree.waitAllGone();
      })();
    }
    return stopping;
  };

  const timer = setTimeout(() => {
    timedOut = true;
    void stop();
  }, settings.runTimeoutMs + settings.timeoutSlackMs);
  timer.unref();
  // Snapshot the tree now and then, so descendants whose parent died are still known at kill time.
  const watcher =
    pid === undefined
      ? undefined
      : setInterval(() => {
          if (!exited && isAlive(pid)) tree.capture(pid);
        }, 1000);
  watcher?.unref();

  const done = (async (): Promise<RunResult> => {
    const [result] = await Promise.all([
      subprocess,
      readStdout().catch(() => {}),
      readStderr().catch(() => {}),
    ]);
    exited = true;
    clearTimeout(timer);
    if (watcher) clearInterval(watcher);
    emit(renderer.end());
    if (stopping) await stopping;
    // Leftover tool commands of a finished run (omp normally ends them; make sure).
    if (tree.killAll().length > 0) await tree.waitAllGone();
    const endedAt = new Date();
    const spawnError =
      result.exitCode === undefined && result.signal === undefined && result.failed
        ? `Could not start omp (\`${settings.bin}\`): ${result.originalMessage ?? result.shortMessage}. Check OMP_BIN and that bun is on PATH.`
        : undefined;
    const exitCode = result.exitCode ?? null;
    const signal = result.signal ?? null;
    const classification = classifyRun(tally, {
      exitCode,
      signal,
      cancelled,
      timedOut,
      reachedTimeLimit: endedAt.getTime() - startedAt.getTime() >= settings.runTimeoutMs - 500,
      spawnError,
      stderrTail: stderrTail.toString(),
    });
    const errorLine = classification.error ? `✗ ${classification.error}` : undefined;
    if (errorLine && classification.outcome !== "success") emit([{ kind: "error", text: errorLine }]);
    await transcript.close();
    return {
      outcome: classification.outcome,
      exitCode,
      signal,
      error: classification.error ? context.redactor.redact(classification.error) : undefined,
      ompSessionId: tally.ompSessionId,
      finalText: context.redactor.redact(tally.finalText),
      tokens: tally.tokens,
      cost: tally.cost,
      outputBytes,
      lineCount,
      transcriptPath: request.transcriptPath,
      startedAt,
      endedAt,
    };
  })();

  return {
    pid,
    done,
    async cancel() {
      // A run that already ended keeps its own outcome.
      if (!exited) cancelled = true;
      await stop();
      await done.then(
        () => {},
        () => {},
      );
    },
  };
}

export { killProcessTree };
