import { describe, expect, it } from "vitest";
import { parseEventLine, truncatedEvent } from "../../src/omp/events.js";

// Lines as omp 18.2.3 prints them with `--mode json` (shortened where long).
const REAL = {
  session:
    '{"type":"session","version":3,"id":"01a1fee0-8b5c-7618-b1a0-465aa8737b53","timestamp":"2026-11-21T16:11:31.036Z","cwd":"/tmp/work"}',
  delta:
    '{"type":"message_update","assistantMessageEvent":{"type":"text_delta","contentIndex":0,"delta":"Hel"}}',
  toolcallDelta:
    '{"type":"message_update","assistantMessageEvent":{"type":"toolcall_delta","contentIndex":0,"delta":"{\\"command\\":\\"ls\\"}"}}',
  messageEnd:
    '{"type":"message_end","message":{"role":"assistant","content":[{"type":"text","text":"All done."}],"api":"openai-completions","provider":"local","model":"fake","usage":{"input":10,"output":5,"cacheRead":0,"cacheWrite":0,"totalTokens":15,"cost":{"input":0.1,"output":0.2,"cacheRead":0,"cacheWrite":0,"total":0.3}},"stopReason":"stop"}}',
  errorEnd:
    '{"type":"message_end","message":{"role":"assistant","content":[],"usage":{"input":0,"output":0,"totalTokens":0,"cost":{"total":0}},"stopReason":"error","errorStatus":500,"errorMessage":"500 fake model error 500"}}',
  toolStart:
    '{"type":"tool_execution_start","toolCallId":"call_1","toolName":"bash","args":{"command":"echo hi; ls /"}}',
  toolUpdate:
    '{"type":"tool_execution_update","toolCallId":"call_1","toolName":"bash","args":{"command":"echo hi"},"partialResult":{"content":[{"type":"text","text":"hi\\n"}],"details":{}}}',
  toolEnd:
    '{"type":"tool_execution_end","toolCallId":"call_1","toolName":"bash","result":{"content":[{"type":"text","text":"hi\\nbin\\n"}],"details":{}},"isError":false}',
  retryStart:
    '{"type":"auto_retry_start","attempt":1,"maxAttempts":1,"delayMs":405.9,"errorMessage":"500 fake model error 500","errorId":135168}',
  retryEnd: '{"type":"auto_retry_end","success":false,"attempt":1,"finalError":"500 boom"}',
  // Shapes of omp's shared-events.ts (AutoCompactionStartEvent, AutoCompactionEndEvent,
  // RetryFallbackAppliedEvent).
  compactionStart: '{"type":"auto_compaction_start","reason":"threshold","action":"context-full"}',
  compactionEnd:
    '{"type":"auto_compaction_end","action":"context-full","result":{"summary":"…","tokensBefore":90000},"aborted":false,"willRetry":true}',
  compactionFailed:
    '{"type":"auto_compaction_end","action":"context-full","aborted":false,"willRetry":false,"errorMessage":"summary model failed","skipped":false}',
  fallback:
    '{"type":"retry_fallback_applied","from":"anthropic/claude-opus","to":"local/fake","role":"default"}',
};

