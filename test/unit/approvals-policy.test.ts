import { BUILTIN_TOOL_NAMES, HIDDEN_TOOL_NAMES } from "@oh-my-pi/pi-coding-agent/tools/builtin-names";
import { describe, expect, it } from "vitest";
import {
  APPROVAL_POLICIES,
  type ApprovalPolicy,
  approvalFor,
  CLASSIFIED_TOOLS,
  classifyToolCall,
  isApprovalPolicy,
  policyForChannel,
} from "../../src/approvals/policy.js";

const asks = (policy: ApprovalPolicy, tool: string, input: unknown = {}) =>
  approvalFor(policy, tool, input).ask;

describe("classifying omp's tools", () => {
  // Read from the installed omp at test time: a tool a newer omp adds fails here until it has a rule.
  const ompTools = [...BUILTIN_TOOL_NAMES, ...HIDDEN_TOOL_NAMES];

  it("has a rule for every tool the pinned omp knows", () => {
    expect(ompTools.length).toBeGreaterThan(20);
    const unclassified = ompTools.filter((name) => !classifyToolCall(name, {}).known);
    expect(unclassified).toEqual([]);
    expect(CLASSIFIED_TOOLS).toEqual(expect.arrayContaining(ompTools));
  });

  it("puts each fixed-tier tool in omp's tier", () => {
    const tiers = Object.fromEntries(
      [
        "bash",
        "eval",
        "task",
        "edit",
        "ast_edit",
        "manage_skill",
        "glob",
        "ast_grep",
        "web_search",
        "todo",
      ].map((name) => [name, classifyToolCall(name, {}).tier]),
    );
    expect(tiers).toEqual({
      bash: "exec",
      eval: "exec",
      task: "exec",
      edit: "write",
      ast_edit: "write",
      manage_skill: "write",
      glob: "read",
      ast_grep: "read",
      web_search: "read",
      todo: "read",
    });
  });

  it("follows the arguments where omp's tier does", () => {
    const tier = (tool: string, input: unknown) => classifyToolCall(tool, input).tier;
    expect(tier("read", { path: "src/a.ts" })).toBe("read");
    expect(tier("read", { path: "ssh://host/etc/hosts" })).toBe("exec");
    expect(tier("read", { path: "report.PDF:page2.png" })).toBe("exec");
    expect(tier("grep", { pattern: "x", path: ["src", "ssh://h/x"] })).toBe("exec");
    expect(tier("write", { path: "ssh://h/a", content: "" })).toBe("exec");
    expect(tier("lsp", { action: "hover" })).toBe("read");
    expect(tier("lsp", { action: "rename" })).toBe("write");
    expect(tier("debug", { action: "variables" })).toBe("read");
    expect(tier("debug", { action: "launch" })).toBe("exec");
    expect(tier("github", { op: "search_code" })).toBe("read");
    expect(tier("github", { op: "pr_push" })).toBe("exec");
    expect(tier("hub", { op: "jobs" })).toBe("read");
    expect(tier("hub", { op: "send", to: "peer" })).toBe("read");
    expect(tier("hub", { op: "send", name: "server" })).toBe("exec");
    expect(tier("hub", { op: "start" })).toBe("exec");
    expect(tier("context_notes", {})).toBe("read");
    expect(tier("context_notes", { text: "" })).toBe("write");
  });

  it("classifies an xd:// write by the device it runs, failing closed on what it cannot read", () => {
    const write = (path: string, content: unknown) => classifyToolCall("write", { path, content });
    expect(write("xd://lsp", JSON.stringify({ action: "references" }))).toMatchObject({
      tool: "lsp",
      tier: "read",
    });
    expect(write("xd://lsp", JSON.stringify({ action: "rename" }))).toMatchObject({
      tool: "lsp",
      tier: "write",
    });
    expect(write("[xd://debug#A1b2]", JSON.stringify({ action: "launch" }))).toMatchObject({
      tool: "debug",
      tier: "exec",
    });
    expect(write("xd://lsp", "{not json")).toMatchObject({ tool: "lsp", tier: "exec", known: false });
    expect(write("xd://lsp", 42)).toMatchObject({ tier: "exec", known: false });
    expect(write("xd://mystery", "{}")).toMatchObject({ tool: "mystery", tier: "exec", known: false });
    expect(write("xd://resolve", "looks right")).toMatchObject({ tool: "resolve", tier: "read" });
    expect(write("xd://report_issue", "{}")).toMatchObject({ tier: "write" });
    // Not omp's hashline header shape (a 4-hex tag): a plain file write, as omp treats it.
    expect(write("[xd://lsp#zz]", JSON.stringify({ action: "hover" }))).toMatchObject({
      tool: "write",
      tier: "write",
    });
  });

  it("treats any other tool as unknown exec, and odd inputs as no arguments", () => {
    expect(classifyToolCall("mcp__github_create_issue", {})).toMatchObject({
      tier: "exec",
      known: false,
      why: "an MCP server's tool",
    });
    expect(classifyToolCall("shiny_new_tool", {})).toMatchObject({ tier: "exec", known: false });
    expect(classifyToolCall("read", null)).toMatchObject({ tier: "read" });
    expect(classifyToolCall("read", ["ssh://h/x"])).toMatchObject({ tier: "read" });
    expect(classifyToolCall("constructor", {})).toMatchObject({ known: false });
  });
});

