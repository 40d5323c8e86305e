// What the route files beside server.ts get from it (the tasks, Discord and named-token routes of
// issue 14): who is calling, the one refusal shape, and the route option that lets named tokens in.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { NamedPrincipal } from "./named-tokens.js";
import type { RunIdentity } from "./run-tokens.js";

/** Who sent a request: the bot's own token, a run's, or a named token's (a person or a script). */
export type Principal =
  | { kind: "bot" }
  | ({ kind: "run" } & RunIdentity)
  | ({ kind: "named" } & NamedPrincipal);

/**
 * Route options that admit named tokens. Every other route refuses them (403) before anything runs, so
 * a named token never reaches the run routes (telemetry, steering, notices) nor `/metrics`.
 */
export const NAMED_TOKEN_ROUTE = { config: { namedTokens: true } } as const;

export interface RouteContext {
  principalOf(request: FastifyRequest): Principal;
  /** The sidecar's refusal: `{error, message, ...extra}` with the status, counted in the metrics. */
  fail(reply: FastifyReply, status: number, error: string, message: string, extra?: object): FastifyReply;
  /** The schema's problems by field, never repeating what was sent. */
  describeIssues(error: z.ZodError): { path: string; message: string }[];
  redact(text: string): string;
  /** Errors from ports, which the client only sees as a 500. */
  reportError(error: unknown, route: string): void;
}

/**
 * The named token a route acts for, or a 403 already sent: the bot's own token names no person, and a
 * run's token must never start sessions or read beyond its own thread (an agent could escape its limits).
 */
export function requireNamed(
  context: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  what: string,
): NamedPrincipal | undefined {
  const principal = context.principalOf(request);
  if (principal.kind === "named") return { name: principal.name, discordUserId: principal.discordUserId };
  context.fail(
    reply,
    403,
    "forbidden",
    principal.kind === "run"
      ? `${what} is not for a run's token: an agent may not act outside its own run. Use a named token (\`/omp token action:issue\`).`
      : `${what} needs a named token, which says which Discord user it acts for; the bot's own token names nobody. Issue one with \`/omp token action:issue\`.`,
  );
  return undefined;
}
