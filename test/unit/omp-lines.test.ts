import { describe, expect, it } from "vitest";
import type { OmpEvent } from "../../src/omp/events.js";
import {
  cleanText,
  dropCutWord,
  dropCutWordAtStart,
  LineRenderer,
  toolSummary,
} from "../../src/omp/lines.js";

const assistantEnd = (
  text: string,
  extra: Partial<{ stopReason: string; errorMessage: string }> = {},
): OmpEvent => ({
  type: "message_end",
  message: {
    role: "assistant",
    text,
    usage: undefined,
    stopReason: extra.stopReason ?? "stop",
    errorMessage: extra.errorMessage,
  },
});

describe("LineRenderer", () => {
  it("joins text pieces into whole lines and flushes the rest at message end", () => {
    const r = new LineRenderer();
    expect(r.push({ type: "text_delta", delta: "Hel" })).toEqual([]);
    expect(r.push({ type: "text_delta", delta: "lo\nwor" })).toEqual([{ kind: "assistant", text: "Hello" }]);
    expect(r.push({ type: "text_delta", delta: "ld" })).toEqual([]);
    expect(r.push(assistantEnd("Hello\nworld"))).toEqual([{ kind: "assistant", text: "world" }]);
  });

  it("shows a tool start as ▶ with the command", () => {
    const r = new LineRenderer();
    expect(
      r.push({
        type: "tool_execution_start",
        toolCallId: "1",
        toolName: "bash",
        args: { command: "ls -la" },
      }),
    ).toEqual([{ kind: "tool", text: "▶ bash: ls -la" }]);
  });

  it("shows a tool result as ✓ with a preview, then its output lines", () => {
    const r = new LineRenderer();
    expect(
      r.push({
        type: "tool_execution_end",
        toolCallId: "1",
        toolName: "bash",
        text: "one\ntwo\n",
        isError: false,
      }),
    ).toEqual([
      { kind: "tool_result", text: "✓ bash (2 lines): one" },
      { kind: "tool_result", text: "  one" },
      { kind: "tool_result", text: "  two" },
    ]);
  });

  it("marks a failed tool with ✗", () => {
    const r = new LineRenderer();
    const [head] = r.push({
      type: "tool_execution_end",
      toolCallId: "1",
      toolName: "bash",
      text: "Command aborted",
      isError: true,
    });
    expect(head).toEqual({ kind: "tool_result", text: "✗ bash: Command aborted" });
  });

  it("flushes pending assistant text before a tool line, keeping the order", () => {
    const r = new LineRenderer();
    r.push({ type: "text_delta", delta: "Let me look" });
    expect(
      r.push({ type: "tool_execution_start", toolCallId: "1", toolName: "read", args: { path: "a.ts" } }),
    ).toEqual([
      { kind: "assistant", text: "Let me look" },
      { kind: "tool", text: "▶ read: a.ts" },
    ]);
  });

  it("reports retries and provider errors", () => {
    const r = new LineRenderer();
    expect(
      r.push({
        type: "auto_retry_start",
        attempt: 1,
        maxAttempts: 3,
        delayMs: 2000,
        errorMessage: "500 boom\ndetail",
      }),
    ).toEqual([{ kind: "retry", text: "↻ retry 1/3 in 2.0 s: 500 boom" }]);
    expect(r.push(assistantEnd("", { stopReason: "error", errorMessage: "500 boom" }))).toEqual([
      { kind: "error", text: "✗ model error: 500 boom" },
    ]);
  });

  it("reports compaction and a fallback model in the output", () => {
    const r = new LineRenderer();
    expect(r.push({ type: "auto_compaction_start", reason: "threshold", action: "context-full" })).toEqual([
      { kind: "info", text: "⇊ compacting the conversation (threshold)…" },
    ]);
    const end = { type: "auto_compaction_end", aborted: false, willRetry: false, skipped: false } as const;
    expect(r.push({ ...end, errorMessage: undefined })).toEqual([
      { kind: "info", text: "⇊ conversation compacted" },
    ]);
    expect(r.push({ ...end, errorMessage: "summary failed\nstack" })).toEqual([
      { kind: "error", text: "✗ compaction failed: summary failed" },
    ]);
    expect(r.push({ ...end, skipped: true, errorMessage: undefined })).toEqual([]);
    expect(r.push({ type: "retry_fallback_applied", from: "a/big", to: "b/small", role: "default" })).toEqual(
      [{ kind: "retry", text: "↪ fell back to b/small (from a/big)" }],
    );
  });

  it("passes non-JSON output through as text, cleaned of ANSI and control characters", () => {
    const r = new LineRenderer();
    expect(r.text("\u001b[31mred\u001b[0m\u0007 ok\r\nnext")).toEqual([
      { kind: "text", text: "red ok" },
      { kind: "text", text: "next" },
    ]);
  });

  it("strips ANSI from assistant text and tool output too", () => {
    const r = new LineRenderer();
    expect(r.push({ type: "text_delta", delta: "\u001b[1mbold\u001b[0m\n" })).toEqual([
      { kind: "assistant", text: "bold" },
    ]);
  });

  it("does not hold a huge line without newlines forever", () => {
    const r = new LineRenderer();
    const lines = r.push({ type: "text_delta", delta: "x".repeat(40_000) });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l.text.length <= 16 * 1024)).toBe(true);
  });

  it("marks the pieces of a long line as going on, keeping the spaces at each cut", () => {
    const r = new LineRenderer();
    const text = `${"word ".repeat(4000)}end`;
    const pieces = [...r.push({ type: "text_delta", delta: text }), ...r.end()];
    expect(pieces.slice(0, -1).every((l) => l.continues === true)).toBe(true);
    expect(pieces.length).toBe(2);
    expect(pieces.at(-1)!.continues).toBeUndefined();
    // Joined, the pieces give the line back: no space lost where two words met the cut.
    expect(pieces.map((l) => l.text).join("")).toBe(text);
  });

  it("end() returns the last partial line", () => {
    const r = new LineRenderer();
    r.push({ type: "text_delta", delta: "tail" });
    expect(r.end()).toEqual([{ kind: "assistant", text: "tail" }]);
    expect(r.end()).toEqual([]);
  });
});

