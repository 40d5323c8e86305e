// Which tool calls wait for a person: the approval policy (`off` | `writes` | `all`) and the tier of
// every tool of the pinned omp (18.2.3) in OMP's own read / write / exec terms (`tools/approval.ts`, each
// tool's `approval`). Never laxer than omp: where omp's tier depends on something ompcord cannot see
// (a session setting), the stricter tier is taken. Pure, without Node APIs: the OMP extension may bundle
// it, as it bundles src/output/redact.ts.
//
// OMP's own `tools.approvalMode` names differ: omp's `always-ask` asks for write and exec tiers (ompcord's
// `writes`), omp's `write` mode approves file changes without asking and asks only for exec (ompcord has
// no such policy: an edit is exactly what `writes` is about), omp's `yolo` asks for nothing (ompcord's
// `off`). ompcord's `all` also asks for reads, which omp cannot. omp's gate itself is pinned to `yolo` in
// bot runs: under `-p` it can only fail a call, never ask (issue 10).

import { APPROVAL_POLICIES } from "../config/defaults.js";
import type { ApprovalPolicy, ApprovalSettings } from "../config/types.js";

// The policies and their setting are configuration's vocabulary (declared in src/config, the one place
// settings are named); the rules that apply them are here.
export { APPROVAL_POLICIES, type ApprovalPolicy, type ApprovalSettings };

export function isApprovalPolicy(value: unknown): value is ApprovalPolicy {
  return typeof value === "string" && (APPROVAL_POLICIES as readonly string[]).includes(value);
}

/** OMP's capability tiers (`@oh-my-pi/pi-agent-core` `ToolTier`). */
export type ToolTier = "read" | "write" | "exec";

export interface ToolCallClass {
  /** The tool that will run: the one called, or the device an `xd://` write dispatches to. */
  tool: string;
  tier: ToolTier;
  /** False for a tool ompcord has no rule for (MCP, another extension's, a newer omp's): exec. */
  known: boolean;
  /**
   * The agent's own bookkeeping or its question to the person (todo, think, yield, ask): nothing
   * outside the conversation changes, and a card to approve asking a question would be absurd.
   */
  bookkeeping: boolean;
  /** Why this tier, in a few words a person reads on the card or in a log line. */
  why: string;
}

export interface ApprovalVerdict {
  ask: boolean;
  /** Why it asks or not, for logs and the card. */
  reason: string;
  call: ToolCallClass;
}

/** A session's policy comes from the channel it was launched in (its thread's parent). */
export function policyForChannel(settings: ApprovalSettings, launchChannelId: string): ApprovalPolicy {
  return settings.channelPolicies[launchChannelId] ?? settings.policy;
}

type Args = Record<string, unknown>;
type Rule = { tier: ToolTier; why: string } | ((args: Args) => { tier: ToolTier; why: string });

const fixed = (tier: ToolTier, why: string): Rule => ({ tier, why });
const str = (args: Args, key: string) => (typeof args[key] === "string" ? (args[key] as string) : "");
/** omp's `pathTargetsSsh` (`tools/path-utils.ts`): a substring match, so selectors cannot hide it. */
const targetsSsh = (path: string) => /ssh:\/\//i.test(path);
const pathList = (value: unknown): string[] =>
  typeof value === "string" ? [value] : Array.isArray(value) ? value.map(String) : [];

/** `lsp/servers.ts` LSP_READONLY_ACTIONS: navigation and inspection; everything else edits code. */
const LSP_READ_ACTIONS: ReadonlySet<string> = new Set([
  "diagnostics",
  "definition",
  "type_definition",
  "implementation",
  "references",
  "hover",
  "symbols",
  "status",
  "capabilities",
]);
/** `tools/debug.ts` DEBUG_READONLY_ACTIONS: inspecting a stopped program; launching one is exec. */
const DEBUG_READ_ACTIONS: ReadonlySet<string> = new Set([
  "output",
  "threads",
  "stack_trace",
  "scopes",
  "variables",
  "disassemble",
  "read_memory",
  "loaded_sources",
  "modules",
  "sessions",
]);
/** `tools/gh.ts` GITHUB_READONLY_OPS; creating, checking out and pushing PRs are exec. */
const GITHUB_READ_OPS: ReadonlySet<string> = new Set([
  "repo_view",
  "file_read",
  "search_issues",
  "search_prs",
  "search_code",
  "search_commits",
  "search_repos",
  "run_watch",
]);
/** `tools/hub/index.ts` hubApproval: messaging, jobs and inspection are read; starting processes exec. */
const HUB_READ_OPS: ReadonlySet<string> = new Set([
  "wait",
  "inbox",
  "list",
  "jobs",
  "cancel",
  "ps",
  "logs",
  "describe",
]);
/** `tools/resolve.ts`: apply or discard a preview an approved tool staged, or propose a plan. */
const RESOLUTION_DEVICES: ReadonlySet<string> = new Set(["resolve", "reject", "propose"]);
/** `tools/report-tool-issue.ts` REPORT_ISSUE_DEVICE_NAME. */
const REPORT_ISSUE_DEVICE = "report_issue";