describe("parseEventLine", () => {
  it("reads the session id and cwd from the first line", () => {
    expect(parseEventLine(REAL.session)).toEqual({
      type: "session",
      id: "01a1fee0-8b5c-7618-b1a0-465aa8737b53",
      cwd: "/tmp/work",
    });
  });

  it("turns text_delta updates into text pieces and other updates into `other`", () => {
    expect(parseEventLine(REAL.delta)).toEqual({ type: "text_delta", delta: "Hel" });
    expect(parseEventLine(REAL.toolcallDelta)).toEqual({
      type: "other",
      rawType: "message_update:toolcall_delta",
      truncated: false,
    });
  });

  it("reads usage, cost and stop reason from an assistant message_end", () => {
    expect(parseEventLine(REAL.messageEnd)).toEqual({
      type: "message_end",
      message: {
        role: "assistant",
        text: "All done.",
        usage: { input: 10, output: 5, totalTokens: 15, cost: 0.3 },
        stopReason: "stop",
        errorMessage: undefined,
      },
    });
  });

  it("keeps the provider error of a failed message", () => {
    const event = parseEventLine(REAL.errorEnd);
    expect(event).toMatchObject({
      message: { stopReason: "error", errorMessage: "500 fake model error 500" },
    });
  });

  it("reads tool start, cumulative update and end", () => {
    expect(parseEventLine(REAL.toolStart)).toEqual({
      type: "tool_execution_start",
      toolCallId: "call_1",
      toolName: "bash",
      args: { command: "echo hi; ls /" },
    });
    expect(parseEventLine(REAL.toolUpdate)).toMatchObject({ type: "tool_execution_update", text: "hi\n" });
    expect(parseEventLine(REAL.toolEnd)).toEqual({
      type: "tool_execution_end",
      toolCallId: "call_1",
      toolName: "bash",
      text: "hi\nbin\n",
      isError: false,
    });
  });

  it("reads retries", () => {
    expect(parseEventLine(REAL.retryStart)).toEqual({
      type: "auto_retry_start",
      attempt: 1,
      maxAttempts: 1,
      delayMs: 405.9,
      errorMessage: "500 fake model error 500",
    });
    expect(parseEventLine(REAL.retryEnd)).toEqual({
      type: "auto_retry_end",
      success: false,
      attempt: 1,
      finalError: "500 boom",
    });
  });

  it("reads compaction start and end, and a failed compaction's reason", () => {
    expect(parseEventLine(REAL.compactionStart)).toEqual({
      type: "auto_compaction_start",
      reason: "threshold",
      action: "context-full",
    });
    expect(parseEventLine(REAL.compactionEnd)).toEqual({
      type: "auto_compaction_end",
      aborted: false,
      willRetry: true,
      skipped: false,
      errorMessage: undefined,
    });
    expect(parseEventLine(REAL.compactionFailed)).toMatchObject({
      type: "auto_compaction_end",
      errorMessage: "summary model failed",
    });
  });

  it("reads the model a retry fell back to", () => {
    expect(parseEventLine(REAL.fallback)).toEqual({
      type: "retry_fallback_applied",
      from: "anthropic/claude-opus",
      to: "local/fake",
      role: "default",
    });
  });

  it.each(["plain text", "", "{not json", '{"no_type":1}', "[1,2]", '"string"', '{"type":42}'])(
    "%j is not an event",
    (line) => {
      expect(parseEventLine(line)).toBeUndefined();
    },
  );

  it("tolerates fields of the wrong type", () => {
    expect(parseEventLine('{"type":"tool_execution_start","toolName":5,"args":"x"}')).toEqual({
      type: "tool_execution_start",
      toolCallId: "",
      toolName: "tool",
      args: {},
    });
  });
});

describe("truncatedEvent", () => {
  it("recognises a cut-off compaction end (its summary is long), so compacting… does not stay up", () => {
    expect(truncatedEvent('{"type":"auto_compaction_end","action":"context-full","result":{"summ')).toEqual({
      type: "auto_compaction_end",
      aborted: false,
      willRetry: false,
      skipped: false,
      errorMessage: undefined,
    });
  });

  it("recognises a cut-off agent_end by its start, so the run still knows the agent ended", () => {
    expect(truncatedEvent('{"type":"agent_end","messages":[{"role":"user","content":[{"ty')).toEqual({
      type: "agent_end",
    });
  });
  it("marks other cut-off events as truncated", () => {
    expect(truncatedEvent('{"type":"message_end","message":{')).toEqual({
      type: "other",
      rawType: "message_end",
      truncated: true,
    });
  });
  it("returns nothing for a cut-off line that is not an event", () => {
    expect(truncatedEvent("AAAAAAAA")).toBeUndefined();
  });
});
