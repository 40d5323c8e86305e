import { describe, expect, it } from "vitest";
import { editDiff, writeDiff } from "../../src/approvals/diff.js";

const file = `${Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;

describe("an edit's diff", () => {
  it("carries the file's line numbers and three lines of context", () => {
    const diff = editDiff({ oldText: "line 15\n", newText: "line fifteen\nline 15.5\n", fileText: file });
    expect(diff).toEqual({
      text: "@@ -12,7 +12,8 @@\n line 12\n line 13\n line 14\n-line 15\n+line fifteen\n+line 15.5\n line 16\n line 17\n line 18",
      added: 2,
      removed: 1,
      located: true,
      occurrences: 1,
    });
  });

  it("changes only the first occurrence, or every one with replace_all, and counts them", () => {
    const text = "a\nx\nb\nx\nc\n";
    expect(editDiff({ oldText: "x", newText: "y", fileText: text, context: 0 })).toMatchObject({
      text: "@@ -2,1 +2,1 @@\n-x\n+y",
      occurrences: 1,
    });
    expect(
      editDiff({ oldText: "x", newText: "y", fileText: text, context: 0, replaceAll: true }),
    ).toMatchObject({
      text: "@@ -2,1 +2,1 @@\n-x\n+y\n@@ -4,1 +4,1 @@\n-x\n+y",
      added: 2,
      removed: 2,
      occurrences: 2,
    });
  });

  it("keeps `$` patterns in the new text literal", () => {
    const diff = editDiff({ oldText: "line 2", newText: "cost $& $1", fileText: file, context: 0 });
    expect(diff.text).toBe("@@ -2,1 +2,1 @@\n-line 2\n+cost $& $1");
  });

  it("without the file, or when the file lacks the old text, diffs the snippets and says so", () => {
    for (const fileText of [undefined, "other\n"]) {
      expect(editDiff({ oldText: "hello\nworld", newText: "hello\nthere", fileText })).toEqual({
        text: "@@ … @@\n hello\n-world\n+there",
        added: 1,
        removed: 1,
        located: false,
        occurrences: 0,
      });
    }
  });

  it("shows a rewrite too big to diff as old lines out and new lines in", () => {
    const before = `${Array.from({ length: 6000 }, (_, i) => `a${i}`).join("\n")}\n`;
    const after = `${Array.from({ length: 6000 }, (_, i) => `b${i}`).join("\n")}\n`;
    const diff = writeDiff(after, before);
    expect([diff.added, diff.removed]).toEqual([6000, 6000]);
    expect(diff.text.startsWith("@@ -1,6000 +1,6000 @@\n-a0\n-a1")).toBe(true);
  });
});

describe("a write's diff", () => {
  it("is all additions for a new file, and a diff against the file it replaces", () => {
    expect(writeDiff("one\ntwo\n")).toMatchObject({
      text: "@@ -1,0 +1,2 @@\n+one\n+two",
      added: 2,
      removed: 0,
    });
    expect(writeDiff("one\n2\n", "one\ntwo\n")).toMatchObject({
      text: "@@ -1,2 +1,2 @@\n one\n-two\n+2",
      added: 1,
      removed: 1,
    });
  });
});
