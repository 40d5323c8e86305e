// The fake model's script language: what one scripted conversation answers, step by step.
// A script is a list of steps; the step used for a request is the number of assistant turns the
// request already holds after its latest user message, so a tool call and the reply that follows it
// need no server-side state and many sessions can run at once.

/** One answer of the fake model. */
export type Step =
  | {
      kind: "text";
      text: string;
      /** Characters per streamed chunk (default: the whole text in one chunk). */
      chunkSize?: number;
      /** Pause between chunks, in ms (default 0). */
      delayMs?: number;
      /** Usage reported with the reply (default: small fixed numbers). */
      usage?: { prompt_tokens: number; completion_tokens: number };
      /** Stream the first `at` characters, tell `reached`, then wait for `until` before the rest. */
      hold?: { at: number; until: Promise<void>; reached?: () => void };
    }
  | { kind: "tool"; name: string; args: Record<string, unknown>; id?: string }
  | { kind: "error"; status: number; message?: string; retryAfterSeconds?: number }
  /** Accept the request and never answer (until the client goes away). */
  | { kind: "hang" };

/** A step, a list of steps, or a function choosing them from the latest user message's text. */
export type Script = Step | Step[] | ((userText: string) => Step | Step[]);

/** A plain text reply. */
export function reply(text: string, options: { chunkSize?: number; delayMs?: number } = {}): Step {
  return { kind: "text", text, ...options };
}

/** A reply streamed slowly: `chunkSize` characters every `delayMs`. */
export function slowReply(text: string, chunkSize = 4, delayMs = 50): Step {
  return { kind: "text", text, chunkSize, delayMs };
}

/** A reply held open mid-answer until the test releases it: a run that is busy for exactly as long as needed. */
export interface HeldReply {
  /** The script: streams `before`, holds the stream open until `release()`, then streams `after`. */
  readonly step: Step;
  /** Resolves once a request has streamed `before` and waits: the run is mid-answer. */
  readonly reached: Promise<void>;
  /** Lets every held request (and any later one) finish. Idempotent. */
  release(): void;
}

/**
 * A reply that waits for an event instead of the clock: `before` is streamed at once, the rest only
 * after `release()`. Use it where a test needs a run busy while it acts (queue, cancel, shutdown):
 * a slow stream ends on its own when a loaded machine makes the test late.
 */
export function heldReply(before: string, after = ""): HeldReply {
  let release!: () => void;
  const until = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached!: () => void;
  const reachedPromise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return {
    step: { kind: "text", text: `${before}${after}`, hold: { at: before.length, until, reached } },
    reached: reachedPromise,
    release,
  };
}

/** A tool call, then (on the request that carries its result) the final reply. */
export function toolThenReply(name: string, args: Record<string, unknown>, finalText: string): Step[] {
  return [
    { kind: "tool", name, args },
    { kind: "text", text: finalText },
  ];
}

/** A `bash` tool call running `command`, then a final reply. */
export function bashThenReply(command: string, finalText = "Done."): Step[] {
  return toolThenReply("bash", { command }, finalText);
}

/** An HTTP error answer (500, 429 …) on every request of the conversation. */
export function httpError(
  status: number,
  message = `fake model error ${status}`,
  retryAfterSeconds = 0,
): Step {
  return { kind: "error", status, message, retryAfterSeconds };
}

/**
 * The provider's usage limit, once: the first request of the script answers "You have hit your usage
 * limit … Your limit will reset in <n>s." and every later one `then` (omp drops the failed turn, so the
 * retry looks like the first request: the script counts requests itself). Use a fresh script per
 * conversation. A hint of a minute or less comes with status 400: omp's HTTP layer retries a 429 with
 * such a hint silently, before any event, and only a longer one reaches the retry that waits for the
 * reset (real providers' usage limits say hours).
 */
export function usageLimitThenReply(resetSeconds: number, then: Step | Step[]): Script {
  let requests = 0;
  const error: Step = {
    kind: "error",
    status: resetSeconds > 60 ? 429 : 400,
    message: `You have hit your usage limit for this plan. Your limit will reset in ${resetSeconds}s.`,
  };
  return () => (requests++ === 0 ? error : then);
}

/** A reply with ANSI colour codes in it. */
export function ansiReply(): Step {
  return reply("\u001b[31mred\u001b[0m and \u001b[1;32mbold green\u001b[0m");
}

/** A reply of `lines` numbered lines. */
export function longReply(lines: number): Step {
  return reply(Array.from({ length: lines }, (_, i) => `line ${i + 1} of ${lines}`).join("\n"), {
    chunkSize: 4096,
  });
}

/** Picks the step for a request that already has `assistantTurns` answers after its user message. */
export function stepFor(script: Script, userText: string, assistantTurns: number): Step {
  const chosen = typeof script === "function" ? script(userText) : script;
  const steps = Array.isArray(chosen) ? chosen : [chosen];
  if (steps.length === 0) return { kind: "text", text: "" };
  // Past the end, keep answering with the last step (a final text reply ends the conversation anyway).
  return steps[Math.min(assistantTurns, steps.length - 1)]!;
}
