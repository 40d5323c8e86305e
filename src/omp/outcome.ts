// What one run amounted to: session id, summed usage, final answer, and the exit classification
// judged from events and exit code together (omp exits 0 when `--max-time` hits during a tool). Pure.
import { toPlainText } from "../output/plain-text.js";
import type { RunOutcome } from "../store/schema.js";
import type { OmpEvent } from "./events.js";

export type { RunOutcome };

/** omp's message when its own `--max-time` deadline stops a model request. */
const DEADLINE_MESSAGE = /deadline exceeded/i;
/** omp's first stderr line when it has no model at all (no login, no provider key, no models.yml). */
const NO_MODELS_MESSAGE = /No models available/i;

/**
 * What a person reads when omp has no model: how to give it one. The local playground shows the same
 * words on its page (it matches their start, "omp has no model").
 */
export const NO_MODEL_ERROR =
  "omp has no model to use yet. Log in once with `npx omp` (then /login, and /model to pick one), or set a provider key such as ANTHROPIC_API_KEY or OPENAI_API_KEY where ompcord starts (the environment or .env), then send the prompt again.";

/** Accumulates the facts a run's result needs from its event stream. */
export class RunTally {
  ompSessionId: string | undefined;
  tokens = 0;
  cost = 0;
  agentStarted = false;
  agentEnded = false;
  /** Stop reason and error of the latest assistant message. */
  lastStopReason: string | undefined;
  lastError: string | undefined;
  /** The last provider error seen (a retry can succeed after it). */
  providerError: string | undefined;
  deadlineHit = false;
  #finalText = "";
  #streamingText = "";
  readonly #maxFinalChars: number;

  constructor(options: { maxFinalChars?: number } = {}) {
    this.#maxFinalChars = options.maxFinalChars ?? 64 * 1024;
  }

  /** The last assistant message's text (bounded), without escape sequences or control characters. */
  get finalText(): string {
    return toPlainText(this.#finalText);
  }

  push(event: OmpEvent): void {
    switch (event.type) {
      case "session":
        if (event.id) this.ompSessionId = event.id;
        break;
      case "agent_start":
        this.agentStarted = true;
        this.agentEnded = false;
        break;
      case "agent_end":
        this.agentEnded = true;
        break;
      case "message_start":
        if (event.message.role === "assistant") this.#streamingText = "";
        break;
      case "text_delta":
        if (this.#streamingText.length < this.#maxFinalChars) {
          this.#streamingText = (this.#streamingText + event.delta).slice(0, this.#maxFinalChars);
        }
        break;
      case "message_end": {
        const { message } = event;
        if (message.role !== "assistant") break;
        // Usage is reported on each assistant message_end; a run's total is their sum.
        if (message.usage) {
          this.tokens += message.usage.totalTokens;
          this.cost += message.usage.cost;
        }
        this.lastStopReason = message.stopReason;
        this.lastError = message.errorMessage;
        if (message.errorMessage && DEADLINE_MESSAGE.test(message.errorMessage)) this.deadlineHit = true;
        else if (message.stopReason === "error" && message.errorMessage)
          this.providerError = message.errorMessage;
        const text = message.text || this.#streamingText;
        // A tool-call-only message has no text; keep the previous answer in that case.
        if (text) this.#finalText = text.slice(0, this.#maxFinalChars);
        this.#streamingText = "";
        break;
      }
      case "auto_retry_end":
        if (!event.success && event.finalError) this.providerError = event.finalError;
        break;
      default:
        break;
    }
  }
}

export interface ExitFacts {
  exitCode: number | null;
  signal: string | null;
  /** The runner cancelled the run (cancel()). */
  cancelled: boolean;
  /** The runner's own time limit fired. */
  timedOut: boolean;
  /** The runner ended a run whose usage limit resets later than runs wait: why, for a person. */
  usageWaitRefused?: string | undefined;
  /** The run lasted at least its `--max-time`. */
  reachedTimeLimit: boolean;
  /** The process could not start or died of something other than our signals. */
  spawnError: string | undefined;
  /** The tail of stderr, for error messages. */
  stderrTail: string;
}

export interface Classification {
  outcome: RunOutcome;
  error: string | undefined;
}

function firstMeaningfulLine(text: string): string | undefined {
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .pop();
  return line && line.length > 0 ? line : undefined;
}

/** What a run that omp itself ended at its time limit was doing, for a person. */
function timeLimitError(lastStopReason: string | undefined): string {
  if (lastStopReason === "toolUse") return "The run hit its time limit while a tool was running.";
  if (lastStopReason === undefined) return "The run hit its time limit before omp had answered.";
  return "The run hit its time limit and was stopped.";
}

/** success / failed / timed_out / cancelled / crashed, with a message a person can act on. */
export function classifyRun(tally: RunTally, facts: ExitFacts): Classification {
  const classification = classify(tally, facts);
  // omp colours its errors on stderr, and provider messages are anyone's text: keep them plain.
  return classification.error === undefined
    ? classification
    : { ...classification, error: toPlainText(classification.error) };
}

function classify(tally: RunTally, facts: ExitFacts): Classification {
  if (facts.cancelled) return { outcome: "cancelled", error: undefined };
  if (facts.spawnError) return { outcome: "crashed", error: facts.spawnError };
  if (facts.usageWaitRefused) return { outcome: "failed", error: facts.usageWaitRefused };
  if (facts.timedOut || tally.deadlineHit) {
    return { outcome: "timed_out", error: "The run hit its time limit and was stopped." };
  }
  const stderr = firstMeaningfulLine(facts.stderrTail);
  if (facts.exitCode === 0) {
    // omp exits 0 when its --max-time passes outside a model request: during a tool (the agent ends
    // on a tool call, unanswered) or, on a busy machine, before its first request (no answer at all).
    // Whichever of omp's deadline and the runner's own fires first, the run timed out.
    const answered = tally.lastStopReason === "stop" || tally.lastStopReason === "length";
    if (facts.reachedTimeLimit && !answered && tally.lastStopReason !== "error") {
      return { outcome: "timed_out", error: timeLimitError(tally.lastStopReason) };
    }
    const terminalFailure = tally.lastStopReason === "error" || tally.lastStopReason === "aborted";
    if (terminalFailure) {
      return {
        outcome: "failed",
        error: `The model provider failed: ${tally.lastError ?? tally.providerError}`,
      };
    }
    return { outcome: "success", error: undefined };
  }
  if (facts.exitCode === null) {
    // Killed by a signal we did not send (OOM killer, an operator's kill).
    return {
      outcome: "crashed",
      error: `omp was killed by ${facts.signal ?? "a signal"}${stderr ? `: ${stderr}` : ""}.`,
    };
  }
  // omp names its models file last, which is not what a person needs to read.
  if (facts.exitCode === 1 && !tally.agentStarted && NO_MODELS_MESSAGE.test(facts.stderrTail)) {
    return { outcome: "failed", error: NO_MODEL_ERROR };
  }
  if (facts.exitCode === 1 && (tally.providerError || tally.lastStopReason === "error")) {
    return {
      outcome: "failed",
      error: `The model provider failed: ${tally.lastError ?? tally.providerError}. Check the model's availability and credentials.`,
    };
  }
  if (facts.exitCode === 1 || facts.exitCode === 2) {
    return {
      outcome: "failed",
      error: `omp exited with code ${facts.exitCode}${stderr ? `: ${stderr}` : ""}`,
    };
  }
  return {
    outcome: "crashed",
    error: `omp exited with code ${facts.exitCode}${stderr ? `: ${stderr}` : ""}`,
  };
}
