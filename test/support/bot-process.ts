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

export interface BotProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the bot says it is ready; rejects when it exits first or `timeoutMs` passes. */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code and signal once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process printed so far (pino JSON lines and stderr). */
  output(): string;
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
}

export function spawnBotProcess(options: BotProcessOptions): BotProcess {
  const args = options.script
    ? ["--input-type=module", "-e", options.script]
    : ["--import", TSX_LOADER, BOT_MAIN];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`could not start the bot process (${process.execPath})`);
  const log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
  // Only the head and the tail are kept in memory: a debug log of a long run is large.
  let head = "";
  let tail = "";
  let readySeen = false;
  const readyWaiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log?.write(text);
    if (head.length < 64 * 1024) head += text;
    tail = (tail + text).slice(-64 * 1024);
    if (!readySeen && (head.includes(READY_MARK) || tail.includes(READY_MARK))) {
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
  return {
    pid: child.pid,
    child,
    exited,
    output,
    ready(timeoutMs = 30_000) {
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