/** Tools that never ask, under any policy: see `ToolCallClass.bookkeeping`. */
const BOOKKEEPING: ReadonlySet<string> = new Set(["todo", "think", "yield", "ask"]);

/**
 * Every tool omp 18.2.3 can register (`tools/builtin-names.ts` BUILTIN_TOOL_NAMES and
 * HIDDEN_TOOL_NAMES, the autoresearch tools, the `xd://` devices), with omp's tier (file:line in
 * `node_modules/@oh-my-pi/pi-coding-agent/src`). test/unit/approvals-policy.test.ts fails when omp's list
 * has a name this table lacks; test/integration/approvals-omp-tiers.test.ts compares the tiers with
 * what omp itself resolves.
 */
const RULES: Record<string, Rule> = {
  // tools/read.ts:857-864: ssh:// and PDF page images run programs.
  read: (args) => {
    const path = str(args, "path");
    if (targetsSsh(path)) return { tier: "exec", why: "reads over ssh" };
    if (/^.*\.pdf:.*$/i.test(path)) return { tier: "exec", why: "renders a PDF page" };
    return { tier: "read", why: "reads a file" };
  },
  bash: fixed("exec", "runs a shell command"), // tools/bash.ts:600-685 (bot runs pin bash.patterns: [])
  edit: fixed("write", "changes a file"), // edit/index.ts:403-408 (read only for internal URLs)
  write: (args) => {
    const path = str(args, "path");
    if (targetsSsh(path)) return { tier: "exec", why: "writes over ssh" };
    return { tier: "write", why: "writes a file" };
  }, // tools/write.ts:603-648; xd:// dispatches are classified by their device (below)
  ast_grep: fixed("read", "searches code"), // tools/ast-grep.ts:162
  ast_edit: fixed("write", "rewrites code"), // tools/ast-edit.ts:181-186
  ask: fixed("read", "asks the person"), // tools/ask.ts:793 (the extension serves it under -p)
  debug: (args) =>
    DEBUG_READ_ACTIONS.has(str(args, "action").toLowerCase())
      ? { tier: "read", why: "inspects a debugged program" }
      : { tier: "exec", why: "runs a program under a debugger" }, // tools/debug.ts:680-684
  eval: fixed("exec", "runs code"), // tools/eval.ts:294
  github: (args) =>
    GITHUB_READ_OPS.has(str(args, "op"))
      ? { tier: "read", why: "reads from GitHub" }
      : { tier: "exec", why: "acts on GitHub" }, // tools/gh.ts:206-210
  glob: fixed("read", "lists files"), // tools/glob.ts:119
  grep: (args) =>
    pathList(args.path ?? args.paths).some(targetsSsh)
      ? { tier: "exec", why: "searches over ssh" }
      : { tier: "read", why: "searches files" }, // tools/grep.ts:935-938
  lsp: (args) =>
    LSP_READ_ACTIONS.has(str(args, "action").toLowerCase())
      ? { tier: "read", why: "inspects code" }
      : { tier: "write", why: "changes code through the language server" }, // lsp/tool.ts:171-175
  checkpoint: fixed("read", "marks the conversation"), // tools/checkpoint.ts:55
  rewind: fixed("read", "rewinds the conversation"), // tools/checkpoint.ts:91
  context_notes: (args) =>
    Object.hasOwn(args, "text")
      ? { tier: "write", why: "rewrites its notes" }
      : { tier: "read", why: "reads its notes" }, // tools/context-notes.ts:78-79
  new_context: fixed("write", "starts a fresh context"), // tools/context-notes.ts:148-149
  security_scan: fixed("exec", "runs a security scanner"), // tools/security-scan.ts:107
  task: fixed("exec", "starts a subagent"), // task/index.ts:504: a subagent's own calls are gated too
  hub: (args) => {
    const op = str(args, "op");
    const toProcess = str(args, "name") !== "" && args.to === undefined;
    if (HUB_READ_OPS.has(op) || (op === "send" && !toProcess)) return { tier: "read", why: "talks to jobs" };
    return { tier: "exec", why: "starts or drives a process" };
  }, // tools/hub/index.ts:140-163
  todo: fixed("read", "updates its todo list"), // tools/todo.ts:892
  web_search: fixed("read", "searches the web"), // web/search/index.ts:329
  memory_edit: fixed("read", "edits its memory"), // tools/memory-edit.ts:18
  retain: fixed("read", "remembers"), // tools/memory-retain.ts:20
  recall: fixed("read", "recalls"), // tools/memory-recall.ts:17
  reflect: fixed("read", "reflects"), // tools/memory-reflect.ts:18
  // tools/learn.ts:32-35: read unless it writes a skill or `memory.backend: local` (a setting ompcord
  // cannot see): write, the stricter.
  learn: fixed("write", "saves a lesson or skill"),
  manage_skill: fixed("write", "changes a skill"), // tools/manage-skill.ts:40
  yield: fixed("read", "hands back a result"), // tools/yield.ts:250
  think: fixed("read", "thinks"), // tools/think.ts:77
  // No `approval` declared: omp treats them as exec (tools/approval.ts:146,154-156).
  goal: fixed("exec", "sets a goal"),
  init_experiment: fixed("exec", "sets up an experiment"),
  run_experiment: fixed("exec", "runs an experiment"),
  log_experiment: fixed("exec", "logs an experiment"),
  update_notes: fixed("exec", "updates experiment notes"),
};

