// Terminal mirroring, the extension's side: an installed copy with `mirror` settings (the bot's sidecar
// URL and a named token the bot issued its owner) shows this omp session in a Discord thread, opt-in per
// session (`/ompcord-mirror` in omp, `OMPCORD_MIRROR=1`, or `auto` for interactive sessions; never for
// `omp -p` unless the variable asks). It sends the whole event stream (there is no stdout to read),
// slimmed and redacted, in batches from a bounded queue that never blocks the agent, and takes the
// owner's steering into the running agent with the same exactly-once channel as a bot run.

import { basename } from "node:path";
import type { ExtensionAPI, ExtensionContext } from "@oh-my-pi/pi-coding-agent";
import {
  type AckAnswer,
  MIRROR_CONTEXT_EVENT,
  MIRROR_ENV,
  MIRROR_EVENTS_MAX,
  MIRROR_ROUTES,
  MIRROR_STEERED_EVENT,
  type PollAnswer,
} from "../../../src/extension-protocol.js";
import type { Guard } from "./guard.js";
import { CallError, call } from "./http.js";
import { type LeasedMessage, STEERING, SteeringChannel, type SteeringTransport } from "./steering.js";

/** The `mirror` block of the installed settings (`ompcord.json`). */
export interface MirrorSettings {
  /** The bot's sidecar, `http://127.0.0.1:8901` (http only on this machine). */
  apiUrl: string;
  /** A named token from `/omp token action:issue`: acts for its owner only, revocable. */
  token: string;
  /** Mirror every interactive session without asking (default false). */
  auto?: boolean;
}

/** The omp slash command that turns mirroring on (`/ompcord-mirror`) or off (`/ompcord-mirror off`). */
export const MIRROR_COMMAND = "ompcord-mirror";

export const MIRROR_LIMITS = {
  /** Events waiting to be sent; past it the oldest go (a mirror may lose lines, never block omp). */
  queueMax: 2000,
  /** How long events gather before a send, so a stream of deltas travels in a few requests. */
  flushDelayMs: 250,
  /** One request. */
  timeoutMs: 10_000,
  /** After a failed send: wait before the next. */
  retryMs: 2000,
  /** At `session_shutdown`: the last events and the close get at most this. */
  shutdownMs: 400,
  /** Longest text kept in one string of an event (tool output, messages); the dashboard shows less. */
  stringMax: 4000,
} as const;

/** What is wrong with a `mirror` settings block, or undefined when it can be used. */
export function mirrorSettingsProblem(value: unknown): string | undefined {
  if (!value || typeof value !== "object") return "is not an object with `apiUrl` and `token`";
  const { apiUrl, token } = value as Partial<MirrorSettings>;
  if (typeof token !== "string" || token.trim() === "") return "has no `token` (issue one with /omp token)";
  if (typeof apiUrl !== "string") return "has no `apiUrl`";
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return "has an `apiUrl` that is not a URL";
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol === "https:" || (url.protocol === "http:" && loopback)) return undefined;
  return "has an `apiUrl` that is neither https:// nor http:// on this machine (the token would travel in the clear)";
}

/** Whether this session is mirrored from its start: the variable decides, else `auto` for interactive omp. */
export function mirrorFromStart(
  env: Record<string, string | undefined>,
  settings: MirrorSettings,
  hasUI: boolean,
): boolean {
  const flag = env[MIRROR_ENV]?.trim();
  if (flag === "1" || flag === "true") return true;
  if (flag === "0" || flag === "false") return false;
  return settings.auto === true && hasUI;
}

type Json = Record<string, unknown>;

/** The text parts of a message's content (what the dashboard shows); images and thinking left out. */
function textParts(content: unknown): unknown {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return [];
  return content.filter((part) => (part as Json)?.type === "text");
}

/**
 * What of an omp event the bot reads, or undefined for events not worth a request (tool progress,
 * thinking deltas). `agent_end` and `turn_end` repeat the conversation: only their type goes.
 */