describe("approval policies", () => {
  it("off asks for nothing, not even unknown tools", () => {
    for (const tool of ["bash", "edit", "task", "mcp__x_y", "read"]) expect(asks("off", tool)).toBe(false);
  });

  it("writes asks for commands, file changes, subagents and unknown tools, not for reads", () => {
    expect(asks("writes", "bash", { command: "ls" })).toBe(true);
    expect(asks("writes", "edit", { path: "a", old_string: "x", new_string: "y" })).toBe(true);
    expect(asks("writes", "write", { path: "a", content: "" })).toBe(true);
    expect(asks("writes", "task", { tasks: [] })).toBe(true);
    expect(asks("writes", "eval", {})).toBe(true);
    expect(asks("writes", "mcp__db_query", {})).toBe(true);
    expect(asks("writes", "read", { path: "a" })).toBe(false);
    expect(asks("writes", "grep", { pattern: "x" })).toBe(false);
    expect(asks("writes", "read", { path: "ssh://h/a" })).toBe(true);
    expect(asks("writes", "write", { path: "xd://lsp", content: '{"action":"hover"}' })).toBe(false);
  });

  it("all asks for reads too, but never for the agent's bookkeeping or its questions", () => {
    expect(asks("all", "read", { path: "a" })).toBe(true);
    expect(asks("all", "glob", {})).toBe(true);
    for (const tool of ["todo", "think", "yield", "ask"]) {
      expect(asks("all", tool), tool).toBe(false);
      expect(asks("writes", tool), tool).toBe(false);
    }
  });

  it("says why", () => {
    expect(approvalFor("writes", "bash", { command: "ls" }).reason).toBe("bash runs a shell command (exec)");
    expect(approvalFor("writes", "read", { path: "a" }).reason).toBe("read reads a file: read-only");
    expect(approvalFor("writes", "mcp__x", {}).reason).toBe(
      "mcp__x is an MCP server's tool: unknown tools always ask",
    );
  });

  it("a launch channel's own policy wins over the global one", () => {
    const settings = { policy: "writes" as const, channelPolicies: { "111111111111111111": "all" as const } };
    expect(policyForChannel(settings, "111111111111111111")).toBe("all");
    expect(policyForChannel(settings, "222222222222222222")).toBe("writes");
  });

  it("knows its policy names", () => {
    expect(APPROVAL_POLICIES).toEqual(["off", "writes", "all"]);
    expect(isApprovalPolicy("writes")).toBe(true);
    expect(isApprovalPolicy("write")).toBe(false);
    expect(isApprovalPolicy(undefined)).toBe(false);
  });
});
