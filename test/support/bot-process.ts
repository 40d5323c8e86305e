// The bot as a real process, the way `npm start` runs it (`src/main.ts`, config from the environment,
// `cwd` in a data directory), for what an in-process app cannot show: `kill -9`, SIGTERM, exit codes,
// the bot's own memory. Shared by the restart/shutdown end-to-end tests and the bot benchmarks.

import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { resolve } from "node:path";

/** The process entry of the bot. */
export const BOT_MAIN = resolve(import.meta.dirname, "../../src/main.ts");
/** tsx's loader, resolved here: `--import tsx` would resolve from the child's cwd, a temp dir. */
export const TSX_LOADER = import.meta.resolve("tsx");

/** The log line main.ts prints once the bot has logged in, recovered and resumed queued prompts. */
const READY_MARK = "ompcord ready";
/** Ceiling for the start: tsx compiles the bot as it loads, which takes long on a loaded machine. */
const READY_WAIT_MS = 120_000;

export interface BotProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the bot says it is ready; rejects when it exits first or `timeoutMs` passes. */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code and signal once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process printed so far (pino JSON lines and stderr). */
  output(): string;
  /** SIGTERM (to the process group for a `command`), SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface BotProcessOptions {
  /** The whole environment of the bot: the config variables and what omp needs (HOME, PATH). */
  env: Record<string, string>;
  /** Working directory (where a `.env` would be read). */
  cwd: string;
  /** Also append the output to this file (kept for a post-mortem). */
  logFile?: string;
  /** JavaScript to run with plain node instead of src/main.ts under tsx (the bench's compiled child). */
  script?: string;
  /** Extra stdio: `ipc` for a child that reports figures. */
  ipc?: boolean;
  /**
   * Another command that starts the bot (`npm start` for the newcomer test). It runs in its own
   * process group, so `stop()` reaches the bot under npm and its shell too.
   */
  command?: { file: string; args: string[] };
  /** What the process prints once ready (default: the bot's "ompcord ready" log line). */
  readyMark?: string | RegExp;
  /** Run the bot as this account (the test runs as root, people do not): its files must be its own. */
  user?: { uid: number; gid: number };
}

export function spawnBotProcess(options: BotProcessOptions): BotProcess {
  const args = options.script
    ? ["--input-type=module", "-e", options.script]
    : ["--import", TSX_LOADER, BOT_MAIN];
  const file = options.command?.file ?? process.execPath;
  const group = options.command !== undefined;
  const child = spawn(file, options.command?.args ?? args, {
    cwd: options.cwd,
    env: options.env,
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
    detached: group,
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
  });
  if (child.pid === undefined) throw new Error(`could not start the bot process (${file})`);
  const pid = child.pid;
  const log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
  // Only the head and the tail are kept in memory: a debug log of a long run is large.
  let head = "";
  let tail = "";
  let readySeen = false;
  const mark = options.readyMark ?? READY_MARK;
  const isReady = (text: string) => (typeof mark === "string" ? text.includes(mark) : mark.test(text));
  const readyWaiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log?.write(text);
    if (head.length < 64 * 1024) head += text;
    tail = (tail + text).slice(-64 * 1024);
    if (!readySeen && (isReady(head) || isReady(tail))) {
      readySeen = true;
      for (const wake of readyWaiters.splice(0)) wake();
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once("exit", (code, signal) => {
      log?.end();
      done({ code, signal });
    });
  });
  const output = () => (head.length < 64 * 1024 ? head : `${head}\n…\n${tail}`);
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group ? -pid : pid, name);
    } catch {
      // already gone
    }
  };
  return {
    pid,
    child,
    exited,
    output,
    async stop(graceMs = 30_000) {
      if (!ended) signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      // npm may exit before the bot under it: make sure nothing of the group is left.
      if (group) signal("SIGKILL");
      return result;
    },
    ready(timeoutMs = READY_WAIT_MS) {
      if (readySeen) return Promise.resolve();
      return new Promise<void>((resolveReady, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the bot was not ready after ${timeoutMs} ms:\n${output()}`)),
          timeoutMs,
        );
        readyWaiters.push(() => {
          clearTimeout(timer);
          resolveReady();
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(
            new Error(`the bot exited (code ${code}, signal ${signal}) before it was ready:\n${output()}`),
          );
        });
      });
    },
  };
}
