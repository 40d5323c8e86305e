// The SQLite schema of SPEC §3 in drizzle form; `npx drizzle-kit generate` turns changes to this file
// into SQL migrations under migrations/. Times are stored as integer milliseconds.

import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const SESSION_STATES = ["idle", "busy", "waiting", "degraded", "failed"] as const;
export const PROMPT_SOURCES = ["reaction", "new", "say", "message", "steer", "task"] as const;
export const PROMPT_STATUSES = ["queued", "running", "done", "failed", "cancelled", "interrupted"] as const;
/**
 * A run's processes worth remembering: the supervisor (the run's root, which ends everything under it)
 * and omp, recorded as they start; and each `leftover` the supervisor had to end when omp exited.
 */
export const RUN_PROCESS_ROLES = ["supervisor", "omp", "leftover"] as const;
/** How a run ends; src/omp judges it from omp's events and exit together (SPEC §2). */
export const RUN_OUTCOMES = ["success", "failed", "timed_out", "cancelled", "crashed"] as const;
/**
 * A run row's outcome: null while it runs, then how it ended, or `interrupted`, which the reconcile
 * writes after a restart for a run the last process did not see end.
 */
export const RUN_ROW_OUTCOMES = [...RUN_OUTCOMES, "interrupted"] as const;

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsecond') * 1000 as integer))`);

export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  guildId: text("guild_id").notNull(),
  parentChannelId: text("parent_channel_id").notNull(),
  // Unique keys make a launch idempotent: a second 🚀 or a retried /omp new cannot make a second row.
  threadId: text("thread_id").notNull().unique(),
  launchMessageId: text("launch_message_id").unique(),
  dashboardMessageId: text("dashboard_message_id"),
  ompSessionId: text("omp_session_id"),
  state: text("state", { enum: SESSION_STATES }).notNull().default("idle"),
  name: text("name").notNull(),
  createdBy: text("created_by").notNull(),
  workDir: text("work_dir").notNull(),
  /** The model runs pass as `--model` (`/omp new model:`, `/omp model`); null: the configured default. */
  model: text("model"),
  /** The named project (OMPCORD_PROJECTS) whose directory is `workDir`; null: none. */
  project: text("project"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  stoppedAt: integer("stopped_at", { mode: "timestamp_ms" }),
});

export const prompts = sqliteTable(
  "prompts",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    authorId: text("author_id").notNull(),
    text: text("text").notNull(),
    source: text("source", { enum: PROMPT_SOURCES }).notNull(),
    status: text("status", { enum: PROMPT_STATUSES }).notNull().default("queued"),
    /** Order within the session, 1, 2, 3…: the queue runs in this order. */
    position: integer("position").notNull(),
    createdAt: createdAt(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
  },
  (table) => [
    uniqueIndex("prompts_session_position").on(table.sessionId, table.position),
    index("prompts_status_session").on(table.status, table.sessionId),
  ],
);

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    promptId: text("prompt_id")
      .notNull()
      .references(() => prompts.id),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    /** 1-based count of runs in the session, shown on the dashboard. */
    runNumber: integer("run_number").notNull(),
    /** The run's root process: the supervisor omp runs under (its identity is in `run_processes`). */
    pid: integer("pid"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
    outcome: text("outcome", { enum: RUN_ROW_OUTCOMES }),
    exitCode: integer("exit_code"),
    signal: text("signal"),
    error: text("error"),
    tokens: integer("tokens").notNull().default(0),
    cost: real("cost").notNull().default(0),
    outputBytes: integer("output_bytes").notNull().default(0),
    transcriptPath: text("transcript_path"),
    /**
     * The context window in use as the run's OMP extension last reported it (omp's stdout does not
     * carry it): tokens and the model's window, so the dashboard can show "context 63 %".
     */
    contextTokens: integer("context_tokens"),
    contextWindow: integer("context_window"),
  },
  (table) => [
    uniqueIndex("runs_session_number").on(table.sessionId, table.runNumber),
    index("runs_ended").on(table.endedAt),
  ],
);

/**
 * Who a run's processes were, so that after a restart only those very processes are ended: a pid alone
 * may belong to anyone by then (pid reuse, a reboot), a pid with its start time and the boot id not.
 */
export const runProcesses = sqliteTable(
  "run_processes",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id),
    role: text("role", { enum: RUN_PROCESS_ROLES }).notNull(),
    pid: integer("pid").notNull(),
    /** `/proc/<pid>/stat` field 22: start time in clock ticks since boot. */
    startTicks: integer("start_ticks").notNull(),
    /** `/proc/sys/kernel/random/boot_id` when the process ran. */
    bootId: text("boot_id").notNull(),
    /** Leftovers only: the kernel's name for the process and the signal that ended it. */
    name: text("name"),
    endedBy: text("ended_by"),
    createdAt: createdAt(),
  },
  (table) => [index("run_processes_run").on(table.runId)],
);

export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    eventType: text("event_type").notNull(),
    /** As posted by the extension (usually JSON text), already redacted by the sender and the sidecar. */
    content: text("content").notNull(),
    /** The sender's clock, when it gave one. */
    timestamp: integer("timestamp", { mode: "timestamp_ms" }),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [index("events_session").on(table.sessionId, table.receivedAt)],
);

export const steering = sqliteTable(
  "steering",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    authorId: text("author_id").notNull(),
    text: text("text").notNull(),
    createdAt: createdAt(),
    /**
     * The run the message is handed to (leased): no other run gets it while that run lives. A lease
     * that ends without an acknowledgement (the run ended, the bot restarted) is released: cleared.
     */
    leasedRunId: text("leased_run_id"),
    leasedAt: integer("leased_at", { mode: "timestamp_ms" }),
    /**
     * Set when the run's extension acknowledges that the message arrived in the agent's session (it saw
     * the user message), never when a poll merely hands it over: a message is delivered exactly once.
     * Also set when the bot took the message over as a follow-up prompt (the run ended before taking it).
     */
    deliveredAt: integer("delivered_at", { mode: "timestamp_ms" }),
  },
  (table) => [index("steering_pending").on(table.sessionId, table.deliveredAt)],
);

