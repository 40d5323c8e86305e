// The sidecar HTTP API of SPEC §4: telemetry in, steering out, health and metrics, on loopback with a token.

import { createHash, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { SIDECAR_DEFAULT_BODY_LIMIT, SIDECAR_DEFAULT_HOST, SIDECAR_LIMITS } from "./constants.js";
import { SidecarMetrics } from "./metrics.js";
import type { SidecarPorts } from "./ports.js";

export interface SidecarOptions {
  /** Bearer token every `/api/*` request must carry. */
  token: string;
  /** 0 picks a free port (tests). */
  port: number;
  /**
   * When `port` is taken, listen on a free port instead of failing (for a port nobody chose: the
   * default). The URL then says which. Default false: a taken port rejects with `SidecarListenError`.
   */
  fallbackToFreePort?: boolean | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Largest request body in bytes; default 64 KiB. */
  bodyLimitBytes?: number | undefined;
  ports: SidecarPorts;
  /** Reuse the bot's metrics; a fresh registry is made when omitted. */
  metrics?: SidecarMetrics | undefined;
  /** Called with errors from the ports (the store), which the client only sees as a 500. */
  onError?: ((error: unknown, context: { route: string }) => void) | undefined;
}

export interface Sidecar {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The port it listens on: `options.port`, or a free one after a fallback (or when it was 0). */
  readonly port: number;
  /** Set when the requested port was taken and a free one was used instead. */
  readonly fellBackFrom: number | undefined;
  readonly metrics: SidecarMetrics;
  close(): Promise<void>;
}

type ErrorCode =
  | "unauthorized"
  | "payload_too_large"
  | "invalid_json"
  | "invalid_request"
  | "unknown_session";

/** The API could not listen: the port is taken or not allowed, or the host is not this machine's. */
export class SidecarListenError extends Error {
  override readonly name = "SidecarListenError";
  /** `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`, … */
  readonly code: string;
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number, cause: unknown) {
    const code = (cause as { code?: unknown }).code;
    super(`The sidecar API cannot listen on ${host}:${port}: ${(cause as Error).message ?? String(cause)}`, {
      cause,
    });
    this.code = typeof code === "string" ? code : "UNKNOWN";
    this.host = host;
    this.port = port;
  }
}

/** Routes that answer without a token: liveness and scraping, which reveal nothing about sessions. */
const PUBLIC_ROUTES = new Set(["/healthz", "/metrics"]);

const sessionId = z.string().trim().min(1).max(SIDECAR_LIMITS.sessionIdChars);

const eventBody = z.strictObject({
  session_id: sessionId,
  event_type: z.string().trim().min(1).max(SIDECAR_LIMITS.eventTypeChars),
  content: z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(z.unknown()),
    z.record(z.string(), z.unknown()),
  ]),
  /** Milliseconds since the epoch, or an ISO 8601 date-time. */
  timestamp: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]),
});

const pollQuery = z.object({ session_id: sessionId });

