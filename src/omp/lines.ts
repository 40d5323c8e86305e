// Turns omp's events into readable one-line `OutputLine`s for the dashboard and the transcript:
// assistant text line by line, `▶ bash: ls`, `✓`/`✗` tool results with their output, retries and
// errors. ANSI and other control characters are stripped from everything. Pure (one instance per run).
import { toPlainText } from "../output/plain-text.js";
import type { OmpEvent } from "./events.js";

export interface OutputLine {
  kind: "assistant" | "tool" | "tool_result" | "retry" | "error" | "text" | "info";
  text: string;
  /**
   * The line goes on in the next one: a long line without a break, shown in pieces. The redactor must
   * see across the cut (a secret can straddle it); consumers after the redactor never see this flag.
   */
  continues?: true;
}

/** Longest command or argument summary shown after `▶ tool:`. */
const TOOL_SUMMARY_MAX_CHARS = 200;
/** Assistant text without a line break is shown in pieces of this size rather than held forever. */
const ASSISTANT_LINE_MAX_CHARS = 16 * 1024;
/** Longest error message kept on one line. */
const ERROR_MAX_CHARS = 500;

/**
 * Text safe to show: no ANSI sequences, no control characters, no trailing spaces (kept with `trim`
 * false: a piece of a longer line, where dropping them would join two words across the cut).
 */
export function cleanText(text: string, trim = true): string {
  const clean = toPlainText(text);
  return trim ? clean.trimEnd() : clean;
}

/** A word cut short is dropped when it is no longer than this: it could be the head of a secret. */
const CUT_WORD_MAX_CHARS = 256;

/**
 * `text` without its last word when that word was cut off (`text` is the head of something longer)
 * and is short enough to be a secret's head: such cuts come before redaction, and the head of a token
 * no longer has the token's shape. A longer run (a 1 MiB line of `A`s) is kept.
 */
export function dropCutWord(text: string): string {
  let i = text.length;
  while (i > 0 && text.length - i <= CUT_WORD_MAX_CHARS && !/\s/.test(text[i - 1]!)) i--;
  return text.length - i > CUT_WORD_MAX_CHARS ? text : text.slice(0, i).trimEnd();
}

/** The same for the first word of a text that is the tail of something longer (the end of stderr). */
export function dropCutWordAtStart(text: string): string {
  let i = 0;
  while (i < text.length && i <= CUT_WORD_MAX_CHARS && !/\s/.test(text[i]!)) i++;
  return i > CUT_WORD_MAX_CHARS ? text : text.slice(i).trimStart();
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  // The whole head one word: keep it (the redactor sees its start, which is where shapes begin).
  return `${dropCutWord(head) || head}…`;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim().length > 0) ?? "";
  return cleanText(line);
}

/** `bash: ls -la`, `read: src/index.ts`, or the tool name with its arguments as JSON. */
export function toolSummary(toolName: string, args: Record<string, unknown>): string {
  const primary = args.command ?? args.path ?? args.file_path ?? args.pattern ?? args.query ?? args.url;
  const detail =
    typeof primary === "string" ? primary : Object.keys(args).length > 0 ? JSON.stringify(args) : "";
  const oneLine = cleanText(detail.replace(/\s*\n\s*/g, " ⏎ "));
  return oneLine ? `${toolName}: ${shorten(oneLine, TOOL_SUMMARY_MAX_CHARS)}` : toolName;
}

/** Splits into lines, cleaning each (CRLF and lone CR too). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n|\r/).map((line) => cleanText(line));
}

/** Builds readable lines from one run's events; keeps partial assistant text until its line ends. */
export class LineRenderer {
  #pendingAssistant = "";

