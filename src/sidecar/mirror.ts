// Terminal mirroring (issue 9, "a person's own omp"): the routes a person's installed OMP extension
// calls to show their terminal session in a Discord thread and take steering from it. Only named tokens
// get in (a person's revocable credential, never the bot's and never a run's), and each mirror answers
// only the token's own Discord user. The sidecar validates and asks; the mirrors themselves are the
// app's (`MirrorPort`, src/sessions/mirrors.ts).

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ACK_MAX_IDS, MIRROR_EVENTS_MAX, MIRROR_ROUTES } from "../extension-protocol.js";
import { SIDECAR_MAX_HOLD_MS } from "./constants.js";
import type { NamedPrincipal } from "./named-tokens.js";
import { NAMED_TOKEN_ROUTE, type RouteContext, requireNamed } from "./route-context.js";

const TITLE_MAX = 80;
const CWD_MAX = 1000;

/** What the routes need of the app's mirrors. */
export interface MirrorPort {
  open(input: { owner: NamedPrincipal; title: string; cwd: string | undefined }): Promise<{
    mirrorId: string;
    threadId: string;
  }>;
  /** The Discord user a live mirror belongs to, or undefined when there is no such mirror (or it closed). */
  ownerOf(mirrorId: string): string | undefined;
  events(mirrorId: string, events: readonly Record<string, unknown>[]): void;
  /** Steering the owner queued, leased to this mirror, prepared for omp. */
  lease(mirrorId: string): { id: string; content: string; createdAt: Date }[];
  /** Resolves when steering is queued for the mirror, after `ms`, or when `signal` aborts. */
  waitForWork(mirrorId: string, ms: number, signal: AbortSignal): Promise<void>;
  ack(mirrorId: string, ids: readonly string[]): string[];
  close(mirrorId: string): Promise<void>;
}

const openBody = z.object({
  title: z.string().trim().max(TITLE_MAX).optional(),
  cwd: z.string().max(CWD_MAX).optional(),
});
const eventsBody = z.object({
  events: z
    .array(z.object({ type: z.string().min(1).max(100) }).passthrough())
    .min(1)
    .max(MIRROR_EVENTS_MAX),
});
const pollQuery = z.object({ wait_ms: z.coerce.number().int().min(0).max(SIDECAR_MAX_HOLD_MS).default(0) });
const ackBody = z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(ACK_MAX_IDS) });

/** Registers the mirror routes; `port` is asked lazily (the app builds its mirrors after the sidecar). */
export function mirrorRoutes(port: () => MirrorPort | undefined) {
  return (app: FastifyInstance, context: RouteContext): void => {
    /** The mirror's id when the caller is its owner; otherwise the refusal is sent. */
    const ownMirror = (request: FastifyRequest, reply: FastifyReply, what: string): string | undefined => {
      const principal = requireNamed(context, request, reply, what);
      if (!principal) return undefined;
      const mirrors = port();
      if (!mirrors) {
        context.fail(
          reply,
          503,
          "unavailable",
          "Terminal mirroring is not ready yet; try again in a moment.",
        );
        return undefined;
      }
      const id = (request.params as { id?: string }).id ?? "";
      const owner = mirrors.ownerOf(id);
      if (owner === undefined) {
        context.fail(
          reply,
          404,
          "unknown_mirror",
          "No open mirror has this id (it was closed, or the bot restarted). Run /ompcord-mirror again in omp to open a new one.",
        );
        return undefined;
      }
      if (owner !== principal.discordUserId) {
        context.fail(
          reply,
          403,
          "forbidden",
          "This mirror belongs to another Discord user; only its owner's token may use it.",
        );
        return undefined;
      }
      return id;
    };

    app.post(MIRROR_ROUTES.open, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const owner = requireNamed(context, request, reply, "Opening a terminal mirror");
      if (!owner) return reply;
      const parsed = openBody.safeParse(request.body ?? {});
      if (!parsed.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected a JSON body {title?: up to ${TITLE_MAX} characters, cwd?: up to ${CWD_MAX} characters}.`,
          { issues: context.describeIssues(parsed.error) },
        );
      }
      const mirrors = port();
      if (!mirrors) {
        return context.fail(
          reply,
          503,
          "unavailable",
          "Terminal mirroring is not ready yet; try again in a moment.",
        );
      }
      try {
        const opened = await mirrors.open({
          owner,
          title: context.redact(parsed.data.title || "terminal"),
          cwd: parsed.data.cwd === undefined ? undefined : context.redact(parsed.data.cwd),
        });
        return reply.code(201).send({ mirror_id: opened.mirrorId, thread_id: opened.threadId });
      } catch (error) {
        context.reportError(error, MIRROR_ROUTES.open);
        return context.fail(
          reply,
          503,
          "unavailable",
          "The bot could not open a thread for the mirror (Discord refused or is unreachable). Try again later.",
        );
      }
    });

    app.post(MIRROR_ROUTES.events, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const id = ownMirror(request, reply, "Mirroring events");
      if (id === undefined) return reply;
      const parsed = eventsBody.safeParse(request.body);
      if (!parsed.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected a JSON body {events: 1 to ${MIRROR_EVENTS_MAX} omp events, each an object with a string \`type\`}.`,
          { issues: context.describeIssues(parsed.error) },
        );
      }
      port()!.events(id, parsed.data.events);
      return reply.code(202).send({ ok: true });
    });

    app.get(MIRROR_ROUTES.poll, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const id = ownMirror(request, reply, "Polling a mirror's steering");
      if (id === undefined) return reply;
      const parsed = pollQuery.safeParse(request.query ?? {});
      if (!parsed.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected optionally the query parameter \`wait_ms\` (0 to ${SIDECAR_MAX_HOLD_MS}).`,
          { issues: context.describeIssues(parsed.error) },
        );
      }
      const mirrors = port()!;
      let messages = mirrors.lease(id);
      if (messages.length === 0 && parsed.data.wait_ms > 0) {
        const hold = new AbortController();
        const gone = () => hold.abort();
        reply.raw.once("close", gone);
        try {
          await mirrors.waitForWork(id, parsed.data.wait_ms, hold.signal);
        } finally {
          reply.raw.off("close", gone);
        }
        // A client that left gets nothing leased: nobody would see it arrive.
        if (!hold.signal.aborted && mirrors.ownerOf(id) !== undefined) messages = mirrors.lease(id);
      }
      return {
        mirror_id: id,
        messages: messages.map((message) => ({
          id: message.id,
          content: message.content,
          created_at: message.createdAt.toISOString(),
        })),
      };
    });

    app.post(MIRROR_ROUTES.ack, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const id = ownMirror(request, reply, "Acknowledging a mirror's steering");
      if (id === undefined) return reply;
      const parsed = ackBody.safeParse(request.body);
      if (!parsed.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected a JSON body {ids: 1 to ${ACK_MAX_IDS} steering message ids}.`,
          { issues: context.describeIssues(parsed.error) },
        );
      }
      return { acknowledged: port()!.ack(id, parsed.data.ids) };
    });

    app.post(MIRROR_ROUTES.close, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const id = ownMirror(request, reply, "Closing a mirror");
      if (id === undefined) return reply;
      await port()!.close(id);
      return { ok: true };
    });
  };
}
