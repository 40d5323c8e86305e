// Defaults and limits of the sidecar API (SPEC §4), named once.

/** Loopback only: the API is for omp processes on this machine, never for the network. */
export const SIDECAR_DEFAULT_HOST = "127.0.0.1";
/** Telemetry events are small; anything larger is a bug or an attack, refused before it is parsed. */
export const SIDECAR_DEFAULT_BODY_LIMIT = 64 * 1024;
export const SIDECAR_LIMITS = {
  sessionIdChars: 200,
  eventTypeChars: 100,
} as const;
/**
 * How deep a JSON body may nest arrays and objects. omp's events nest a handful of levels and tool
 * arguments rarely a dozen; recursive code after the parser (JSON.stringify, zod) overflows the stack
 * somewhere in the thousands, so the limit sits far below that and far above any real event.
 */
export const SIDECAR_MAX_JSON_DEPTH = 64;
/**
 * How long a client may take over each part of an HTTP exchange. Clients are omp processes on this
 * machine: a request's head is under 1 KB and its body under 64 KiB, sent in milliseconds. A client that
 * trickles bytes (40 of them held the sidecar open for minutes) is cut by the header and request
 * timeouts; those two count only while the request is being received (Node's http server), never while
 * a route holds a request before answering, so a long-poll waiting for steering is not cut by them
 * (tested with a held route).
 */
export const SIDECAR_TIMEOUTS = {
  /** From the connection (or the end of the previous request) to the end of the request's head. */
  headersMs: 10_000,
  /** From the same start to the end of the request's body. At least `headersMs`. */
  requestMs: 30_000,
  /** An idle keep-alive connection is closed after this (Node's own default; clients reconnect). */
  keepAliveMs: 5_000,
  /**
   * A socket with no traffic either way is closed after this: a client that never reads our answer,
   * a handler that never answers. A route that holds a request (a long-poll) must answer, or send a
   * heartbeat on a stream, well within it: {@link SIDECAR_MAX_HOLD_MS}.
   */
  socketIdleMs: 120_000,
  /** How often the server looks for connections past the header or request timeout. */
  checkIntervalMs: 1_000,
} as const;
/**
 * The longest a route may hold a request before answering (the long-polls of the OMP extension):
 * half the socket idle timeout, so a held request is never cut as idle.
 */
export const SIDECAR_MAX_HOLD_MS = SIDECAR_TIMEOUTS.socketIdleMs / 2;
/**
 * Open connections at once; more are closed as they arrive (and counted). Runs are capped at 64
 * (OMP_MAX_CONCURRENT_RUNS) and each run's extension keeps at most a few connections (telemetry, a
 * long-poll, an approval), plus scrapers and `/omp health`: 256 leaves room for all of them and keeps a
 * flood of local clients from exhausting the bot's file descriptors.
 */
export const SIDECAR_MAX_CONNECTIONS = 256;

/**
 * The event types that get their own `event_type` label on `ompcord_sidecar_events_total`: the events
 * an OMP extension can subscribe to (omp 18.2.3, `src/extensibility/extensions/types.ts`, the names
 * passed to `pi.on`). Anything else is counted as {@link OTHER_EVENT_TYPE}: a label value taken from a
 * request would carry whatever a caller sends (a secret) into every scrape and dashboard, and grow the
 * series without bound. Extend this list when the extension posts a type of its own.
 */
export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set([
  "after_provider_response",
  "agent_end",
  "agent_start",
  "auto_compaction_end",
  "auto_compaction_start",
  "auto_retry_end",
  "auto_retry_start",
  "before_agent_start",
  "context",
  // The extension's own (src/extension-protocol.ts EXTENSION_EVENT_TYPES).
  "context_usage",
  "telemetry_dropped",
  "credential_disabled",
  "goal_updated",
  "input",
  "mcp_notification",
  "message_end",
  "message_start",
  "message_update",
  "resources_discover",
  "retry_fallback_applied",
  "retry_fallback_succeeded",
  "session_before_tree",
  "session_branch",
  "session_compact",
  "session_shutdown",
  "session_start",
  "session_stop",
  "session_switch",
  "session_tree",
  "todo_reminder",
  "tool_approval_requested",
  "tool_approval_resolved",
  "tool_call",
  "tool_execution_end",
  "tool_execution_start",
  "tool_execution_update",
  "tool_result",
  "ttsr_triggered",
  "turn_end",
  "turn_start",
  "user_bash",
  "user_python",
]);
/** The label of every event type not in {@link KNOWN_EVENT_TYPES}. */
export const OTHER_EVENT_TYPE = "other";

/** The `event_type` label for an event type a client sent: one of a fixed set, never the text itself. */
export function eventTypeLabel(eventType: string): string {
  return KNOWN_EVENT_TYPES.has(eventType) ? eventType : OTHER_EVENT_TYPE;
}
