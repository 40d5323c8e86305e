import { describe, expect, it } from "vitest";
import type { OmpEvent } from "../../src/omp/events.js";
import { classifyRun, type ExitFacts, NO_MODEL_ERROR, RunTally } from "../../src/omp/outcome.js";

const end = (stopReason: string, text = "", errorMessage?: string, tokens = 15, cost = 0.01): OmpEvent => ({
  type: "message_end",
  message: {
    role: "assistant",
    text,
    usage: { input: 10, output: 5, totalTokens: tokens, cost },
    stopReason,
    errorMessage,
  },
});

function tally(events: OmpEvent[]): RunTally {
  const t = new RunTally();
  for (const e of events) t.push(e);
  return t;
}

const facts = (overrides: Partial<ExitFacts> = {}): ExitFacts => ({
  exitCode: 0,
  signal: null,
  cancelled: false,
  timedOut: false,
  reachedTimeLimit: false,
  spawnError: undefined,
  stderrTail: "",
  ...overrides,
});

describe("RunTally", () => {
  it("sums usage and cost over every assistant message of the run", () => {
    const t = tally([
      { type: "session", id: "abc", cwd: "/w" },
      end("toolUse", "", undefined, 100, 0.5),
      end("stop", "Done.", undefined, 50, 0.25),
    ]);
    expect(t.ompSessionId).toBe("abc");
    expect(t.tokens).toBe(150);
    expect(t.cost).toBeCloseTo(0.75);
    expect(t.finalText).toBe("Done.");
  });

  it("keeps the last answer when the final message is a tool call without text", () => {
    const t = tally([end("stop", "Answer"), end("toolUse", "")]);
    expect(t.finalText).toBe("Answer");
  });

  it("falls back to streamed text when message_end carried none (cut-off line)", () => {
    const t = tally([
      {
        type: "message_start",
        message: {
          role: "assistant",
          text: "",
          usage: undefined,
          stopReason: undefined,
          errorMessage: undefined,
        },
      },
      { type: "text_delta", delta: "stream" },
      { type: "text_delta", delta: "ed" },
      end("stop", ""),
    ]);
    expect(t.finalText).toBe("streamed");
  });
});

describe("classifyRun", () => {
  it("exit 0 with a final answer is success", () => {
    expect(classifyRun(tally([end("stop", "ok")]), facts())).toEqual({
      outcome: "success",
      error: undefined,
    });
  });

  it("exit 1 after a provider error is failed, with the provider's message", () => {
    const result = classifyRun(tally([end("error", "", "500 upstream exploded")]), facts({ exitCode: 1 }));
    expect(result.outcome).toBe("failed");
    expect(result.error).toContain("500 upstream exploded");
  });

  it("omp's deadline while streaming is timed_out, not failed", () => {
    const result = classifyRun(tally([end("aborted", "", "Deadline exceeded")]), facts({ exitCode: 1 }));
    expect(result.outcome).toBe("timed_out");
  });

  it("exit 0 after the time limit with the agent stopped on a tool call is timed_out", () => {
    const t = tally([end("toolUse", ""), { type: "agent_end" }]);
    expect(classifyRun(t, facts({ reachedTimeLimit: true })).outcome).toBe("timed_out");
    // the same stream ending early is a normal (if odd) success
    expect(classifyRun(t, facts({ reachedTimeLimit: false })).outcome).toBe("success");
  });

  it("exit 0 after the time limit with no answer at all (omp's deadline passed during its start-up) is timed_out", () => {
    // Seen under load: omp sets its deadline early in start-up and, once it has passed, ends the agent
    // before the first model request, exiting 0 with only the user's message.
    const t = tally([{ type: "agent_start" }, { type: "agent_end" }]);
    expect(classifyRun(t, facts({ reachedTimeLimit: true }))).toEqual({
      outcome: "timed_out",
      error: "The run hit its time limit before omp had answered.",
    });
  });

  it("exit 0 after the time limit with the stream aborted is timed_out, not a provider failure", () => {
    const t = tally([end("aborted", ""), { type: "agent_end" }]);
    expect(classifyRun(t, facts({ reachedTimeLimit: true })).outcome).toBe("timed_out");
  });

  it("exit 0 with a final answer stays success even when it came at the time limit", () => {
    const t = tally([end("toolUse", ""), end("stop", "Done just in time."), { type: "agent_end" }]);
    expect(classifyRun(t, facts({ reachedTimeLimit: true })).outcome).toBe("success");
  });

  it("exit 0 after the time limit with a provider error stays failed", () => {
    const t = tally([end("error", "", "500 upstream exploded"), { type: "agent_end" }]);
    expect(classifyRun(t, facts({ reachedTimeLimit: true })).outcome).toBe("failed");
  });

  it("our cancel wins over everything else", () => {
    expect(classifyRun(tally([]), facts({ exitCode: 143, cancelled: true, timedOut: true })).outcome).toBe(
      "cancelled",
    );
  });

  it("our own time limit is timed_out", () => {
    expect(classifyRun(tally([]), facts({ exitCode: null, signal: "SIGTERM", timedOut: true })).outcome).toBe(
      "timed_out",
    );
  });

  it("a usage error is failed, with stderr's last line", () => {
    const result = classifyRun(
      tally([]),
      facts({ exitCode: 2, stderrTail: "Working...\nUnknown flag --frob\n" }),
    );
    expect(result).toEqual({ outcome: "failed", error: "omp exited with code 2: Unknown flag --frob" });
  });

  it("omp without any model says how to log in, not the path of its models file", () => {
    // What omp 18.2.3 prints on stderr (exit 1) in a HOME with no login, key or models.yml.
    const stderr = [
      "No models available. Use /login or set an API key environment variable. Then use /model to select a model.",
      "",
      "Set an API key environment variable:",
      "  ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY, etc.",
      "",
      "Or create /home/person/.omp/agent/models.yml",
      "",
    ].join("\n");
    const result = classifyRun(tally([]), facts({ exitCode: 1, stderrTail: stderr }));
    expect(result).toEqual({ outcome: "failed", error: NO_MODEL_ERROR });
    expect(NO_MODEL_ERROR).toMatch(/^omp has no model/);
    expect(NO_MODEL_ERROR).toContain("npx omp");
    expect(NO_MODEL_ERROR).toContain("ANTHROPIC_API_KEY");
  });

  it("a signal nobody sent, or an odd exit code, is crashed", () => {
    expect(classifyRun(tally([]), facts({ exitCode: null, signal: "SIGKILL" })).outcome).toBe("crashed");
    expect(classifyRun(tally([]), facts({ exitCode: 139 })).outcome).toBe("crashed");
  });

  it("a spawn failure is crashed with its message", () => {
    expect(classifyRun(tally([]), facts({ exitCode: null, spawnError: "ENOENT omp" }))).toEqual({
      outcome: "crashed",
      error: "ENOENT omp",
    });
  });
});
