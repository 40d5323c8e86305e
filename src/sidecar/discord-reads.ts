// Discord for agents and MCP clients (issue 14): a run reads its own thread (`discord_read_thread`);
// a named token lists the channels its user may read, reads them and posts to session threads (the MCP
// server). The sidecar checks who asks and the shape; what Discord holds is the bot's (`DiscordReadPort`).

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  RUN_ENV,
  SIDECAR_ROUTES,
  THREAD_READ_LIMIT,
  type ThreadMessagePayload,
} from "../extension-protocol.js";
import { SIDECAR_LIMITS } from "./constants.js";
import type { NamedPrincipal } from "./named-tokens.js";
import { NAMED_TOKEN_ROUTE, type RouteContext, requireNamed } from "./route-context.js";
import type { TaskRefusal } from "./tasks.js";

export const DISCORD_ROUTES = {
  channels: "/api/discord/channels",
  messages: "/api/discord/channels/:id/messages",
} as const;

/** Longest text a named token may post (a Discord message, less the bot's prefix naming the token). */
export const DISCORD_POST_MAX_CHARS = 1800;

export interface ReadableChannel {
  id: string;
  name: string;
  kind: "launch_channel" | "session_thread";
  /** Session threads: their session and their launch channel. */
  sessionId?: string | undefined;
  parentId?: string | undefined;
}

export interface DiscordReadPort {
  /** The launch channels and session threads a named token's user may read. */
  channels(requester: NamedPrincipal): Promise<ReadableChannel[] | TaskRefusal>;
  /** Recent messages, oldest first, content redacted: a channel `channels` lists, or a refusal. */
  messages(
    channelId: string,
    limit: number,
    requester: NamedPrincipal,
  ): Promise<ThreadMessagePayload[] | TaskRefusal>;
  /** A run's own thread. */
  sessionMessages(sessionId: string, limit: number): Promise<ThreadMessagePayload[] | TaskRefusal>;
  /** Posts `text` (redacted and mention-safe by then) to a session thread, naming the token. */
  post(channelId: string, text: string, requester: NamedPrincipal): Promise<{ id: string } | TaskRefusal>;
}

const limit = z.coerce.number().int().min(1).max(THREAD_READ_LIMIT.max).default(THREAD_READ_LIMIT.default);
const runQuery = z.object({ session_id: z.string().trim().min(1).max(SIDECAR_LIMITS.sessionIdChars), limit });
const namedQuery = z.object({ limit });
const channelId = z.string().regex(/^\d{17,20}$/);
const postBody = z.strictObject({ text: z.string().trim().min(1).max(DISCORD_POST_MAX_CHARS) });

const NOT_READY = "The bot is still starting. Retry in a few seconds.";

const isRefusal = (value: unknown): value is TaskRefusal =>
  typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;

/**
 * Registers the reading routes. `port` is asked per request (the sidecar listens before Discord is
 * connected). `mentionSafe` neutralises mentions in what named tokens post, after redaction.
 */
export function discordRoutes(
  port: () => DiscordReadPort | undefined,
  mentionSafe: (text: string) => string,
) {
  return (app: FastifyInstance, context: RouteContext): void => {
    app.get(SIDECAR_ROUTES.threadMessages, async (request, reply) => {
      const principal = context.principalOf(request);
      if (principal.kind !== "run") {
        return context.fail(
          reply,
          403,
          "forbidden",
          `Reading a run's thread belongs to the run: call it with its own token (${RUN_ENV.runToken}).`,
        );
      }
      const parsed = runQuery.safeParse(request.query);
      if (!parsed.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected the query parameters \`session_id\` and optionally \`limit\` (1 to ${THREAD_READ_LIMIT.max}).`,
          { issues: context.describeIssues(parsed.error) },
        );
      }
      if (parsed.data.session_id !== principal.sessionId) {
        return context.fail(
          reply,
          403,
          "forbidden",
          `A run reads its own thread only. Send the ${RUN_ENV.sessionId} of the run you are in.`,
        );
      }
      const reads = port();
      if (!reads) return context.fail(reply, 503, "unavailable", NOT_READY);
      const messages = await reads.sessionMessages(principal.sessionId, parsed.data.limit);
      if (isRefusal(messages)) return context.fail(reply, messages.status, messages.code, messages.message);
      return { channel_id: principal.sessionId, messages };
    });

    app.get(DISCORD_ROUTES.channels, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const requester = requireNamed(context, request, reply, "Listing channels");
      if (!requester) return reply;
      const reads = port();
      if (!reads) return context.fail(reply, 503, "unavailable", NOT_READY);
      const channels = await reads.channels(requester);
      if (isRefusal(channels)) return context.fail(reply, channels.status, channels.code, channels.message);
      return {
        channels: channels.map((c) => ({
          id: c.id,
          name: c.name,
          kind: c.kind,
          ...(c.sessionId ? { session_id: c.sessionId } : {}),
          ...(c.parentId ? { parent_id: c.parentId } : {}),
        })),
      };
    });

    app.get(DISCORD_ROUTES.messages, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const requester = requireNamed(context, request, reply, "Reading a channel");
      if (!requester) return reply;
      const id = channelId.safeParse((request.params as { id?: unknown }).id);
      const query = namedQuery.safeParse(request.query);
      if (!id.success || !query.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected a channel id (17 to 20 digits) in the path and optionally \`limit\` (1 to ${THREAD_READ_LIMIT.max}).`,
        );
      }
      const reads = port();
      if (!reads) return context.fail(reply, 503, "unavailable", NOT_READY);
      const messages = await reads.messages(id.data, query.data.limit, requester);
      if (isRefusal(messages)) return context.fail(reply, messages.status, messages.code, messages.message);
      return { channel_id: id.data, messages };
    });

    app.post(DISCORD_ROUTES.messages, NAMED_TOKEN_ROUTE, async (request, reply) => {
      const requester = requireNamed(context, request, reply, "Posting to Discord");
      if (!requester) return reply;
      const id = channelId.safeParse((request.params as { id?: unknown }).id);
      const body = postBody.safeParse(request.body);
      if (!id.success || !body.success) {
        return context.fail(
          reply,
          400,
          "invalid_request",
          `Expected a session thread's id in the path and a JSON body {text: 1 to ${DISCORD_POST_MAX_CHARS} characters}.`,
          body.success ? {} : { issues: context.describeIssues(body.error) },
        );
      }
      const reads = port();
      if (!reads) return context.fail(reply, 503, "unavailable", NOT_READY);
      const posted = await reads.post(id.data, mentionSafe(context.redact(body.data.text)), requester);
      if (isRefusal(posted)) return context.fail(reply, posted.status, posted.code, posted.message);
      return reply.code(201).send({ id: posted.id });
    });
  };
}
