// omp's `--mode json` events: one JSON object per stdout line, parsed into the few typed shapes the
// bot uses. Anything else stays available as `other` with its raw type. Pure.

export interface OmpUsage {
  input: number;
  output: number;
  totalTokens: number;
  cost: number;
}

/** An assistant, user or tool-result message as omp prints it (only the fields we read). */
export interface OmpMessage {
  role: string;
  /** Text parts joined; tool calls and thinking left out. */
  text: string;
  usage: OmpUsage | undefined;
  /** `stop`, `toolUse`, `length`, `error`, `aborted` … */
  stopReason: string | undefined;
  errorMessage: string | undefined;
  /** A user message omp injected as a steer (`"steering": true`): the proof a steer arrived. */
  steering?: true;
}

export type OmpEvent =
  | { type: "session"; id: string; cwd: string | undefined }
  | { type: "agent_start" }
  | { type: "agent_end" }
  | { type: "turn_start" }
  | { type: "turn_end" }
  | { type: "message_start"; message: OmpMessage }
  | { type: "message_end"; message: OmpMessage }
  /** One streamed piece of assistant text (`assistantMessageEvent.type === "text_delta"`). */
  | { type: "text_delta"; delta: string }
  | { type: "tool_execution_start"; toolCallId: string; toolName: string; args: Record<string, unknown> }
  /** `text` is cumulative: the whole output so far. */
  | { type: "tool_execution_update"; toolCallId: string; toolName: string; text: string }
  | { type: "tool_execution_end"; toolCallId: string; toolName: string; text: string; isError: boolean }
  | { type: "auto_retry_start"; attempt: number; maxAttempts: number; delayMs: number; errorMessage: string }
  | { type: "auto_retry_end"; success: boolean; attempt: number; finalError: string | undefined }
  /** omp summarises the conversation to make room (`reason`: threshold, overflow …). */
  | { type: "auto_compaction_start"; reason: string; action: string }
  | {
      type: "auto_compaction_end";
      aborted: boolean;
      willRetry: boolean;
      /** Skipped for a benign reason (nothing to compact). */
      skipped: boolean;
      errorMessage: string | undefined;
    }
  /** Auto-retry switched to a configured fallback model (`from`/`to` as `provider/model`). */
  | { type: "retry_fallback_applied"; from: string; to: string; role: string }
  | { type: "notice"; level: string; message: string }
  /** Any other event (`message_update` without text, `advisor_cost_changed` …), or a cut-off line. */
  | { type: "other"; rawType: string; truncated: boolean };

type Json = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const obj = (value: unknown): Json => (value && typeof value === "object" ? (value as Json) : {});

/** The text parts of a `content` array (or a plain string). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) {
    const p = obj(part);
    if (p.type === "text" && typeof p.text === "string") text += p.text;
  }
  return text;
}

function parseUsage(value: unknown): OmpUsage | undefined {
  if (!value || typeof value !== "object") return undefined;
  const usage = value as Json;
  return {
    input: num(usage.input),
    output: num(usage.output),
    totalTokens: num(usage.totalTokens),
    cost: num(obj(usage.cost).total),
  };
}

function parseMessage(value: unknown): OmpMessage {
  const message = obj(value);
  return {
    role: str(message.role) ?? "unknown",
    text: contentText(message.content),
    usage: parseUsage(message.usage),
    stopReason: str(message.stopReason),
    errorMessage: str(message.errorMessage),
    ...(message.steering === true ? { steering: true as const } : {}),
  };
}

/** Typed event from one parsed JSON object with a string `type`. */
export function toEvent(raw: Json): OmpEvent {
  const type = String(raw.type);
  switch (type) {
    case "session":
      return { type, id: str(raw.id) ?? "", cwd: str(raw.cwd) };
    case "agent_start":
    case "agent_end":
    case "turn_start":
    case "turn_end":
      return { type };
    case "message_start":
    case "message_end":
      return { type, message: parseMessage(raw.message) };
    case "message_update": {
      const inner = obj(raw.assistantMessageEvent);
      if (inner.type === "text_delta" && typeof inner.delta === "string") {
        return { type: "text_delta", delta: inner.delta };
      }
      return { type: "other", rawType: `message_update:${String(inner.type)}`, truncated: false };
    }
    case "tool_execution_start":
      return {
        type,
        toolCallId: str(raw.toolCallId) ?? "",
        toolName: str(raw.toolName) ?? "tool",
        args: obj(raw.args),
      };
    case "tool_execution_update":
      return {
        type,
        toolCallId: str(raw.toolCallId) ?? "",
        toolName: str(raw.toolName) ?? "tool",
        text: contentText(obj(raw.partialResult).content),
      };
    case "tool_execution_end":
      return {
        type,
        toolCallId: str(raw.toolCallId) ?? "",
        toolName: str(raw.toolName) ?? "tool",
        text: contentText(obj(raw.result).content),
        isError: raw.isError === true,
      };
    case "auto_retry_start":
      return {
        type,
        attempt: num(raw.attempt),
        maxAttempts: num(raw.maxAttempts),
        delayMs: num(raw.delayMs),
        errorMessage: str(raw.errorMessage) ?? "",
      };
    case "auto_retry_end":
      return {
        type,
        success: raw.success === true,
        attempt: num(raw.attempt),
        finalError: str(raw.finalError),
      };
    case "auto_compaction_start":
      return { type, reason: str(raw.reason) ?? "", action: str(raw.action) ?? "" };
    case "auto_compaction_end":
      return {
        type,
        aborted: raw.aborted === true,
        willRetry: raw.willRetry === true,
        skipped: raw.skipped === true,
        errorMessage: str(raw.errorMessage),
      };
    case "retry_fallback_applied":
      return { type, from: str(raw.from) ?? "", to: str(raw.to) ?? "", role: str(raw.role) ?? "" };
    case "notice":
      return { type, level: str(raw.level) ?? "info", message: str(raw.message) ?? "" };
    default:
      return { type: "other", rawType: type, truncated: false };
  }
}

/**
 * Parses one stdout line. Returns undefined when the line is not a JSON object with a `type`: such
 * lines are shown as plain text.
 */
export function parseEventLine(line: string): OmpEvent | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== "object" || typeof (raw as Json).type !== "string") return undefined;
  return toEvent(raw as Json);
}

const TYPE_PREFIX = /^\s*\{\s*"type"\s*:\s*"([a-z_]+)"/;

/**
 * For a line cut off at the length cap: its type when it starts like an omp event (a huge `agent_end`
 * repeats the whole conversation), so the run still knows the agent ended.
 */
export function truncatedEvent(head: string): OmpEvent | undefined {
  const match = TYPE_PREFIX.exec(head);
  if (!match) return undefined;
  const type = match[1]!;
  if (type === "agent_end" || type === "agent_start" || type === "turn_end" || type === "turn_start") {
    return { type };
  }
  // Its `result` carries the whole summary; the dashboard still has to learn that compaction is over.
  if (type === "auto_compaction_end") {
    return { type, aborted: false, willRetry: false, skipped: false, errorMessage: undefined };
  }
  return { type: "other", rawType: type, truncated: true };
}
