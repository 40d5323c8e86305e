// Small text primitives shared by every renderer: safe truncation, mention neutralising, durations.

import { toPlainText } from "../output/plain-text.js";
import { EMPTY_VALUE } from "./limits.js";

const ELLIPSIS = "…";

/** Drops a dangling high surrogate so a cut never leaves half an emoji (an invalid string for Discord). */
function dropBrokenSurrogate(text: string): string {
  if (text.length === 0) return text;
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}

function dropLeadingLowSurrogate(text: string): string {
  if (text.length === 0) return text;
  const first = text.charCodeAt(0);
  return first >= 0xdc00 && first <= 0xdfff ? text.slice(1) : text;
}

/** Keeps the start of `text` within `max` code units, marking a cut with an ellipsis. */
export function truncateEnd(text: string, max: number): string {
  if (max <= 0) return "";
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return dropBrokenSurrogate(text.slice(0, max));
  return dropBrokenSurrogate(text.slice(0, max - ELLIPSIS.length)) + ELLIPSIS;
}

/** Keeps the end of `text` within `max` code units: for output, the newest part is what matters. */
export function truncateStart(text: string, max: number): string {
  if (max <= 0) return "";
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return dropLeadingLowSurrogate(text.slice(text.length - max));
  return ELLIPSIS + dropLeadingLowSurrogate(text.slice(text.length - (max - ELLIPSIS.length)));
}

/** Keeps both ends of a long line (a command and its result are usually at the edges). */
export function truncateMiddle(text: string, max: number): string {
  if (max <= 0) return "";
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length + 1) return truncateEnd(text, max);
  const keep = max - ELLIPSIS.length;
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  return (
    dropBrokenSurrogate(text.slice(0, head)) +
    ELLIPSIS +
    (tail > 0 ? dropLeadingLowSurrogate(text.slice(text.length - tail)) : "")
  );
}

/** A value Discord accepts where empty or blank text is refused (embed field values, titles). */
export function nonEmpty(text: string, fallback: string): string {
  return text.trim().length > 0 ? text : fallback;
}

/**
 * Text fit for Discord: ANSI escape sequences and control characters (except tab and newline) removed
 * by `toPlainText`, the one function for that (sequences first, so none leaves `[32m` behind), CRLF
 * made LF, and lone surrogates (half an emoji, e.g. from a cut elsewhere) replaced with U+FFFD, as
 * Discord expects well-formed text. Everything the bot posts goes through here.
 */
export function stripControlCharacters(text: string): string {
  return toPlainText(text.replace(/\r\n?/g, "\n")).replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    "\ufffd",
  );
}

const ZERO_WIDTH_SPACE = "\u200b";

/**
 * Neutralises mentions so they show as text and can never ping, even if a caller forgets
 * `allowedMentions: { parse: [] }`: `@everyone`, `@here`, and user, role and channel-less mention syntax.
 */
export function escapeMentions(text: string): string {
  return escapeMassMentions(text).replace(/<@([!&]?\d+)>/g, `<@${ZERO_WIDTH_SPACE}$1>`);
}

/**
 * Neutralises only `@everyone` and `@here`, for text the bot writes with intended user mentions
 * (which show as a name in an embed and never ping there).
 */
export function escapeMassMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, `@${ZERO_WIDTH_SPACE}$1`);
}

/**
 * Makes text safe inside a ``` code block: no run of backticks can close the fence early.
 * A zero-width space between backticks keeps them visible and breaks the run.
 */
export function escapeCodeBlock(text: string): string {
  return text.replace(/`(?=`)/g, `\`${ZERO_WIDTH_SPACE}`);
}

/** `3723000` → `1h 2m 3s`; short and stable for embeds. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "0s";
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0 && days === 0) parts.push(`${minutes}m`);
  if (days === 0 && hours === 0) parts.push(`${seconds}s`);
  return parts.join(" ");
}

/** Token counts as people read them: `1234567` → `1,234,567`. */
export function formatTokens(tokens: number): string {
  return Number.isFinite(tokens) ? Math.max(0, Math.round(tokens)).toLocaleString("en-US") : EMPTY_VALUE;
}

/** Cost in dollars with enough precision for cheap runs: `0.00123` → `$0.0012`. */
export function formatCost(cost: number): string {
  if (!Number.isFinite(cost) || cost < 0) return EMPTY_VALUE;
  if (cost === 0) return "$0";
  if (cost < 0.0001) return "<$0.0001";
  if (cost < 0.01) return `$${cost.toFixed(4)}`;
  return `$${cost.toFixed(2)}`;
}

/** `1 prompt`, `2 prompts`: counts in sentences a person reads. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