/** The tool names ompcord has a rule for. */
export const CLASSIFIED_TOOLS: readonly string[] = Object.keys(RULES);

const asArgs = (input: unknown): Args =>
  typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Args) : {};

function classifyKnown(name: string, args: Args): ToolCallClass | undefined {
  const rule = Object.hasOwn(RULES, name) ? RULES[name] : undefined;
  if (!rule) return undefined;
  const { tier, why } = typeof rule === "function" ? rule(args) : rule;
  return { tool: name, tier, known: true, bookkeeping: BOOKKEEPING.has(name), why };
}

/**
 * A `write` to `xd://<device>` runs the device with the JSON in `content`: its tier is the device's
 * (tools/write.ts:603-640), and so is the card. Malformed payloads and unknown devices are exec, as omp
 * fails them closed. omp then fires `tool_call` again for the device with the same tool call id.
 */
function classifyDispatch(device: string, content: unknown): ToolCallClass {
  if (RESOLUTION_DEVICES.has(device)) {
    // Applies or discards a preview whose staging call was itself gated at its tool's tier.
    return { tool: device, tier: "read", known: true, bookkeeping: false, why: "resolves a staged preview" };
  }
  if (device === REPORT_ISSUE_DEVICE) {
    return { tool: device, tier: "write", known: true, bookkeeping: false, why: "files an issue report" };
  }
  let parsed: unknown;
  try {
    parsed = typeof content === "string" ? JSON.parse(content) : undefined;
  } catch {
    parsed = undefined;
  }
  const inner =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? classifyKnown(device, parsed as Args)
      : undefined;
  return (
    inner ?? { tool: device, tier: "exec", known: false, bookkeeping: false, why: `runs device ${device}` }
  );
}

/** omp's `parseXdUrl` (`internal-urls/xd-protocol.ts`), after its hashline `[path#TAG]` unwrapping. */
function xdDevice(path: string): string | undefined {
  // Exactly omp's shapes, `[PATH]` or `[PATH#XXXX]` (4 hex digits): unwrapping more would classify a
  // path omp treats as a plain file write.
  const unwrapped = /^\[([^#]+)(?:#[0-9A-Fa-f]{4})?\]$/.exec(path.trimEnd())?.[1] ?? path;
  const match = /^xd:\/\/([^/?#]*)$/i.exec(unwrapped.trim());
  return match ? match[1] : undefined;
}

/** The tier of one tool call, from its name and arguments. */
export function classifyToolCall(toolName: string, input: unknown): ToolCallClass {
  const args = asArgs(input);
  if (toolName === "write") {
    const device = xdDevice(str(args, "path"));
    if (device !== undefined) return classifyDispatch(device, args.content);
  }
  return (
    classifyKnown(toolName, args) ?? {
      tool: toolName,
      tier: "exec",
      known: false,
      bookkeeping: false,
      why: toolName.startsWith("mcp__") ? "an MCP server's tool" : "a tool ompcord does not know",
    }
  );
}

/** Whether `policy` makes this tool call wait for a person, and why. */
export function approvalFor(policy: ApprovalPolicy, toolName: string, input: unknown): ApprovalVerdict {
  const call = classifyToolCall(toolName, input);
  const verdict = (ask: boolean, reason: string): ApprovalVerdict => ({ ask, reason, call });
  if (policy === "off") return verdict(false, "approvals are off");
  if (call.bookkeeping) return verdict(false, `${call.tool} ${call.why}: nothing outside the conversation`);
  if (!call.known) return verdict(true, `${call.tool} is ${call.why}: unknown tools always ask`);
  if (policy === "all") return verdict(true, `every tool asks (${call.tool} ${call.why})`);
  if (call.tier === "read") return verdict(false, `${call.tool} ${call.why}: read-only`);
  return verdict(true, `${call.tool} ${call.why} (${call.tier})`);
}
