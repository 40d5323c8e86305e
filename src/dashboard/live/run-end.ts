// The messages a finished run leaves in its thread: the answer (split, capped), then one closing message
// naming a failure and carrying the attachments, each with the fallback the outbox posts if Discord
// refuses it. Pure: the controller gathers the facts and hands the entries to the outbox.

import { answerMessages } from "../../format/answer.js";
import { DISCORD_LIMITS, DISPLAY_LIMITS } from "../../format/limits.js";
import { escapeMentions, stripControlCharacters, truncateEnd, truncateMiddle } from "../../format/text.js";
import type { RunOutcome } from "../../store/index.js";
import { ATTACHMENT_MAX_BYTES, ERROR_NOTE_CHARS, MAX_ANSWER_MESSAGES } from "./constants.js";
import type { OutboxEntry } from "./outbox.js";
import type { ThreadFile } from "./sink.js";

export interface RunEndFacts {
  runNumber: number;
  outcome: RunOutcome;
  error: string | undefined;
  /** The agent's final answer, already redacted. */
  finalText: string;
  /** Every line of the run was visible on the dashboard, uncut. */
  outputFitted: boolean;
  /** The run's transcript file and its size; undefined when there is none on disk. */
  transcript: { path: string; bytes: number } | undefined;
  /** Where the transcript is on the host, named by the fallbacks (default `transcript.path`). */
  transcriptPath?: string | undefined;
  /** Default `MAX_ANSWER_MESSAGES`. */
  maxAnswerMessages?: number;
}

const OUTCOME_WORDS: Record<Exclude<RunOutcome, "success">, string> = {
  failed: "❌ Run #{n} failed",
  timed_out: "⏱️ Run #{n} hit the time limit and was stopped",
  cancelled: "⏹️ Run #{n} was cancelled",
  crashed: "💥 Run #{n} crashed",
};

function outcomeNote(outcome: Exclude<RunOutcome, "success">, runNumber: number, error?: string) {
  const head = OUTCOME_WORDS[outcome].replace("{n}", String(runNumber));
  const reason = truncateEnd(escapeMentions(stripControlCharacters(error ?? "")).trim(), ERROR_NOTE_CHARS);
  return reason ? `${head}: ${reason}` : `${head}.`;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function transcriptFileName(runNumber: number): string {
  return `transcript-run${runNumber}.log`;
}

/** Where the run's transcript is on the host, as a fallback names it (a path a person can copy). */
function hostPath(path: string): string {
  const clean = stripControlCharacters(path).replace(/`/g, "'");
  return `\`${truncateMiddle(clean, 500)}\``;
}

/**
 * The outbox entries for an ended run: the answer's messages, then the closing note with its files. Each
 * carries the fallback posted instead when Discord refuses it for good, naming where the transcript is
 * on the host (it holds the whole run, the answer included).
 */
export function runEndEntries(facts: RunEndFacts): OutboxEntry[] {
  const max = Math.max(1, Math.floor(facts.maxAnswerMessages ?? MAX_ANSWER_MESSAGES));
  const run = `run #${facts.runNumber}`;
  const path = facts.transcriptPath ?? facts.transcript?.path;
  const where = path ? `: the transcript of ${run} is on the bot's host at ${hostPath(path)}` : ".";
  const chunks = answerMessages(facts.finalText);
  const answerCut = chunks.length > max;
  // A cut answer shows its opening in the thread; the whole text is one click away in answer.md.
  const entries: OutboxEntry[] = (answerCut ? chunks.slice(0, 1) : chunks).map((message) => ({
    kind: "answer",
    message,
    fallback: `⚠️ Part of the answer of ${run} could not be posted here${where}`,
  }));

  // Lines about an attached file are left out of the fallback, which goes without the files.
  const notes: { text: string; aboutFiles: boolean }[] = [];
  const files: ThreadFile[] = [];
  if (facts.outcome !== "success") {
    notes.push({ text: outcomeNote(facts.outcome, facts.runNumber, facts.error), aboutFiles: false });
  } else if (chunks.length === 0) {
    notes.push({ text: `✅ Run #${facts.runNumber} finished without a final answer.`, aboutFiles: false });
  }
  if (answerCut) {
    notes.push({
      text: `The answer is ${facts.finalText.length} characters long, more than ${max} messages: the whole answer is in answer.md.`,
      aboutFiles: true,
    });
    files.push({ name: "answer.md", data: Buffer.from(stripControlCharacters(facts.finalText), "utf8") });
  }
  if ((!facts.outputFitted || answerCut) && facts.transcript) {
    const name = transcriptFileName(facts.runNumber);
    if (facts.transcript.bytes <= ATTACHMENT_MAX_BYTES) {
      notes.push({
        text: facts.outputFitted
          ? `The full transcript of run #${facts.runNumber} is in ${name}.`
          : `The dashboard showed only the last ${DISPLAY_LIMITS.dashboardTailLines} lines: the full transcript of run #${facts.runNumber} is in ${name}.`,
        aboutFiles: true,
      });
      files.push({ name, path: facts.transcript.path });
    } else {
      notes.push({
        text: `The transcript of run #${facts.runNumber} (${megabytes(facts.transcript.bytes)}) is too large to attach; it stays on the bot's host.`,
        aboutFiles: false,
      });
    }
  }
  if (notes.length > 0) {
    const kept = notes.filter((note) => !note.aboutFiles).map((note) => note.text);
    const fallback =
      files.length > 0
        ? [...kept, `⚠️ ${files.map((file) => file.name).join(" and ")} could not be attached${where}`]
        : [`⚠️ The closing note of ${run} could not be posted here${where}`];
    entries.push({
      kind: "note",
      message: {
        content: notes.map((note) => note.text).join("\n"),
        ...(files.length > 0 ? { files } : {}),
        allowedMentions: { parse: [] },
      },
      fallback: truncateEnd(fallback.join("\n"), DISCORD_LIMITS.messageContent - 400),
    });
  }
  return entries;
}
