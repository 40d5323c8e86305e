// The messages a finished run leaves in its thread: the answer (split, capped), then one closing message
// naming a failure and carrying the attachments. Pure: the controller gathers the facts and sends.

import type { DashboardRunOutcome } from "../dashboard/model.js";
import { answerMessages } from "../format/answer.js";
import { DISPLAY_LIMITS } from "../format/limits.js";
import { escapeMentions, stripControlCharacters, truncateEnd } from "../format/text.js";
import { ATTACHMENT_MAX_BYTES, ERROR_NOTE_CHARS, MAX_ANSWER_MESSAGES } from "./constants.js";
import type { ThreadFile, ThreadMessage } from "./sink.js";

export interface RunEndFacts {
  runNumber: number;
  outcome: DashboardRunOutcome;
  error: string | undefined;
  /** The agent's final answer, already redacted. */
  finalText: string;
  /** Every line of the run was visible on the dashboard, uncut. */
  outputFitted: boolean;
  /** The run's transcript file and its size; undefined when there is none on disk. */
  transcript: { path: string; bytes: number } | undefined;
  /** Default `MAX_ANSWER_MESSAGES`. */
  maxAnswerMessages?: number;
}

const OUTCOME_WORDS: Record<Exclude<DashboardRunOutcome, "success">, string> = {
  failed: "❌ Run #{n} failed",
  timed_out: "⏱️ Run #{n} hit the time limit and was stopped",
  cancelled: "⏹️ Run #{n} was cancelled",
  crashed: "💥 Run #{n} crashed",
};

function outcomeNote(outcome: Exclude<DashboardRunOutcome, "success">, runNumber: number, error?: string) {
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

/** What to post, in order; every message is mention-safe and within Discord's limits. */
export function runEndMessages(facts: RunEndFacts): ThreadMessage[] {
  const max = Math.max(1, Math.floor(facts.maxAnswerMessages ?? MAX_ANSWER_MESSAGES));
  const chunks = answerMessages(facts.finalText);
  const answerCut = chunks.length > max;
  // A cut answer shows its opening in the thread; the whole text is one click away in answer.md.
  const messages: ThreadMessage[] = answerCut ? chunks.slice(0, 1) : chunks;

  const notes: string[] = [];
  const files: ThreadFile[] = [];
  if (facts.outcome !== "success") {
    notes.push(outcomeNote(facts.outcome, facts.runNumber, facts.error));
  } else if (chunks.length === 0) {
    notes.push(`✅ Run #${facts.runNumber} finished without a final answer.`);
  }
  if (answerCut) {
    notes.push(
      `The answer is ${facts.finalText.length} characters long, more than ${max} messages: the whole answer is in answer.md.`,
    );
    files.push({ name: "answer.md", data: Buffer.from(stripControlCharacters(facts.finalText), "utf8") });
  }
  if ((!facts.outputFitted || answerCut) && facts.transcript) {
    const name = transcriptFileName(facts.runNumber);
    if (facts.transcript.bytes <= ATTACHMENT_MAX_BYTES) {
      notes.push(
        facts.outputFitted
          ? `The full transcript of run #${facts.runNumber} is in ${name}.`
          : `The dashboard showed only the last ${DISPLAY_LIMITS.dashboardTailLines} lines: the full transcript of run #${facts.runNumber} is in ${name}.`,
      );
      files.push({ name, path: facts.transcript.path });
    } else {
      notes.push(
        `The transcript of run #${facts.runNumber} (${megabytes(facts.transcript.bytes)}) is too large to attach; it stays on the bot's host.`,
      );
    }
  }
  if (notes.length > 0) {
    messages.push({
      content: notes.join("\n"),
      ...(files.length > 0 ? { files } : {}),
      allowedMentions: { parse: [] },
    });
  }
  return messages;
}