  /** The lines this event completes (often none: text arrives in pieces). */
  push(event: OmpEvent): OutputLine[] {
    switch (event.type) {
      case "text_delta":
        return this.#assistantDelta(event.delta);
      case "message_end": {
        if (event.message.role !== "assistant") return [];
        const lines = this.#flushAssistant();
        const { stopReason, errorMessage } = event.message;
        if (stopReason === "error" || stopReason === "aborted") {
          const reason = errorMessage ? shorten(firstLine(errorMessage), ERROR_MAX_CHARS) : stopReason;
          lines.push({
            kind: "error",
            text: `✗ model ${stopReason === "aborted" ? "stopped" : "error"}: ${reason}`,
          });
        }
        return lines;
      }
      case "tool_execution_start":
        return [
          ...this.#flushAssistant(),
          { kind: "tool", text: `▶ ${toolSummary(event.toolName, event.args)}` },
        ];
      case "tool_execution_end": {
        const output = event.text.replace(/\n+$/, "");
        const outputLines = output.length > 0 ? splitLines(output) : [];
        const mark = event.isError ? "✗" : "✓";
        const preview = outputLines.length > 0 ? `: ${shorten(firstLine(output), 120)}` : "";
        const count = outputLines.length > 1 ? ` (${outputLines.length} lines)` : "";
        return [
          { kind: "tool_result", text: `${mark} ${event.toolName}${count}${preview}` },
          ...outputLines.map((text) => ({ kind: "tool_result" as const, text: `  ${text}` })),
        ];
      }
      case "auto_retry_start": {
        const seconds = (event.delayMs / 1000).toFixed(1);
        const reason = shorten(firstLine(event.errorMessage), ERROR_MAX_CHARS);
        return [
          { kind: "retry", text: `↻ retry ${event.attempt}/${event.maxAttempts} in ${seconds} s: ${reason}` },
        ];
      }
      case "auto_retry_end":
        if (event.success) return [{ kind: "retry", text: `↻ retry ${event.attempt} succeeded` }];
        return [
          {
            kind: "error",
            text: `✗ gave up after ${event.attempt} retries: ${shorten(firstLine(event.finalError ?? "unknown error"), ERROR_MAX_CHARS)}`,
          },
        ];
      case "auto_compaction_start":
        return [
          { kind: "info", text: `⇊ compacting the conversation${event.reason ? ` (${event.reason})` : ""}…` },
        ];
      case "auto_compaction_end":
        if (event.errorMessage && !event.skipped) {
          return [
            {
              kind: "error",
              text: `✗ compaction failed: ${shorten(firstLine(event.errorMessage), ERROR_MAX_CHARS)}`,
            },
          ];
        }
        if (event.aborted || event.skipped) return [];
        return [{ kind: "info", text: "⇊ conversation compacted" }];
      case "retry_fallback_applied":
        return [
          { kind: "retry", text: `↪ fell back to ${cleanText(event.to)} (from ${cleanText(event.from)})` },
        ];
      case "notice":
        return [
          {
            kind: event.level === "error" ? "error" : "info",
            text: `${event.level}: ${shorten(firstLine(event.message), ERROR_MAX_CHARS)}`,
          },
        ];
      case "agent_end":
        return this.#flushAssistant();
      default:
        return [];
    }
  }

  /** A stdout line that is not an omp event, shown as is (cleaned). */
  text(raw: string): OutputLine[] {
    return splitLines(raw).map((text) => ({ kind: "text" as const, text }));
  }

  /** Whatever assistant text is still waiting for its line end (call when the run ends). */
  end(): OutputLine[] {
    return this.#flushAssistant();
  }

  #assistantDelta(delta: string): OutputLine[] {
    this.#pendingAssistant += delta;
    const parts = this.#pendingAssistant.split("\n");
    this.#pendingAssistant = parts.pop() ?? "";
    const lines: OutputLine[] = parts.map((text) => ({ kind: "assistant", text: cleanText(text) }));
    while (this.#pendingAssistant.length > ASSISTANT_LINE_MAX_CHARS) {
      lines.push({
        kind: "assistant",
        text: cleanText(this.#pendingAssistant.slice(0, ASSISTANT_LINE_MAX_CHARS), false),
        continues: true,
      });
      this.#pendingAssistant = this.#pendingAssistant.slice(ASSISTANT_LINE_MAX_CHARS);
    }
    return lines;
  }

  #flushAssistant(): OutputLine[] {
    if (this.#pendingAssistant.length === 0) return [];
    const text = cleanText(this.#pendingAssistant);
    this.#pendingAssistant = "";
    return [{ kind: "assistant", text }];
  }
}
