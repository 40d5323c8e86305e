// The contract between the sidecar and the ompcord OMP extension: routes, environment variables, body
// shapes and limits, named once. Pure TypeScript without Node APIs: the extension bundles it under Bun.

/** Environment variables the bot gives each run (src/omp/env.ts) and the extension reads. */
export const RUN_ENV = {
  /** `http://127.0.0.1:<port>` of the sidecar. */
  apiUrl: "OMPCORD_API_URL",
  /** The run's own token: valid for its own session's routes only, revoked when the run ends. */
  runToken: "OMPCORD_RUN_TOKEN",
  /** The ompcord session the run belongs to. */
  sessionId: "OMPCORD_SESSION_ID",
  /** The run's id (for logs; the token already names the run to the sidecar). */
  runId: "OMPCORD_RUN_ID",
  /** The run's approval policy (`off`, `writes`, `all`): which tool calls the extension sends to a person. */
  approvals: "OMPCORD_RUN_APPROVALS",
} as const;

/**
 * Every run token starts with this, so the redactor can recognise one anywhere (an agent can print its
 * environment) without knowing its value: see the `ompcord run token` shape in src/output/secret-shapes.ts.
 */
export const RUN_TOKEN_PREFIX = "ompcord_run_";
/** Every named token (issue 14: people and scripts) starts with this, for the same reason. */
export const NAMED_TOKEN_PREFIX = "ompcord_tok_";

export const SIDECAR_ROUTES = {
  /** `POST {session_id, event_type, content, timestamp}`: telemetry. */
  event: "/api/webhook/event",
  /** `GET ?session_id=…&wait_ms=…`: steering messages leased to the calling run (a long-poll). */
  poll: "/api/commands/poll",
  /** `POST {session_id, ids}`: the run saw these steering messages arrive in its session. */
  ack: "/api/commands/ack",
  /** `POST {session_id, text}`: the agent's `discord_notify` tool posting into its thread. */
  notify: "/api/notify",
  /** `GET ?session_id=…&limit=…`: recent messages of the run's own thread (`discord_read_thread`). */
  threadMessages: "/api/thread/messages",
  /**
   * `POST {session_id, kind, tool_call_id?, tool_name, input?, question?, wait_ms}`: asks the run's
   * person (an approval card or a question) and holds until decided or `wait_ms`; a run's token only.
   */
  decisions: "/api/decisions",
  /** `GET /api/decisions/<id>/wait?wait_ms=…`: holds until the run's own decision is settled. */
  decisionWait: "/api/decisions/:id/wait",
} as const;

/** Telemetry event types the extension posts of its own (beyond omp's event names). */
export const EXTENSION_EVENT_TYPES = {
  /** `{tokens, contextWindow, percent}` from `ctx.getContextUsage()`: not on omp's stdout. */
  contextUsage: "context_usage",
  /** `{dropped}`: telemetry events the extension's bounded queue dropped so far in this process. */
  telemetryDropped: "telemetry_dropped",
} as const;

/** The context window in use, as omp's `ctx.getContextUsage()` reports it. */
export interface ContextUsageBody {
  tokens: number;
  contextWindow: number;
  /** 0–100 (omp's own rounding); may pass 100 just before a compaction. */
  percent: number;
}

export interface PollAnswer {
  session_id: string;
  messages: { id: string; content: string; created_at: string }[];
}

export interface AckBody {
  session_id: string;
  ids: string[];
}

export interface AckAnswer {
  /** The ids now marked delivered by this run (already delivered ones included: acks are idempotent). */
  acknowledged: string[];
}

export interface NotifyBody {
  session_id: string;
  text: string;
}

/**
 * Longest text the notify tool may post: a Discord message holds 2000 characters, and the bot adds a
 * short prefix naming the agent as the author.
 */
export const NOTIFY_MAX_CHARS = 1800;

/** Notify messages a run may post per window; past it the tool gets an error that says when to retry. */
export const NOTIFY_RATE_LIMIT = { messages: 5, windowMs: 60_000 } as const;