export function slimEvent(event: Json): Json | undefined {
  const type = event?.type;
  if (typeof type !== "string") return undefined;
  switch (type) {
    case "message_start":
    case "message_end": {
      const message = (event.message ?? {}) as Json;
      return {
        type,
        message: {
          role: message.role,
          content: textParts(message.content),
          usage: message.usage,
          stopReason: message.stopReason,
          errorMessage: message.errorMessage,
          ...(message.steering === true ? { steering: true } : {}),
        },
      };
    }
    case "message_update": {
      const inner = (event.assistantMessageEvent ?? {}) as Json;
      if (inner.type !== "text_delta") return undefined;
      return { type, assistantMessageEvent: { type: "text_delta", delta: inner.delta } };
    }
    case "tool_execution_start":
      return { type, toolCallId: event.toolCallId, toolName: event.toolName, args: event.args };
    case "tool_execution_end": {
      const result = (event.result ?? {}) as Json;
      return {
        type,
        toolCallId: event.toolCallId,
        toolName: event.toolName,
        result: { content: textParts(result.content) },
        isError: event.isError === true,
      };
    }
    case "tool_execution_update":
      return undefined;
    case "agent_start":
    case "agent_end":
    case "turn_start":
    case "turn_end":
      return { type };
    case "auto_compaction_end":
      return {
        type,
        aborted: event.aborted,
        willRetry: event.willRetry,
        skipped: event.skipped,
        errorMessage: event.errorMessage,
      };
    default:
      return { ...event };
  }
}

/** Every string in `value` redacted and capped; other values as they are. */
function cleanStrings(value: unknown, redact: (text: string) => string, depth = 0): unknown {
  if (typeof value === "string")
    return redact(value.length > MIRROR_LIMITS.stringMax ? value.slice(0, MIRROR_LIMITS.stringMax) : value);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => cleanStrings(item, redact, depth + 1));
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) out[key] = cleanStrings(item, redact, depth + 1);
  return out;
}

/** The mirror routes with the owner's named token. */
export class MirrorClient implements SteeringTransport {
  readonly #base: string;
  readonly #token: string;
  #id: string | undefined;

  constructor(settings: MirrorSettings) {
    this.#base = settings.apiUrl.replace(/\/+$/, "");
    this.#token = settings.token;
  }

  get mirrorId(): string | undefined {
    return this.#id;
  }

  #route(template: string): string {
    return `${this.#base}${template.replace(":id", encodeURIComponent(this.#id ?? ""))}`;
  }

  async open(title: string, cwd: string, signal?: AbortSignal): Promise<string> {
    const answer = await call(`${this.#base}${MIRROR_ROUTES.open}`, {
      method: "POST",
      token: this.#token,
      body: { title, cwd },
      timeoutMs: MIRROR_LIMITS.timeoutMs,
      signal,
    });
    const id = (answer.body as { mirror_id?: unknown } | undefined)?.mirror_id;
    if (typeof id !== "string") throw new CallError("malformed_json", "the answer has no mirror_id");
    this.#id = id;
    return id;
  }

  async send(events: readonly Json[], signal?: AbortSignal): Promise<void> {
    await call(this.#route(MIRROR_ROUTES.events), {
      method: "POST",
      token: this.#token,
      body: { events },
      timeoutMs: MIRROR_LIMITS.timeoutMs,
      signal,
    });
  }

  async poll(waitMs: number, signal: AbortSignal): Promise<LeasedMessage[]> {
    const answer = await call(`${this.#route(MIRROR_ROUTES.poll)}?wait_ms=${waitMs}`, {
      token: this.#token,
      timeoutMs: waitMs + STEERING.pollSlackMs,
      signal,
    });
    const messages = (answer.body as Partial<PollAnswer> | undefined)?.messages;
    return Array.isArray(messages) ? messages.map((m) => ({ id: m.id, content: m.content })) : [];
  }

  async ack(ids: readonly string[], signal: AbortSignal): Promise<string[]> {
    const answer = await call(this.#route(MIRROR_ROUTES.ack), {
      method: "POST",
      token: this.#token,
      body: { ids },
      timeoutMs: MIRROR_LIMITS.timeoutMs,
      signal,
    });
    const acknowledged = (answer.body as Partial<AckAnswer> | undefined)?.acknowledged;
    return Array.isArray(acknowledged) ? acknowledged.filter((id) => typeof id === "string") : [];
  }

  async close(signal?: AbortSignal): Promise<void> {
    await call(this.#route(MIRROR_ROUTES.close), {
      method: "POST",
      token: this.#token,
      body: {},
      timeoutMs: MIRROR_LIMITS.timeoutMs,
      signal,
    });
  }
}

