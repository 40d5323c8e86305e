// Builds omp's argument array and stdin for one prompt, and the settings overlay every run loads.
// Pure: the runner writes the overlay file and decides how to continue the session. User text never
// travels in argv: it goes on stdin, so no text can be taken for a flag or a subcommand.
// A workspace is untrusted unless its channel's configuration trusts it: nothing in it may run code in
// omp (its extensions, hooks, custom tools, MCP and LSP servers, .envrc), see `overlayYaml`.

import { DEFAULTS } from "../config/defaults.js";

/** omp's local-model providers: each run probes 11434/8080/1234 unless they are disabled. */
export const DISABLED_LOCAL_PROVIDERS = ["ollama", "llama.cpp", "lm-studio"] as const;

/**
 * Capability providers whose custom tools (`.omp/tools`, `.claude/tools`, `.codex/tools`, plugin tools)
 * omp imports, and so runs, at start even with extension discovery off. Disabling them also drops the
 * `.omp/`, `.claude/` and `.codex/` skills, rules and prompts (text); the workspace's root `AGENTS.md` and
 * `CLAUDE.md` come from other providers and still load.
 */
export const PROJECT_CODE_PROVIDERS = ["native", "claude", "codex", "claude-plugins"] as const;

/**
 * The flags that decide which extensions load. Untrusted workspace: exactly ompcord's own
 * (`--trusted-extension` is omp's allowlist: it loads that one file and turns discovery of
 * `.omp/extensions`, `.omp/hooks`, `~/.omp/agent/extensions`, plugins and settings `extensions:` off,
 * where `-e` would only add to them), or none without it (`--no-extensions`). A trusted workspace keeps
 * discovery on and adds ours with `-e` (omp refuses `--trusted-extension` with `-e`; a copy of ours a
 * person installed in the home then loads too, and stays inert: it sees the run's token). A trusted
 * extension that fails to load fails the run (rc 1), so the bundle is checked at start.
 */
export function extensionArgs(projectTrusted: boolean, extensionPath?: string | undefined): string[] {
  if (projectTrusted) return extensionPath ? ["-e", extensionPath] : [];
  return extensionPath ? ["--trusted-extension", extensionPath] : ["--no-extensions"];
}

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
  /** `--cwd` for omp: the workspace. The process itself starts in an empty directory (see the runner). */
  cwd?: string | undefined;
  /** The workspace's own extensions and hooks may load (a channel's configuration trusts it). */
  projectTrusted?: boolean;
  /** The ompcord OMP extension's bundle (absolute path): see `extensionArgs`. */
  extensionPath?: string | undefined;
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
  args.push(...extensionArgs(input.projectTrusted ?? false, input.extensionPath));
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
  /** Leave the workspace's own code switched on (a channel's configuration trusts the project). */
  projectTrusted?: boolean;
  /**
   * Sleep until a provider's usage limit resets instead of failing (omp's `retry.waitForUsageReset`,
   * which needs retries on); the runner pauses the run's time limit meanwhile and caps the wait.
   */
  waitForUsageReset?: boolean;
  /**
   * How long ompcord's approval gate may hold a tool call (OMPCORD_APPROVAL_TIMEOUT): omp's own limit
   * on a `tool_call` handler is set above it, so the bot's timeout (and its "timed out, denied") comes
   * first. Default: the config's.
   */
  approvalTimeoutMs?: number;
}

/** Time on top of the approval timeout for omp's handler limit: posting the card, the last answer. */
export const TOOL_CALL_TIMEOUT_SLACK_MS = 60_000;

/**
 * Tools a person's or a workspace's `tools.approval.<tool>` could set to `prompt` or `deny` (omp honours
 * those even in yolo, and under `-p` a prompt fails the call): pinned to `allow`, the bot's gate decides.
 */
const GATED_TOOLS = [
  "bash",
  "edit",
  "write",
  "eval",
  "task",
  "ast_edit",
  "read",
  "grep",
  "glob",
  "lsp",
  "debug",
  "hub",
];

/**
 * The settings overlay passed with `--config`: bounded retries, no magic keywords, no port probes, and
 * no process broker (`launch.enabled`): the hub tool's `start` hands a process to a broker daemon that
 * every omp of the machine shares per project (the person's own omp, another session's run) and that
 * is built to outlive omp, so what it launches could escape the run, or a run's end could kill what
 * another run launched. Background jobs still work from `bash`, and end with the run.
 *
 * For an untrusted workspace it also switches off everything through which the repository's own
 * files run code inside omp without the agent asking to run anything: custom tools (imported at start),
 * MCP servers of its `.mcp.json` and other project MCP configs (started at start), LSP servers (its
 * `lsp.json`, or language servers found in its `node_modules/.bin`, started when a file is written),
 * and its `.envrc` (loaded into every bash call). The workspace's settings files (`.omp/config.yml`,
 * `.claude/settings.json`) always load in omp, below this overlay: these keys are pinned here so the
 * overlay wins over them.
 */
export function overlayYaml(options: OverlayOptions): string {
  if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0) {
    throw new TypeError(
      `Expected \`maxRetries\` to be an integer from 0 and up, got \`${options.maxRetries}\``,
    );
  }
  const trusted = options.projectTrusted ?? false;
  const disabledProviders = trusted
    ? DISABLED_LOCAL_PROVIDERS
    : [...DISABLED_LOCAL_PROVIDERS, ...PROJECT_CODE_PROVIDERS];
  return [
    `# Written by ompcord for its omp runs in ${trusted ? "trusted" : "untrusted"} workspaces; safe to delete, rewritten at start.`,
    "retry:",
    `  enabled: ${options.maxRetries > 0}`,
    `  maxRetries: ${options.maxRetries}`,
    `  waitForUsageReset: ${options.waitForUsageReset === true && options.maxRetries > 0}`,
    "magicKeywords:",
    "  enabled: false",
    `disabledProviders: [${disabledProviders.join(", ")}]`,
    "launch:",
    "  enabled: false",
    // A steer that arrives while a bash command runs waits for the command, which finishes. With
    // auto-backgrounding on (omp's default) the steer would push the command into the background at
    // once and omp would kill it when the run exits, its output lost: the agent is told "result will be
    // delivered automatically" and it never is. The same setting stops omp from backgrounding every
    // command that runs past 60 s; the run's own time limit still ends a command that never finishes.
    "bash:",
    "  autoBackground:",
    "    enabled: false",
    // A `bash.patterns` rule with `approval: prompt` would fail an approved command under -p.
    "  patterns: []",
    ...(trusted
      ? []
      : ['  direnv: "off"', "mcp:", "  enableProjectConfig: false", "lsp:", "  enabled: false"]),
    // omp's own approval gate runs after ompcord's and cannot ask anyone under -p: it may only fail a
    // call a person approved in Discord. The bot's gate (the extension) decides; omp's lets all pass.
    "tools:",
    "  approvalMode: yolo",
    "  approval:",
    ...GATED_TOOLS.map((tool) => `    ${tool}: allow`),
    "extensionHandlers:",
    `  toolCallTimeoutMs: ${(options.approvalTimeoutMs ?? DEFAULTS.approvalTimeoutMs) + TOOL_CALL_TIMEOUT_SLACK_MS}`,
    // The card shows an edit as old and new text: omp's default (hashline) is a patch language.
    "edit:",
    "  mode: replace",
    "",
  ].join("\n");
}
