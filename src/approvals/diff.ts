// The short unified diff an approval card shows for an edit or a write. omp's default edit format is
// hashline (a patch language, not old/new text), so bot runs pin `edit.mode: replace` (omp 18.2.3
// `edit/schemas.ts` replaceEditSchema: `{ path, old_string, new_string, replace_all? }`) and the card
// diffs `old_string` → `new_string`; given the file as it is now, the hunks carry its real line numbers
// and surrounding lines.

import { structuredPatch } from "diff";
import { CARD_LIMITS } from "./limits.js";

export interface EditDiffInput {
  oldText: string;
  newText: string;
  /** Every occurrence is replaced (omp's `replace_all`), not just the first. */
  replaceAll?: boolean;
  /** The file as it is now, when the bot could read it. */
  fileText?: string | undefined;
  /** Lines of unchanged context around each change. */
  context?: number;
}

export interface EditDiff {
  /** Hunks only (`@@ … @@` and ` `/`-`/`+` lines), no file headers. */
  text: string;
  added: number;
  removed: number;
  /**
   * Whether the hunks carry the file's line numbers: false when no file was given or the old text is
   * not in it (the edit would then fail in omp), and the hunks are headed `@@ … @@`.
   */
  located: boolean;
  /** Places the edit changes: 1, or every occurrence with replace_all; 0 when not located. */
  occurrences: number;
}

interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

/**
 * Line edits beyond which the diff gives up (jsdiff's `maxEditLength`): a rewrite of a big file is then
 * shown as all of the old lines removed and all of the new added. Myers' cost grows with lines × edits,
 * and this runs on the bot's event loop: at 4000 a 6000-line rewrite took seconds, at 300 a tenth of
 * that; a diff of more than 300 changed lines would not fit the card's 3000 characters anyway.
 */
const MAX_EDIT_LINES = 300;

const linesOf = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

function hunksOf(before: string, after: string, context: number): Hunk[] {
  const patch = structuredPatch("a", "b", before, after, undefined, undefined, {
    context,
    maxEditLength: MAX_EDIT_LINES,
  });
  if (patch)
    return patch.hunks.map((h) => ({ ...h, lines: h.lines.filter((line) => !line.startsWith("\\")) }));
  const removed = linesOf(before);
  const added = linesOf(after);
  return [
    {
      oldStart: 1,
      oldLines: removed.length,
      newStart: 1,
      newLines: added.length,
      lines: [...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`)],
    },
  ];
}

function render(hunks: readonly Hunk[], located: boolean): Omit<EditDiff, "occurrences" | "located"> {
  let added = 0;
  let removed = 0;
  const out: string[] = [];
  for (const hunk of hunks) {
    out.push(
      located ? `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@` : "@@ … @@",
    );
    for (const line of hunk.lines) {
      if (line.startsWith("+")) added += 1;
      else if (line.startsWith("-")) removed += 1;
      out.push(line);
    }
  }
  return { text: out.join("\n"), added, removed };
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) count += 1;
  return count;
}

export function editDiff(input: EditDiffInput): EditDiff {
  const context = input.context ?? CARD_LIMITS.diffContextLines;
  const { fileText, oldText, newText } = input;
  const found = fileText !== undefined && oldText !== "" ? occurrences(fileText, oldText) : 0;
  if (fileText === undefined || found === 0) {
    return { ...render(hunksOf(oldText, newText, context), false), located: false, occurrences: 0 };
  }
  // Every occurrence with replace_all, else the first. (omp's editor is native code, pi-natives: whether
  // it refuses an ambiguous old_string instead is not verified; the card then shows the first place.)
  const after = input.replaceAll
    ? fileText.split(oldText).join(newText)
    : fileText.replace(oldText, () => newText);
  return {
    ...render(hunksOf(fileText, after, context), true),
    located: true,
    occurrences: input.replaceAll ? found : 1,
  };
}

/** A `write`: the whole new content as additions, or its diff against the file it replaces. */
export function writeDiff(content: string, fileText?: string | undefined): EditDiff {
  const hunks = hunksOf(fileText ?? "", content, CARD_LIMITS.diffContextLines);
  return { ...render(hunks, true), located: true, occurrences: 1 };
}
