// Splits long text (an agent's final answer) into Discord messages without breaking code blocks.

import { expectInteger } from "../expect.js";
import { DISCORD_LIMITS } from "./limits.js";

/** A fenced code block that is open: how to reopen it in the next message and how to close it. */
interface Fence {
  readonly reopen: string;
  readonly close: string;
  /** The fence character and length that may close it (CommonMark: same char, at least as long). */
  readonly char: string;
  readonly length: number;
}

interface Line {
  readonly text: string;
  /** The fence open before this line (null outside code). */
  readonly fenceBefore: Fence | null;
  /** The fence open after this line. */
  readonly fenceAfter: Fence | null;
}

const OPENING_FENCE = /^ {0,3}(`{3,}|~{3,})([^`]*)$/;
/** A reopened fence longer than this drops its info string: keeping the language is a nicety, not a need. */
const REOPEN_MAX = 30;
/** Below this share of the limit, a chunk is too short to be worth a "nicer" split point. */
const MIN_FILL = 0.5;
/** A long line is broken at whitespace only if that keeps at least this share of the piece. */
const MIN_WORD_BREAK_FILL = 0.8;
const MIN_LIMIT = 20;

function annotate(rawLines: readonly string[]): Line[] {
  const lines: Line[] = [];
  let open: Fence | null = null;
  for (const text of rawLines) {
    const before: Fence | null = open;
    if (open === null) {
      const match = OPENING_FENCE.exec(text);
      if (match) {
        const marker = match[1]!;
        const header = `${marker}${match[2]!.trim()}`;
        open = {
          reopen: header.length <= REOPEN_MAX ? header : marker,
          close: marker,
          char: marker[0]!,
          length: marker.length,
        };
      }
    } else {
      const trimmed = text.trim();
      if (trimmed.length >= open.length && [...trimmed].every((c) => c === open!.char)) open = null;
    }
    lines.push({ text, fenceBefore: before, fenceAfter: open });
  }
  return lines;
}

const prefixLength = (line: Line): number => (line.fenceBefore ? line.fenceBefore.reopen.length + 1 : 0);
const suffixLength = (line: Line): number => (line.fenceAfter ? line.fenceAfter.close.length + 1 : 0);

function cutPoint(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff && at > 1 ? at - 1 : at;
}

/** Breaks a line that cannot fit in any message on its own into pieces that each can. */
function splitLongLine(line: Line, limit: number): Line[] {
  const room = limit - prefixLength(line) - suffixLength(line);
  if (line.text.length <= room || room < MIN_LIMIT) return [line];
  const pieces: Line[] = [];
  let rest = line.text;
  while (rest.length > room) {
    let at = cutPoint(rest, room);
    const space = rest.lastIndexOf(" ", at - 1);
    if (space + 1 >= Math.ceil(room * MIN_WORD_BREAK_FILL)) at = space + 1;
    pieces.push({ text: rest.slice(0, at), fenceBefore: line.fenceBefore, fenceAfter: line.fenceBefore });
    rest = rest.slice(at);
  }
  pieces.push({ text: rest, fenceBefore: line.fenceBefore, fenceAfter: line.fenceAfter });
  return pieces;
}

/** Last-resort cut for pathological input (e.g. a fence marker of a thousand backticks). */
function hardSplit(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const at = cutPoint(rest, limit);
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  parts.push(rest);
  return parts;
}

/**
 * Splits `text` into messages of at most `limit` characters. Breaks prefer paragraph boundaries, then
 * line boundaries outside code blocks, then any line boundary; a code block cut between two messages is
 * closed at the end of the first and reopened with the same language at the start of the next. A line
 * longer than a message is cut, at a space when one is near. Blank input gives no messages.
 */
export function splitMessage(text: string, limit: number = DISCORD_LIMITS.messageContent): string[] {
  expectInteger("limit", limit, MIN_LIMIT);
  const normalized = text.replace(/\r\n?/g, "\n");
  if (normalized.trim() === "") return [];
  if (normalized.length <= limit) return [normalized];

  const lines = annotate(normalized.split("\n")).flatMap((line) => splitLongLine(line, limit));
  const cumulative = [0];
  for (const line of lines) cumulative.push(cumulative.at(-1)! + line.text.length);
  const size = (from: number, to: number): number =>
    prefixLength(lines[from]!) +
    (cumulative[to]! - cumulative[from]!) +
    (to - from - 1) +
    suffixLength(lines[to - 1]!);
  const outsideCode = (line: Line): boolean => line.fenceBefore === null && line.fenceAfter === null;

  /** The nicest end (exclusive) for a chunk starting at `from` that could reach `maxEnd`. */
  const chooseEnd = (from: number, maxEnd: number): number => {
    const minSize = limit * MIN_FILL;
    for (let end = maxEnd; end > from + 1 && size(from, end) >= minSize; end--) {
      const last = lines[end - 1]!;
      if (outsideCode(last) && last.text.trim() === "") return end;
    }
    for (let end = maxEnd; end > from + 1 && size(from, end) >= minSize; end--) {
      if (lines[end - 1]!.fenceAfter === null) return end;
    }
    // Never end a message on a line that only opens a code block: it would show an empty block.
    const last = lines[maxEnd - 1]!;
    if (maxEnd - 1 > from && last.fenceBefore === null && last.fenceAfter !== null) return maxEnd - 1;
    return maxEnd;
  };

  const render = (from: number, to: number): string => {
    const first = lines[from]!;
    const last = lines[to - 1]!;
    const body = lines
      .slice(from, to)
      .map((line) => line.text)
      .join("\n");
    return `${first.fenceBefore ? `${first.fenceBefore.reopen}\n` : ""}${body}${last.fenceAfter ? `\n${last.fenceAfter.close}` : ""}`;
  };

  const chunks: string[] = [];
  let from = 0;
  while (from < lines.length) {
    let end = from + 1;
    while (end < lines.length && size(from, end + 1) <= limit) end++;
    if (end < lines.length) end = chooseEnd(from, end);
    const chunk = render(from, end);
    if (chunk.trim() !== "") chunks.push(...hardSplit(chunk, limit));
    from = end;
  }
  return chunks;
}
