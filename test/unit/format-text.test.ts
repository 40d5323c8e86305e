import { describe, expect, it } from "vitest";
import {
  countOf,
  escapeCodeBlock,
  escapeMentions,
  formatCost,
  formatDuration,
  formatTokens,
  truncateEnd,
  truncateMiddle,
  truncateStart,
} from "../../src/format/text.js";
import { threadName } from "../../src/format/thread-name.js";

describe("threadName", () => {
  it("puts the prefix before the text's first words on one line", () => {
    expect(threadName("Run", "fix the flaky\ntest   please")).toBe("Run: fix the flaky test please");
  });

  it("stays within 100 characters and cuts at a word boundary with an ellipsis", () => {
    const name = threadName("Run", "refactor ".repeat(40));
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name.startsWith("Run: refactor refactor")).toBe(true);
    expect(name.endsWith("refactor…")).toBe(true);
  });

  it("cuts a single long word rather than leaving just the prefix", () => {
    const name = threadName("Session", "x".repeat(500));
    expect(name.length).toBe(100);
    expect(name.startsWith("Session: xxx")).toBe(true);
  });

  it("is never empty, even for blank or control-character text", () => {
    expect(threadName("Run", "  \n\t ")).toBe("Run: untitled");
    expect(threadName("Run", "\u0000\u0007")).toBe("Run: untitled");
    expect(threadName("", "")).toBe("untitled");
  });

  it("never contains a newline", () => {
    expect(threadName("Run\n", "a\r\nb")).not.toMatch(/[\r\n]/);
  });
});

describe("text helpers", () => {
  it("neutralises @everyone, @here and mention syntax so nothing can ping", () => {
    const escaped = escapeMentions("hi @everyone and @here, <@123>, <@!456>, <@&789>");
    expect(escaped).not.toMatch(/@everyone|@here|<@\d|<@!|<@&/);
    expect(escaped.replace(/\u200b/g, "")).toBe("hi @everyone and @here, <@123>, <@!456>, <@&789>");
  });

  it("breaks up backtick runs so a code block cannot be closed from inside", () => {
    const escaped = escapeCodeBlock("before ``` after ````");
    expect(escaped).not.toContain("``");
    expect(escaped.replace(/\u200b/g, "")).toBe("before ``` after ````");
  });

  it("truncates without splitting a surrogate pair and marks the cut", () => {
    expect(truncateEnd("😀😀😀", 4)).toBe("😀…");
    expect(truncateStart("😀😀😀", 4)).toBe("…😀");
    expect(truncateMiddle("abcdefghij", 5)).toBe("ab…ij");
    expect(truncateEnd("short", 10)).toBe("short");
  });

  it("formats durations, tokens and cost as people read them", () => {
    expect(formatDuration(3_723_000)).toBe("1h 2m");
    expect(formatDuration(62_000)).toBe("1m 2s");
    expect(formatDuration(-5)).toBe("0s");
    expect(formatDuration(90_000_000)).toBe("1d 1h");
    expect(formatTokens(1234567)).toBe("1,234,567");
    expect(formatCost(0.00123)).toBe("$0.0012");
    expect(formatCost(1.5)).toBe("$1.50");
    expect(formatCost(Number.NaN)).toBe("—");
  });
});

describe("countOf", () => {
  it("says 1 prompt, 0 prompts and 2 prompts", () => {
    expect(countOf(1, "prompt")).toBe("1 prompt");
    expect(countOf(0, "prompt")).toBe("0 prompts");
    expect(countOf(2, "queued prompt")).toBe("2 queued prompts");
  });
});