export const OUTBOX_KINDS = ["answer", "note", "reply"] as const;
/** `pending` until delivered, delivered as its fallback, or given up (`undeliverable`, with the reason). */
export const OUTBOX_STATUSES = ["pending", "delivered", "fallback", "undeliverable"] as const;

/**
 * Messages the bot owes a thread (answers, closing notes with their files, replies), written before the
 * first attempt to post them, so an outage or a restart delays them instead of losing them.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    /** The session the thread belongs to, when it is one. */
    sessionId: text("session_id").references(() => sessions.id),
    threadId: text("thread_id").notNull(),
    /** Order within the thread, 1, 2, 3…: delivered in this order. */
    position: integer("position").notNull(),
    kind: text("kind", { enum: OUTBOX_KINDS }).notNull(),
    /** The message text, already redacted and mention-safe. */
    content: text("content").notNull(),
    /** JSON list of `{ name, path }` (a file on the host) or `{ name, base64 }` (small inline data). */
    files: text("files"),
    /** The message of the thread this one replies to. */
    replyTo: text("reply_to"),
    /** Posted instead, without files, when Discord refuses the message for good. */
    fallback: text("fallback"),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("pending"),
    /** Attempts that failed so far (a delivered row may have some: they were retried). */
    failures: integer("failures").notNull().default(0),
    /** The last failure, or why it was given up. */
    lastError: text("last_error"),
    createdAt: createdAt(),
    settledAt: integer("settled_at", { mode: "timestamp_ms" }),
  },
  (table) => [
    uniqueIndex("outbox_thread_position").on(table.threadId, table.position),
    index("outbox_status").on(table.status, table.settledAt),
  ],
);

/** What waited for a person: a tool call's approval, or the agent's question. */
export const DECISION_KINDS = ["approval", "question"] as const;
/**
 * `pending` until settled, once: approved (by a click, or by an earlier "Approve all for this run"),
 * denied, answered, timed out (denied / no answer), cancelled (cancel, stop, shutdown) or expired (found
 * pending after a restart). Never approved by anything but a person.
 */
export const DECISION_OUTCOMES = [
  "pending",
  "approved",
  "approved_by_all",
  "denied",
  "answered",
  "timed_out",
  "cancelled",
  "expired",
] as const;

/**
 * Every approval and question of a run (issue 10): who was asked what, who decided what, and when. The
 * pending rows are what a restart finds still open and marks expired.
 */
export const decisions = sqliteTable(
  "decisions",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: DECISION_KINDS }).notNull(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id),
    /** omp's id of the tool call (an xd:// write and its device share one). */
    toolCallId: text("tool_call_id"),
    /** The tool that waits (`bash`, `edit`, …), or the question tool. */
    toolName: text("tool_name").notNull(),
    /** What was asked, redacted and short: `bash: npm test`, `edit src/a.ts`, the question. */
    subject: text("subject").notNull(),
    /** The person who queued the running prompt: the one who may decide, with the allowed users. */
    requestedFor: text("requested_for").notNull(),
    threadId: text("thread_id").notNull(),
    /** The card or question message, once posted: edited when settled, or marked expired. */
    messageId: text("message_id"),
    outcome: text("outcome", { enum: DECISION_OUTCOMES }).notNull().default("pending"),
    /** Who decided (a Discord user id); null when no person did (timed out, cancelled, expired). */
    decidedBy: text("decided_by"),
    /** A denial's reason, an answer, or why it was cancelled; redacted. */
    detail: text("detail"),
    createdAt: createdAt(),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
  },
  (table) => [
    index("decisions_session").on(table.sessionId, table.createdAt),
    index("decisions_run").on(table.runId),
    index("decisions_outcome").on(table.outcome),
  ],
);

/**
 * Named tokens (issue 14): revocable credentials for people and scripts calling the sidecar, each acting
 * for one Discord user. Only a SHA-256 digest of the token is kept; the token is shown once when issued.
 */
export const namedTokens = sqliteTable(
  "named_tokens",
  {
    id: text("id").primaryKey(),
    /** What a person calls it (`ci`, `laptop`); unique per user among the tokens not revoked. */
    name: text("name").notNull(),
    /** The Discord user the token acts for: launches are theirs, reads are what they may read. */
    discordUserId: text("discord_user_id").notNull(),
    /** base64url SHA-256 of the token. */
    digest: text("digest").notNull().unique(),
    /** Who issued it (a Discord user id). */
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (table) => [
    uniqueIndex("named_tokens_live_name")
      .on(table.discordUserId, table.name)
      .where(sql`${table.revokedAt} is null`),
    index("named_tokens_user").on(table.discordUserId),
  ],
);

export type SessionRow = typeof sessions.$inferSelect;
export type PromptRow = typeof prompts.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
export type RunProcessRow = typeof runProcesses.$inferSelect;
export type RunProcessRole = (typeof RUN_PROCESS_ROLES)[number];
export type EventRow = typeof events.$inferSelect;
export type SteeringRow = typeof steering.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export type DecisionRow = typeof decisions.$inferSelect;
export type DecisionKind = (typeof DECISION_KINDS)[number];
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];
export type NamedTokenRow = typeof namedTokens.$inferSelect;
export type SessionState = (typeof SESSION_STATES)[number];
export type PromptSource = (typeof PROMPT_SOURCES)[number];
export type PromptStatus = (typeof PROMPT_STATUSES)[number];
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
