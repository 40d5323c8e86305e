// Builds omp's argument array and stdin for one prompt, and the settings overlay every run loads.
// Pure: the runner writes the overlay file and decides how to continue the session. User text never
// travels in argv: it goes on stdin, so no text can be taken for a flag or a subcommand.

/** omp's local-model providers: each run probes 11434/8080/1234 unless they are disabled. */
export const DISABLED_LOCAL_PROVIDERS = ["ollama", "llama.cpp", "lm-studio"] as const;

/** How the run continues the conversation of its ompcord session. */
export type SessionContinuation =
  /** `--resume <id>`: the exact conversation, known to exist in the session dir. */
  | { kind: "resume"; ompSessionId: string }
  /** `--continue`: the newest conversation in the session dir, or a new one when it is empty. */
  | { kind: "continue" };

export interface OmpArgsInput {
  /** `--model` value; omp's default model when undefined. */
  model?: string | undefined;
  /** Operator-configured extra flags, placed before ours so ours win where omp takes the last. */
  extraArgs?: readonly string[];
  /** Run time limit handed to omp as `--max-time <seconds>`. */
  maxTimeMs: number;
  /** Path of the overlay written by the runner (see `overlayYaml`). */
  configOverlayPath?: string | undefined;
  /** Per-ompcord-session `--session-dir`. */
  sessionDir: string;
  continuation: SessionContinuation;
  /** `--cwd` for omp; the process cwd is set as well. */
  cwd?: string | undefined;
  /** Prompt text, already neutralised. */
  text: string;
}

export interface OmpInvocation {
  /** Only flags the bot chose: never any of the user's text. */
  args: string[];
  /** The prompt, written on stdin and then closed (omp reads the prompt from stdin until EOF). */
  stdinText: string;
}

/** Seconds for `--max-time`, at least 1 (omp reads a bare number as seconds). */
export function maxTimeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * omp's arguments for one prompt: `-p --mode json`, model, extra args, limits and session; the text
 * itself goes on stdin. No positional argument and no `--` at all.
 *
 * Why not `-- "<text>"`: omp's CLI looks at the whole argv for `--help`/`-h` (per-command help in
 * pi-utils' `run()`), so a prompt that is exactly `--help` printed help even after `--`, and every
 * new omp version may add another word it scans for. On stdin the text is only ever a prompt
 * (`readPipedInput` → `buildInitialMessage` → `session.prompt`), and argv is made of our own flags.
 * omp still applies its prompt-level transforms (`@file`, `/command`, magic keywords) to stdin text,
 * so the runner neutralises the text either way.
 */
export function buildOmpArgs(input: OmpArgsInput): OmpInvocation {
  const args = ["-p", "--mode", "json"];
  if (input.model) args.push("--model", input.model);
  args.push(...(input.extraArgs ?? []));
  args.push("--max-time", String(maxTimeSeconds(input.maxTimeMs)));
  if (input.configOverlayPath) args.push("--config", input.configOverlayPath);
  if (input.cwd) args.push("--cwd", input.cwd);
  args.push("--session-dir", input.sessionDir);
  if (input.continuation.kind === "resume") args.push("--resume", input.continuation.ompSessionId);
  else args.push("--continue");
  return { args, stdinText: input.text };
}

export interface OverlayOptions {
  /** Session-level retries after a provider error (omp's default is 10, with long backoff). */
  maxRetries: number;
}

/**
 * The settings overlay passed with `--config`: bounded retries, no magic keywords, no port probes, and
 * no process broker (`launch.enabled`): the hub tool's `start` hands a process to a broker daemon that
 * every omp of the machine shares per project (the person's own omp, another session's run) and that
 * is built to outlive omp, so what it launches could escape the run, or a run's end could kill what
 * another run launched. Background jobs still work from `bash`, and end with the run.
 */
export function overlayYaml(options: OverlayOptions): string {
  if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0) {
    throw new TypeError(
      `Expected \`maxRetries\` to be an integer from 0 and up, got \`${options.maxRetries}\``,
    );
  }
  return [
    "# Written by ompcord for its omp runs; safe to delete, rewritten at start.",
    "retry:",
    `  enabled: ${options.maxRetries > 0}`,
    `  maxRetries: ${options.maxRetries}`,
    "magicKeywords:",
    "  enabled: false",
    `disabledProviders: [${DISABLED_LOCAL_PROVIDERS.join(", ")}]`,
    "launch:",
    "  enabled: false",
    "",
  ].join("\n");
}