/** Most steering ids one acknowledgement may carry. */
export const ACK_MAX_IDS = 100;

/** Whose a thread message is, which decides how far an agent may trust it (issue 14). */
export const MESSAGE_TRUST = {
  /** An allowed user of the bot: the people who may run the agent anyway. */
  allowedUser: "allowed_user",
  /** This bot (answers, notes, the agent's own notices). */
  thisBot: "this_bot",
  /** Anyone else, other bots included: text to read as data, never as instructions. */
  untrusted: "untrusted",
} as const;
export type MessageTrust = (typeof MESSAGE_TRUST)[keyof typeof MESSAGE_TRUST];

/** One message as the thread-reading routes answer it (redacted). */
export interface ThreadMessagePayload {
  id: string;
  author_id: string;
  author_name: string;
  trust: MessageTrust;
  content: string;
  created_at: string;
}

export interface ThreadMessagesAnswer {
  channel_id: string;
  /** Oldest first. */
  messages: ThreadMessagePayload[];
}

/** Messages one read returns by default, and at most. */
export const THREAD_READ_LIMIT = { default: 20, max: 50 } as const;

/**
 * Terminal mirroring (a person's own omp, shown in a thread; src/sidecar/mirror.ts): the routes an
 * installed extension calls with its owner's named token.
 */
export const MIRROR_ROUTES = {
  /** `POST {title?, cwd?}` → `201 {mirror_id, thread_id}`: a thread in the home channel with a dashboard. */
  open: "/api/mirror",
  /** `POST {events: [omp event, …]}` → 202: the session's events, as omp hands them to extensions. */
  events: "/api/mirror/:id/events",
  /** `GET ?wait_ms=` → `{messages: [{id, content, created_at}]}`: steering from the owner, long-polled. */
  poll: "/api/mirror/:id/poll",
  /** `POST {ids}` → `{acknowledged}`: the agent took these steering messages. */
  ack: "/api/mirror/:id/ack",
  /** `POST` → 200: the terminal session ended. */
  close: "/api/mirror/:id/close",
} as const;

/** Events per mirror request: the extension sends in batches well under the body limit. */
export const MIRROR_EVENTS_MAX = 200;
/** `1` mirrors this omp session (also `omp -p`), `0` never; unset: the installed settings' `auto`. */
export const MIRROR_ENV = "OMPCORD_MIRROR";
/** The extension's own event in a mirror's stream: `{type, tokens, contextWindow}` (context in use). */
export const MIRROR_CONTEXT_EVENT = "ompcord_context";
/** The extension's own event: `{type}`, a steering message was handed to omp (it queues it for the turn). */
export const MIRROR_STEERED_EVENT = "ompcord_steered";

/** What the extension asks a person: approve a tool call, or answer the agent's question. */
export type DecisionRequestKind = "approval" | "question";

/** A question the agent asks (the `ask` tool's parameters, omp's own shape cut to one question). */
export interface QuestionBody {
  question: string;
  header?: string;
  options?: { label: string; description?: string }[];
  multi?: boolean;
  recommended?: number;
}

export interface DecisionRequestBody {
  session_id: string;
  kind: DecisionRequestKind;
  tool_call_id?: string;
  tool_name: string;
  /** The tool call's arguments (approvals). */
  input?: unknown;
  question?: QuestionBody;
  /** How long to hold the request for the decision; 0 answers at once with the decision's id. */
  wait_ms?: number;
}

/**
 * A decision as the run sees it: `pending` (wait again on `decisionWait`), `allow` (run the tool), or
 * `block` with the text the agent reads as the tool's error; a question's `answer` when answered.
 */
export interface DecisionAnswer {
  id: string;
  state: "pending" | "allow" | "block";
  reason?: string;
  answer?: string;
}

/** How long one decision request or wait is held before the extension asks again. */
export const DECISION_HOLD_MS = 50_000;
