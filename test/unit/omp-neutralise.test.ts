import { describe, expect, it } from "vitest";
import { neutralisePrompt, ZWJ } from "../../src/omp/neutralise.js";

// omp's own matchers, copied from node_modules/@oh-my-pi/pi-coding-agent/src (18.2.3), so these tests
// fail if neutralisation stops defeating them.
const FILE_MENTION = /@(?:"([^"]+)"|'([^']+)'|([^\s@]+))/g;
const MENTION_BOUNDARY = /[\s([{<"'`]/;
function ompFileMentions(text: string): string[] {
  return [...text.matchAll(FILE_MENTION)]
    .filter((m) => (m.index ?? 0) === 0 || MENTION_BOUNDARY.test(text[(m.index ?? 0) - 1]!))
    .map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}
const magic = (word: string) =>
  new RegExp(
    String.raw`(?<![\p{L}\p{N}_./\\-])(?<!::)${word}(?![\p{L}\p{N}_/\\-])(?!\.[\p{L}\p{N}_-])(?!\()`,
    "u",
  );
const MODEL_MENTION = /(^|\s)\^([^\s^]+)(?=\s|$)/;
const TURN_BUDGET = /(?:^|\s)\+(\d+(?:\.\d+)?)([km])?(!)?(?=\s|$)/i;

const visible = (text: string) => text.replaceAll(ZWJ, "");

describe("neutralisePrompt", () => {
  it.each([
    "explain @/etc/hostname",
    "@~/.ssh/id_rsa please",
    'read @"my file.txt" and (@src/index.ts)',
    "look at `@secret` and <@x>",
  ])("%s attaches no file and reads the same", (text) => {
    expect(ompFileMentions(text).length).toBeGreaterThan(0);
    const out = neutralisePrompt(text);
    expect(ompFileMentions(out)).toEqual([]);
    expect(visible(out)).toBe(text);
  });

  it("leaves e-mail addresses alone (omp does not treat them as mentions)", () => {
    expect(neutralisePrompt("mail me at a@b.example")).toBe("mail me at a@b.example");
  });

  it.each(["/help", "/skill:foo do it", "  /model x"])(
    "a leading slash (%s) is no longer a command",
    (text) => {
      const out = neutralisePrompt(text);
      expect(out.startsWith("/")).toBe(false);
      expect(out.trimStart().startsWith("/")).toBe(false);
      expect(visible(out)).toBe(text);
    },
  );

  it("a slash later in the text is untouched", () => {
    expect(neutralisePrompt("run ls /tmp")).toBe("run ls /tmp");
  });

  it.each(["ultrathink", "orchestrate", "workflowz"])("the magic keyword %s no longer matches", (word) => {
    const text = `please ${word}, then stop`;
    expect(magic(word).test(text)).toBe(true);
    const out = neutralisePrompt(text);
    expect(magic(word).test(out)).toBe(false);
    expect(visible(out)).toBe(text);
  });

  it("keywords inside identifiers, which omp ignores, are left as they are", () => {
    expect(neutralisePrompt("see ultrathink.ts and Orchestrate")).toBe("see ultrathink.ts and Orchestrate");
  });

  it("model mentions and turn budgets are defused", () => {
    const text = "ask ^opus about +500k! tokens";
    expect(MODEL_MENTION.test(text)).toBe(true);
    expect(TURN_BUDGET.test(text)).toBe(true);
    const out = neutralisePrompt(text);
    expect(MODEL_MENTION.test(out)).toBe(false);
    expect(TURN_BUDGET.test(out)).toBe(false);
    expect(visible(out)).toBe(text);
  });

  it("plain text comes back unchanged", () => {
    const text = "Fix the failing test in src/app.ts, costs $5 (2^10).";
    expect(neutralisePrompt(text)).toBe(text);
  });
});