describe("toolSummary and cleanText", () => {
  it("uses the most telling argument, on one line, shortened", () => {
    expect(toolSummary("bash", { command: "echo a\necho b" })).toBe("bash: echo a ⏎ echo b");
    expect(toolSummary("grep", { pattern: "TODO", path: "src" })).toBe("grep: src");
    expect(toolSummary("todo", {})).toBe("todo");
    expect(toolSummary("bash", { command: "x".repeat(500) }).length).toBeLessThanOrEqual(206);
  });
  it("drops a word cut off at 200 characters rather than show a token's head", () => {
    const token = `ghp_${"A1b2C3d4".repeat(5).slice(0, 36)}`; // FAKE
    const command = `curl -H 'Authorization: token ${token}' ${"https://example.test/x ".repeat(10)}`;
    const cut = 200 - "bash: curl -H 'Authorization: token ".length - 10;
    const summary = toolSummary("bash", {
      command: `${command.slice(0, command.indexOf(token))}${"x".repeat(cut)} ${token} y`,
    });
    expect(summary.endsWith("…")).toBe(true);
    expect(summary).not.toContain("ghp_");
  });
  it("drops a cut-off word only when it is short enough to be a secret", () => {
    expect(dropCutWord("one two thr")).toBe("one two");
    expect(dropCutWord(`one ${"A".repeat(300)}`)).toBe(`one ${"A".repeat(300)}`);
    expect(dropCutWordAtStart("ken123 and the rest")).toBe("and the rest");
    expect(dropCutWordAtStart(`${"A".repeat(300)} rest`)).toBe(`${"A".repeat(300)} rest`);
  });
  it("removes escape sequences, bells and NULs", () => {
    expect(cleanText("\u001b[2J\u001b[Ha\u0000b\u0007c  ")).toBe("abc");
  });
});
