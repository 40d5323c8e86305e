// The decisions routes of SPEC §6: a run asks a person (an approval card or a question) and holds the
// request until they decide. A run's token may only ask and wait for its own session's decisions;
// deciding happens in Discord, never through this API (no route here settles anything).

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  DECISION_HOLD_MS,
  type DecisionAnswer,
  type QuestionBody,
  SIDECAR_ROUTES,
} from "../extension-protocol.js";
import { SIDECAR_MAX_HOLD_MS } from "./constants.js";
import type { RunIdentity } from "./run-tokens.js";

/** What a run asks, validated. */
export interface DecisionRequest {
  kind: "approval" | "question";
  toolCallId: string | undefined;
  toolName: string;
  input: unknown;
  question: QuestionBody | undefined;
}

/** Where decisions live: the bot's approval desk (src/approvals/desk.ts). */
export interface DecisionsPort {
  /** Opens a decision for the run (the card goes out); resolves with its id once stored. */
  open(run: RunIdentity, request: DecisionRequest): Promise<string>;
  /** The decision as its run sees it; undefined when there is none of that run's with this id. */
  answer(run: RunIdentity, id: string): DecisionAnswer | undefined;
  /** Resolves once the decision is settled, `waitMs` passed, or `signal` aborted. */
  settled(id: string, waitMs: number, signal: AbortSignal): Promise<void>;
}

export interface DecisionRouteDeps {
  port: DecisionsPort | undefined;
  /** The run behind the request's token; answers 403 and returns undefined for the bot's token. */
  requireRun(request: FastifyRequest, reply: FastifyReply, what: string): RunIdentity | undefined;
  /** Answers 403 when a run's token names another session; returns the reply then. */
  refuseOtherSession(request: FastifyRequest, reply: FastifyReply, sessionId: string): unknown;
  fail(reply: FastifyReply, status: number, error: string, message: string, extra?: object): unknown;
  /** A hold for the run's long-poll: aborted when the run ends, the client leaves or the server closes. */
  hold(run: RunIdentity, reply: FastifyReply): { signal: AbortSignal; release(): void };
}

const MAX_TEXT = 2_000;
const MAX_OPTIONS = 100;

const questionBody = z.strictObject({
  question: z.string().trim().min(1).max(MAX_TEXT),
  header: z.string().max(200).optional(),
  options: z
    .array(z.object({ label: z.string().max(MAX_TEXT), description: z.string().max(MAX_TEXT).optional() }))
    .max(MAX_OPTIONS)
    .optional(),
  multi: z.boolean().optional(),
  recommended: z.number().int().nonnegative().optional(),
});

const requestBody = z.strictObject({
  session_id: z.string().trim().min(1).max(200),
  kind: z.enum(["approval", "question"]),
  tool_call_id: z.string().max(200).optional(),
  tool_name: z.string().trim().min(1).max(200),
  input: z.unknown().optional(),
  question: questionBody.optional(),
  wait_ms: z.number().int().min(0).max(SIDECAR_MAX_HOLD_MS).default(DECISION_HOLD_MS),
});

const waitQuery = z.object({
  session_id: z.string().trim().min(1).max(200),
  wait_ms: z.coerce.number().int().min(0).max(SIDECAR_MAX_HOLD_MS).default(DECISION_HOLD_MS),
});

const NOT_FOUND =
  "This run has no decision with that id. Wait only on the id the decisions route gave this run.";

export function registerDecisionRoutes(app: FastifyInstance, deps: DecisionRouteDeps): void {
  const { fail } = deps;

  /** Holds until settled or `waitMs`, then answers the decision as the run sees it. */
  const holdFor = async (run: RunIdentity, id: string, waitMs: number, reply: FastifyReply) => {
    const port = deps.port!;
    let answer = port.answer(run, id);
    if (answer?.state === "pending" && waitMs > 0) {
      const hold = deps.hold(run, reply);
      try {
        await port.settled(id, waitMs, hold.signal);
      } finally {
        hold.release();
      }
      answer = port.answer(run, id);
    }
    return answer;
  };

  app.post(SIDECAR_ROUTES.decisions, async (request, reply) => {
    const parsed = requestBody.safeParse(request.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        "invalid_request",
        `Expected a JSON body {session_id, kind: "approval" or "question", tool_name, tool_call_id?, input?, question?: {question, options?}, wait_ms?: 0 to ${SIDECAR_MAX_HOLD_MS}}.`,
      );
    }
    const body = parsed.data;
    const run = deps.requireRun(request, reply, "Asking a person");
    if (!run) return reply;
    if (deps.refuseOtherSession(request, reply, body.session_id)) return reply;
    if (body.kind === "question" && !body.question) {
      return fail(reply, 400, "invalid_request", "A question needs `question: {question: string}`.");
    }
    if (!deps.port) return fail(reply, 503, "unavailable", "This bot takes no approvals or questions.");
    const id = await deps.port.open(run, {
      kind: body.kind,
      toolCallId: body.tool_call_id,
      toolName: body.tool_name,
      input: body.input,
      question: body.question,
    });
    return holdFor(run, id, body.wait_ms, reply);
  });

  app.get(SIDECAR_ROUTES.decisionWait, async (request, reply) => {
    const parsed = waitQuery.safeParse(request.query);
    const id = (request.params as { id?: string }).id ?? "";
    if (!parsed.success || !/^[a-z0-9]{1,40}$/.test(id)) {
      return fail(
        reply,
        400,
        "invalid_request",
        `Expected a decision id in the path and the query parameters \`session_id\` and optionally \`wait_ms\` (0 to ${SIDECAR_MAX_HOLD_MS}).`,
      );
    }
    const run = deps.requireRun(request, reply, "Waiting for a decision");
    if (!run) return reply;
    if (deps.refuseOtherSession(request, reply, parsed.data.session_id)) return reply;
    if (!deps.port) return fail(reply, 503, "unavailable", "This bot takes no approvals or questions.");
    const answer = await holdFor(run, id, parsed.data.wait_ms, reply);
    if (!answer) return fail(reply, 404, "not_found", NOT_FOUND);
    return answer;
  });
}