/** One session's mirror: opened once, events queued and sent in the background, steering taken in. */
export class TerminalMirror {
  readonly #client: MirrorClient;
  readonly #guard: Guard;
  readonly #redact: (text: string) => string;
  readonly #steering: SteeringChannel;
  #queue: Json[] = [];
  #dropped = 0;
  #state: "off" | "opening" | "open" | "closed" = "off";
  #sending: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: {
    settings: MirrorSettings;
    guard: Guard;
    redact: (text: string) => string;
    steer: (text: string) => void;
    client?: MirrorClient;
  }) {
    this.#client = options.client ?? new MirrorClient(options.settings);
    this.#guard = options.guard;
    this.#redact = options.redact;
    this.#steering = new SteeringChannel({
      transport: this.#client,
      target: { steer: options.steer },
      guard: options.guard,
      healthy: () => this.#state === "open",
    });
  }

  get active(): boolean {
    return this.#state === "opening" || this.#state === "open";
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Opens the mirror (once); events pushed meanwhile wait in the queue. Never throws, never blocks. */
  start(title: string, cwd: string): void {
    if (this.#state !== "off") return;
    this.#state = "opening";
    void this.#client
      .open(this.#redact(title), this.#redact(cwd))
      .then(() => {
        if (this.#state !== "opening") return;
        this.#state = "open";
        this.#steering.start();
        this.#schedule(0);
      })
      .catch((error: unknown) => {
        this.#state = "closed";
        this.#queue = [];
        this.#guard.fail("mirror open", error);
      });
  }

  /** One omp event; cheap, synchronous. */
  push(event: Json): void {
    if (!this.active) return;
    const slim = slimEvent(event);
    if (!slim) return;
    this.#queue.push(cleanStrings(slim, this.#redact) as Json);
    this.#trim();
    if (this.#state === "open") this.#schedule(MIRROR_LIMITS.flushDelayMs);
  }

  /** The context window in use, as an event of the mirror's own. */
  pushContext(usage: { tokens: number; contextWindow: number }): void {
    this.push({
      type: MIRROR_CONTEXT_EVENT,
      tokens: Math.round(usage.tokens),
      contextWindow: usage.contextWindow,
    });
  }

  agentBusy(): void {
    if (this.active) this.#steering.agentBusy();
  }

  messageStarted(message: { role?: unknown; steering?: unknown; content?: unknown } | undefined): void {
    if (this.active) this.#steering.messageStarted(message);
  }

  /** Last events and the close, capped: omp is exiting. */
  async stop(capMs: number = MIRROR_LIMITS.shutdownMs): Promise<void> {
    if (this.#state !== "open") {
      this.#state = "closed";
      return;
    }
    const signal = AbortSignal.timeout(capMs);
    if (this.#timer) clearTimeout(this.#timer);
    try {
      await Promise.all([
        this.#steering.shutdown(capMs),
        (async () => {
          await this.#sending;
          await this.#flush(signal);
          this.#state = "closed";
          await this.#client.close(signal);
        })(),
      ]);
    } catch (error) {
      this.#guard.fail("mirror close", error);
    } finally {
      this.#state = "closed";
    }
  }

  /** Oldest out past the cap, counted. */
  #trim(): void {
    const over = this.#queue.length - MIRROR_LIMITS.queueMax;
    if (over <= 0) return;
    this.#queue.splice(0, over);
    this.#dropped += over;
  }

  #schedule(delayMs: number): void {
    if (this.#timer || this.#sending) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sending = this.#flush()
        .catch((error: unknown) => this.#failed(error))
        .finally(() => {
          this.#sending = undefined;
          if (this.#queue.length > 0 && this.#state === "open") this.#schedule(MIRROR_LIMITS.flushDelayMs);
        });
    }, delayMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async #flush(signal?: AbortSignal): Promise<void> {
    while (this.#queue.length > 0 && this.#state === "open") {
      // Taken out before the send: events pushed meanwhile may push the oldest out of the queue.
      const batch = this.#queue.splice(0, MIRROR_EVENTS_MAX);
      try {
        await this.#client.send(batch, signal);
      } catch (error) {
        this.#queue.unshift(...batch);
        this.#trim();
        throw error;
      }
    }
  }

  #failed(error: unknown): void {
    this.#guard.fail("mirror send", error);
    // A refusal that will not change (the token was revoked, the mirror closed): stop mirroring.
    if (error instanceof CallError && !error.retryable) {
      this.#state = "closed";
      this.#queue = [];
      void this.#steering.shutdown(0);
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#schedule(0);
    }, MIRROR_LIMITS.retryMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }
}

/** omp's events a mirror forwards (the rest of what `pi.on` offers is not shown on a dashboard). */
const FORWARDED = [
  "agent_start",
  "agent_end",
  "turn_start",
  "turn_end",
  "message_start",
  "message_update",
  "message_end",
  "tool_execution_start",
  "tool_execution_end",
  "auto_retry_start",
  "auto_retry_end",
  "auto_compaction_start",
  "auto_compaction_end",
  "retry_fallback_applied",
] as const;

/**
 * Registers the mirror on an installed copy's root instance: the `/ompcord-mirror` command and the
 * event handlers (which do nothing until the session is mirrored).
 */
export function registerMirror(
  pi: ExtensionAPI,
  options: {
    settings: MirrorSettings;
    guard: Guard;
    redact: (text: string) => string;
    env: Record<string, string | undefined>;
  },
): TerminalMirror {
  const { guard } = options;
  const mirror = new TerminalMirror({
    settings: options.settings,
    guard,
    redact: options.redact,
    steer: (text) => {
      pi.sendUserMessage(text, { deliverAs: "steer" });
      // omp holds it for the turn from now on: the thread can say so before omp shows it arriving.
      mirror.push({ type: MIRROR_STEERED_EVENT });
    },
  });
  let root = true;
  const on = (event: string, handler: (event: never, ctx: ExtensionContext) => unknown) =>
    (pi.on as (event: string, handler: (event: unknown, ctx: ExtensionContext) => unknown) => void)(
      event,
      guard.wrap(
        `mirror ${event} handler`,
        handler as (event: unknown, ctx: ExtensionContext) => unknown,
        undefined,
      ),
    );
  const start = (ctx: ExtensionContext) => mirror.start(basename(ctx.cwd) || ctx.cwd, ctx.cwd);
  const reportContext = (ctx: ExtensionContext) => {
    const usage = ctx.getContextUsage();
    if (usage && Number.isFinite(usage.tokens) && usage.contextWindow > 0) mirror.pushContext(usage);
  };

  pi.registerCommand(MIRROR_COMMAND, {
    description: "Mirror this session to its ompcord Discord thread (`off` to stop)",
    handler: guard.wrap(
      "mirror command",
      async (args: unknown, ctx: ExtensionContext) => {
        if (String(args ?? "").trim() === "off") {
          await mirror.stop();
          return;
        }
        start(ctx);
      },
      undefined,
    ) as (args: string, ctx: ExtensionContext) => Promise<void>,
  });
  on("session_start", (_event, ctx) => {
    root = ctx.sessionManager.getHeader()?.parentSession === undefined;
    if (root && mirrorFromStart(options.env, options.settings, ctx.hasUI)) start(ctx);
  });
  for (const name of FORWARDED) {
    on(name, (event: Json, ctx) => {
      if (!root || !mirror.active) return;
      mirror.push(event);
      if (name === "agent_start" || name === "turn_start") mirror.agentBusy();
      if (name === "message_start") mirror.messageStarted((event as { message?: never }).message);
      if (name === "turn_end" || name === "agent_end") reportContext(ctx);
    });
  }
  on("session_shutdown", async () => {
    await mirror.stop();
  });
  return mirror;
}