function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join(".") : "(body)",
    message: issue.message,
  }));
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Compares hashes so neither the token's content nor its length leaks through timing. */
function tokenMatches(presented: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(presented), expectedDigest);
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Starts the API and resolves once it listens. */
export async function startSidecar(options: SidecarOptions): Promise<Sidecar> {
  if (typeof options.token !== "string" || options.token.trim() === "") {
    throw new TypeError("Expected `token` to be a non-empty string: the sidecar API never runs unprotected");
  }
  const bodyLimit = options.bodyLimitBytes ?? SIDECAR_DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) {
    throw new RangeError(`Expected \`bodyLimitBytes\` to be an integer from 1 up, got \`${bodyLimit}\``);
  }
  const host = options.host ?? SIDECAR_DEFAULT_HOST;
  const metrics = options.metrics ?? new SidecarMetrics();
  const expected = digest(options.token);
  const { ports } = options;

  const app = Fastify({ bodyLimit, logger: false });

  const fail = (reply: FastifyReply, status: number, error: ErrorCode, message: string, extra = {}) => {
    metrics.requestsRejected.inc({ reason: error });
    return reply.code(status).send({ error, message, ...extra });
  };

  // onRequest runs before the body is read: an unauthenticated client cannot make us parse anything.
  // Public routes are an allowlist of matched route patterns, so no spelling of a URL (encoded, odd
  // case, unknown path) slips past the token check.
  app.addHook("onRequest", async (request, reply) => {
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? "")) return;
    const presented = bearerToken(request);
    if (presented === undefined || !tokenMatches(presented, expected)) {
      reply.header("www-authenticate", 'Bearer realm="ompcord"');
      return fail(
        reply,
        401,
        "unauthorized",
        presented === undefined
          ? "Send the sidecar token in an `Authorization: Bearer <token>` header: the token ompcord gives each run (set as OMPCORD_API_TOKEN)."
          : "The bearer token is not this bot's sidecar token. Use the token the bot passed to this run.",
      );
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || error.statusCode === 413) {
      return fail(
        reply,
        413,
        "payload_too_large",
        `The request body is larger than ${bodyLimit} bytes. Send smaller events (truncate long content).`,
      );
    }
    if (
      error.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
      error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
      error instanceof SyntaxError
    ) {
      return fail(reply, 400, "invalid_json", `The request body is not valid JSON: ${error.message}`);
    }
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return fail(
        reply,
        415,
        "invalid_request",
        "Send the body as JSON with `Content-Type: application/json`.",
      );
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return fail(reply, error.statusCode, "invalid_request", error.message);
    }
    options.onError?.(error, { route: request.routeOptions.url ?? request.url });
    return reply.code(500).send({
      error: "internal_error",
      message: "The sidecar could not handle this request; the bot's log has the details. Retry later.",
    });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: "not_found",
      message: `No route ${request.method} ${request.url.split("?")[0]}. Routes: POST /api/webhook/event, GET /api/commands/poll, GET /healthz, GET /metrics.`,
    }),
  );

  app.get("/healthz", async () => ({ ok: true }));

  app.get("/metrics", async (_request, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.post("/api/webhook/event", async (request, reply) => {
    const parsed = eventBody.safeParse(request.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        "invalid_request",
        "Expected a JSON body {session_id: string, event_type: string, content: string or JSON, timestamp: epoch milliseconds or ISO 8601}.",
        { issues: describeIssues(parsed.error) },
      );
    }
    const body = parsed.data;
    if (!(await ports.sessionExists(body.session_id))) {
      return fail(reply, 404, "unknown_session", `No ompcord session has id \`${body.session_id}\`.`);
    }
    await ports.recordEvent({
      sessionId: body.session_id,
      eventType: body.event_type,
      content: typeof body.content === "string" ? body.content : JSON.stringify(body.content),
      timestamp: new Date(body.timestamp),
      receivedAt: new Date(),
    });
    metrics.eventsReceived.inc({ event_type: body.event_type });
    return reply.code(202).send({ ok: true });
  });

  app.get("/api/commands/poll", async (request, reply) => {
    const parsed = pollQuery.safeParse(request.query);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        "invalid_request",
        "Expected one query parameter `session_id` (a session id).",
        {
          issues: describeIssues(parsed.error),
        },
      );
    }
    const id = parsed.data.session_id;
    if (!(await ports.sessionExists(id))) {
      return fail(reply, 404, "unknown_session", `No ompcord session has id \`${id}\`.`);
    }
    const messages = await ports.takeSteering(id);
    metrics.steeringDelivered.inc(messages.length);
    return {
      session_id: id,
      messages: messages.map((message) => ({
        id: message.id,
        content: message.content,
        created_at: message.createdAt.toISOString(),
      })),
    };
  });

  let fellBackFrom: number | undefined;
  try {
    await app.listen({ host, port: options.port });
  } catch (error) {
    const taken = (error as { code?: unknown }).code === "EADDRINUSE";
    if (!taken || !options.fallbackToFreePort) {
      await app.close();
      throw new SidecarListenError(host, options.port, error);
    }
    fellBackFrom = options.port;
    try {
      await app.listen({ host, port: 0 });
    } catch (retryError) {
      await app.close();
      throw new SidecarListenError(host, 0, retryError);
    }
  }
  const address = app.server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    fellBackFrom,
    metrics,
    close: () => app.close(),
  };
}
