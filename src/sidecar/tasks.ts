// Tasks over HTTP (issue 14): `POST /api/tasks` starts a session from a script or a scheduler, as the
// named token's Discord user; `GET /api/tasks/:id` reports it. The sidecar only validates and asks: the
// launch and its access rules are the bot's (`TasksPort`, wired by the app), as for a Discord launch.

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SIDECAR_LIMITS } from "./constants.js";
import type { NamedPrincipal } from "./named-tokens.js";
import { NAMED_TOKEN_ROUTE, type RouteContext, requireNamed } from "./route-context.js";

export const TASK_ROUTES = { create: "/api/tasks", get: "/api/tasks/:id" } as const;

/** Longest session name: a thread name is 100 characters with its `Session: ` prefix. */
export const TASK_NAME_MAX = 91;
/** Model and project names: short words; what is valid is the bot's to say. */
const CHOICE_MAX = 100;
/** A Discord id (snowflake). */
const SNOWFLAKE = /^\d{17,20}$/;

/** What a task asks for, checked for shape; whether it may run is the port's to say. */
export interface TaskRequest {
  channelId: string;
  prompt: string;
  name?: string | undefined;
  model?: string | undefined;
  project?: string | undefined;
  /** The named token: its user is the requester, its name is shown in the thread. */
  requester: NamedPrincipal;
}

/** Why a task was refused: `status` is the HTTP status, `code` stable, `message` for a person. */
export interface TaskRefusal {
  ok: false;
  status: 400 | 403 | 404 | 409 | 503;
  code: string;
  message: string;
}

export type TaskLaunchResult = { ok: true; sessionId: string; threadUrl: string } | TaskRefusal;

export interface TaskRun {
  number: number;
  startedAt: Date;
  endedAt: Date | null;
  /** null while it runs. */
  outcome: string | null;
  tokens: number;
  cost: number;
}

export interface TaskReport {
  sessionId: string;
  name: string;
  /** The session's state (`idle`, `busy`, …), or `stopped`. */
  state: string;
  threadUrl: string;
  createdBy: string;
  createdAt: Date;
  /** Prompts waiting or running. */
  queued: number;
  runs: TaskRun[];
  /** The answer of the latest finished run as posted in the thread (redacted, mention-safe), or null. */
  answer: string | null;
}

export interface TasksPort {
  launch(request: TaskRequest): Promise<TaskLaunchResult>;
  /** The session's report, or a refusal (unknown session, a requester no longer allowed). */
  report(sessionId: string, requester: NamedPrincipal): TaskReport | TaskRefusal;
}

const taskBody = z.strictObject({
  channel: z.string().regex(SNOWFLAKE, "Expected a Discord channel id (17 to 20 digits)"),
  prompt: z.string().min(1, "Expected a prompt of at least one character"),
  name: z.string().trim().min(1).max(TASK_NAME_MAX).optional(),
  model: z.string().trim().min(1).max(CHOICE_MAX).optional(),
  project: z.string().trim().min(1).max(CHOICE_MAX).optional(),
});

const taskId = z.string().trim().min(1).max(SIDECAR_LIMITS.sessionIdChars);

function reportJson(report: TaskReport) {
  return {
    session_id: report.sessionId,
    name: report.name,
    state: report.state,
    thread_url: report.threadUrl,
    created_by: report.createdBy,
    created_at: report.createdAt.toISOString(),
    queued: report.queued,
    runs: report.runs.map((run) => ({
      number: run.number,
      started_at: run.startedAt.toISOString(),
      ended_at: run.endedAt?.toISOString() ?? null,
      outcome: run.outcome,
      tokens: run.tokens,
      cost: run.cost,
    })),
    answer: report.answer,
  };
}

const NOT_READY = "The bot is still starting (or takes no tasks over HTTP). Retry in a few seconds.";

/**
 * Registers the task routes. `port` is asked on each request: the sidecar listens before the Discord
 * side exists, and until it does (or in a bot without it) the routes answer 503.
 */
export function taskRoutes(port: () => TasksPort | undefined) {
  return (app: FastifyInstance, context: RouteContext): void => {
    app.post(TASK_ROUTES.create, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const requester = requireNamed(context, request, reply, "Starting a task");
      if (!requester) return reply;
      const parsed = taskBody.safeParse(request.body);
      if (!parsed.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected a JSON body {channel: a launch channel's id, prompt: string, name?: up to ${TASK_NAME_MAX} characters, model?: string, project?: string}.`,
          { issues: context.describeIssues(parsed.error) },
        );
      }
      const tasks = port();
      if (!tasks) return context.fail(reply, 503, "unavailable", NOT_READY);
      const body = parsed.data;
      const result = await tasks.launch({
        channelId: body.channel,
        prompt: body.prompt,
        name: body.name,
        model: body.model,
        project: body.project,
        requester,
      });
      if (!result.ok) return context.fail(reply, result.status, result.code, result.message);
      return reply.code(201).send({ session_id: result.sessionId, thread_url: result.threadUrl });
    });

    app.get(TASK_ROUTES.get, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const requester = requireNamed(context, request, reply, "Reading a task");
      if (!requester) return reply;
      const id = taskId.safeParse((request.params as { id?: unknown }).id);
      if (!id.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          "Expected the session id POST /api/tasks answered.",
        );
      }
      const tasks = port();
      if (!tasks) return context.fail(reply, 503, "unavailable", NOT_READY);
      const report = tasks.report(id.data, requester);
      if ("ok" in report) return context.fail(reply, report.status, report.code, report.message);
      return reportJson(report);
    });
  };
}
