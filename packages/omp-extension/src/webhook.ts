// Tier 1, without a bot: an installed copy posts one message to a Discord webhook when the agent
// finishes or fails. The post starts at `agent_end` without holding omp up; `session_shutdown` gives
// posts still on their way a short, capped wait so an `omp -p` run does not exit from under them.

import type { Guard } from "./guard.js";
import { call } from "./http.js";

export const WEBHOOK = {
  /** One post may take this long. */
  timeoutMs: 5_000,
  /** At shutdown, posts on their way get at most this (omp allows shutdown handlers 2 s). */
  shutdownWaitMs: 1_500,
  /** The final answer's excerpt in the message. */
  excerptChars: 1_200,
  /** Discord's limit for a message. */
  contentChars: 2_000,
} as const;

/** What ended, read from `agent_end`'s messages. */
export interface AgentOutcome {
  kind: "finished" | "failed" | "stopped";
  /** The final answer (finished) or the error (failed). */
  text: string;
}

interface Message {
  role?: unknown;
  content?: unknown;
  stopReason?: unknown;
  errorMessage?: unknown;
}

/** The outcome of a prompt from the messages `agent_end` carries. */
export function outcomeOf(messages: readonly unknown[] | undefined): AgentOutcome {
  const assistant = [...(messages ?? [])]
    .reverse()
    .find((m): m is Message => !!m && typeof m === "object" && (m as Message).role === "assistant");
  const text = assistantText(assistant?.content);
  if (assistant?.stopReason === "error") {
    return {
      kind: "failed",
      text: typeof assistant.errorMessage === "string" ? assistant.errorMessage : text,
    };
  }
  if (assistant?.stopReason === "aborted") return { kind: "stopped", text };
  return { kind: "finished", text };
}

function assistantText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((part) => part && typeof part === "object" && (part as { type?: unknown }).type === "text")
    .map((part) => String((part as { text?: unknown }).text ?? ""))
    .join("")
    .trim();
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

/** The message for an outcome; redacted by the caller before it leaves. */
export function webhookMessage(outcome: AgentOutcome, context: { where: string; elapsedMs: number }): string {
  const head = {
    finished: `✅ omp finished in \`${context.where}\` after ${duration(context.elapsedMs)}`,
    failed: `❌ omp failed in \`${context.where}\` after ${duration(context.elapsedMs)}`,
    stopped: `⏹️ omp was stopped in \`${context.where}\` after ${duration(context.elapsedMs)}`,
  }[outcome.kind];
  const body = cut(outcome.text.replace(/`/g, "'"), WEBHOOK.excerptChars);
  const text = body ? `${head}\n${body.replace(/^/gm, "> ")}` : head;
  return cut(text, WEBHOOK.contentChars);
}

export class WebhookNotifier {
  readonly #url: string;
  readonly #username: string;
  readonly #guard: Guard;
  readonly #redact: (text: string) => string;
  readonly #posts = new Set<Promise<void>>();

  constructor(options: { url: string; username: string; guard: Guard; redact: (text: string) => string }) {
    this.#url = options.url;
    this.#username = options.username;
    this.#guard = options.guard;
    this.#redact = options.redact;
  }

  /** Starts the post and returns at once. */
  post(text: string): void {
    const content = this.#redact(text);
    const sent = call(this.#url, {
      method: "POST",
      // Nothing in it may ping anyone, whatever the text says.
      body: { content, username: this.#username, allowed_mentions: { parse: [] } },
      timeoutMs: WEBHOOK.timeoutMs,
      json: false,
    }).then(
      () => undefined,
      (error: unknown) => this.#guard.fail("webhook post", error),
    );
    this.#posts.add(sent);
    void sent.finally(() => this.#posts.delete(sent));
  }

  /** Waits for posts on their way, at most `capMs`. */
  async settle(capMs: number = WEBHOOK.shutdownWaitMs): Promise<void> {
    if (this.#posts.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.#posts),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, capMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
