// The sidecar HTTP API of SPEC §4: telemetry in, steering out, agent notices, health and metrics, on
// loopback. Two kinds of bearer token: the bot's own (metrics, scripts) and each run's (its own session's
// routes only, while the run lives); every rule a run is held to is enforced here, not in the extension.

import { createHash, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { z } from "zod";
import {
  ACK_MAX_IDS,
  EXTENSION_EVENT_TYPES,
  NOTIFY_MAX_CHARS,
  RUN_ENV,
  SIDECAR_ROUTES,
} from "../extension-protocol.js";
import { BotMetrics } from "../metrics.js";
import {
  eventTypeLabel,
  SIDECAR_DEFAULT_BODY_LIMIT,
  SIDECAR_DEFAULT_HOST,
  SIDECAR_LIMITS,
  SIDECAR_MAX_CONNECTIONS,
  SIDECAR_MAX_HOLD_MS,
  SIDECAR_MAX_JSON_DEPTH,
  SIDECAR_TIMEOUTS,
} from "./constants.js";
import { type DecisionsPort, registerDecisionRoutes } from "./decisions.js";
import { nestsDeeperThan } from "./json-depth.js";
import type { NamedPrincipal } from "./named-tokens.js";
import { type NotifyPort, NotifyRateLimiter } from "./notify.js";
import type { SidecarPorts } from "./ports.js";
import type { Principal, RouteContext } from "./route-context.js";
import { RunTelemetry } from "./run-telemetry.js";
import { RunTokens } from "./run-tokens.js";
import { SteeringLedger } from "./steering.js";

export interface SidecarOptions {
  /** Bearer token every request but `GET /healthz` must carry (the API and `/metrics`). */
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
  /** Limits on slow clients, in milliseconds; each defaults to {@link SIDECAR_TIMEOUTS}. */
  timeouts?: Partial<SidecarTimeouts> | undefined;
  /** Open connections at once; default {@link SIDECAR_MAX_CONNECTIONS}. */
  maxConnections?: number | undefined;
  ports: SidecarPorts;
  /**
   * Masks secrets (the bot's redactor): applied to everything the sidecar stores, event type and
   * content alike, before it reaches the ports.
   */
  redact: (text: string) => string;
  /** Reuse the bot's metrics; a fresh registry is made when omitted. */
  metrics?: BotMetrics | undefined;
  /** Called with errors from the ports (the store), which the client only sees as a 500. */
  onError?: ((error: unknown, context: { route: string }) => void) | undefined;
  /**
   * What a steering message's text becomes before a run gets it (the runner's `neutralisePrompt`, so
   * omp acts on none of its words). Identity when omitted.
   */
  prepareSteering?: ((text: string) => string) | undefined;
  /**
   * The agent's `discord_notify` tool: where notices go and how text is made mention-safe. Without it
   * the notify route answers 503.
   */
  /**
   * Named tokens (issue 14): people and scripts acting for a Discord user. Admitted only on routes
   * registered with `NAMED_TOKEN_ROUTE`; without this, no named token authenticates.
   */
  namedTokens?: { authenticate(bearer: string): NamedPrincipal | undefined } | undefined;
  /**
   * Route files added beside this one (tasks, Discord reads): each registers its routes on the app with
   * the context it needs. Called after the built-in routes, before listening.
   */
  routes?: readonly ((app: FastifyInstance, context: RouteContext) => void)[] | undefined;
  notify?:
    | {
        port: NotifyPort;
        /** Neutralises mentions (`@everyone`, `<@id>`), after redaction. */
        mentionSafe: (text: string) => string;
        /** Default: `NOTIFY_RATE_LIMIT` per run. */
        limiter?: NotifyRateLimiter | undefined;
      }
    | undefined;
  /** Approvals and questions (src/sidecar/decisions.ts); without it those routes answer 503. */
  decisions?: DecisionsPort | undefined;
}

export type SidecarTimeouts = { [K in keyof typeof SIDECAR_TIMEOUTS]: number };

export interface Sidecar {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The port it listens on: `options.port`, or a free one after a fallback (or when it was 0). */
  readonly port: number;
  /** Set when the requested port was taken and a free one was used instead. */
  readonly fellBackFrom: number | undefined;
  readonly metrics: BotMetrics;
  /** Issues each run its token (the runner), revoked when the run ends. */
  readonly runs: RunTokens;
  /** Queues steering for running agents (`/omp steer`), hears deliveries and released leases. */
  readonly steering: SteeringLedger;
  /** The context use runs report, per run (the dashboard). */
  readonly telemetry: RunTelemetry;
  close(): Promise<void>;
}

type ErrorCode =
  | "unauthorized"
  | "forbidden"
  | "payload_too_large"
  | "invalid_json"
  | "invalid_request"
  | "unknown_session"
  | "rate_limited"
  | "not_found"
  | "unavailable";

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

/**
 * Routes that answer without a token: liveness only. `/metrics` is not one of them: its counts describe
 * what the bot does (runs, sessions, events), and Prometheus can send the token (`authorization`).
 */
const PUBLIC_ROUTES = new Set(["/healthz"]);

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

const pollQuery = z.object({
  session_id: sessionId,
  /** How long to hold the request when nothing is pending; 0 answers at once. */
  wait_ms: z.coerce.number().int().min(0).max(SIDECAR_MAX_HOLD_MS).default(0),
});

const ackBody = z.strictObject({
  session_id: sessionId,
  ids: z.array(z.string().min(1).max(100)).min(1).max(ACK_MAX_IDS),
});

const notifyBody = z.strictObject({
  session_id: sessionId,
  text: z.string().trim().min(1).max(NOTIFY_MAX_CHARS),
});

/** `context_usage` content: what omp's `ctx.getContextUsage()` returns. */
const contextUsage = z.object({
  tokens: z.number().int().nonnegative(),
  contextWindow: z.number().int().positive(),
  percent: z.number().nonnegative(),
});

/** Thrown by the JSON parser for a body that nests too deep; the error handler turns it into a 400. */
class JsonTooDeepError extends Error {
  readonly code = "OMPCORD_JSON_TOO_DEEP";
  readonly statusCode = 400;
}

/**
 * The schema's problems, by field. Paths are the schema's own field names; messages say what was
 * expected and never repeat what was sent (zod names unknown keys, which a client may have filled with
 * anything, a secret included).
 */
function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join(".") : "(body)",
    message:
      issue.code === "unrecognized_keys"
        ? `${issue.keys.length} unknown field${issue.keys.length === 1 ? "" : "s"}: send only the fields named in the message`
        : issue.message,
  }));
}

/** Said for an unknown session id, which is not repeated (a client may have sent anything there). */
const UNKNOWN_SESSION_MESSAGE =
  "No ompcord session has the id in `session_id`. Send the OMPCORD_SESSION_ID of the run you are in.";

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

/** The sidecar's fastify instance, with every route and limit, not yet listening. */
export interface SidecarServer {
  readonly app: FastifyInstance;
  readonly metrics: BotMetrics;
  readonly runs: RunTokens;
  readonly steering: SteeringLedger;
  readonly telemetry: RunTelemetry;
  /** Listens on the configured host and port; resolves once it does. */
  listen(): Promise<Sidecar>;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Expected \`${name}\` to be an integer from 1 up, got \`${value}\``);
  }
  return value;
}

function resolveTimeouts(overrides: Partial<SidecarTimeouts> = {}): SidecarTimeouts {
  const timeouts = { ...SIDECAR_TIMEOUTS, ...overrides };
  for (const [name, value] of Object.entries(timeouts)) positiveInteger(`timeouts.${name}`, value);
  // Node refuses a header timeout longer than the request timeout; say so in our own words.
  if (timeouts.headersMs > timeouts.requestMs) {
    throw new RangeError(
      `Expected \`timeouts.headersMs\` to be at most \`timeouts.requestMs\` (${timeouts.requestMs}), got \`${timeouts.headersMs}\``,
    );
  }
  return timeouts;
}

/** Starts the API and resolves once it listens. */
export async function startSidecar(options: SidecarOptions): Promise<Sidecar> {
  return buildSidecar(options).listen();
}

/**
 * Builds the API without listening: `startSidecar` is this and `listen()`. Exported so a test can add a
 * route of its own (a request held like a long-poll) to the server as configured.
 */
export function buildSidecar(options: SidecarOptions): SidecarServer {
  if (typeof options.token !== "string" || options.token.trim() === "") {
    throw new TypeError("Expected `token` to be a non-empty string: the sidecar API never runs unprotected");
  }
  const bodyLimit = positiveInteger("bodyLimitBytes", options.bodyLimitBytes ?? SIDECAR_DEFAULT_BODY_LIMIT);
  const timeouts = resolveTimeouts(options.timeouts);
  const maxConnections = positiveInteger("maxConnections", options.maxConnections ?? SIDECAR_MAX_CONNECTIONS);
  const host = options.host ?? SIDECAR_DEFAULT_HOST;
  const metrics = options.metrics ?? new BotMetrics();
  const expected = digest(options.token);
  const { ports, redact } = options;
  if (typeof redact !== "function") {
    throw new TypeError("Expected `redact` to be a function: nothing reaches the store unredacted");
  }
  const reportError = (error: unknown, route: string) => options.onError?.(error, { route });
  const runs = new RunTokens({ onError: (error) => reportError(error, "(run ended)") });
  const steering = new SteeringLedger({
    store: ports,
    prepare: options.prepareSteering,
    onError: (error) => reportError(error, "(steering listener)"),
  });
  const telemetry = new RunTelemetry({
    ...(ports.setRunContext ? { store: { setRunContext: ports.setRunContext.bind(ports) } } : {}),
    onError: (error) => reportError(error, "(telemetry listener)"),
  });
  const notifyLimiter = options.notify?.limiter ?? new NotifyRateLimiter();
  if (options.notify && typeof options.notify.mentionSafe !== "function") {
    throw new TypeError(
      "Expected `notify.mentionSafe` to be a function: agent notices must never ping anyone",
    );
  }
  /** Long-polls held per run, answered at once when the run's token is revoked. */
  const holds = new Map<string, Set<AbortController>>();
  runs.onRevoke((run) => {
    for (const hold of holds.get(run.runId) ?? []) hold.abort();
    notifyLimiter.forget(run.runId);
    telemetry.endRun(run.runId);
    try {
      steering.endRun(run);
    } catch (error) {
      // The store failed: the leases stay until the next restart releases them, nothing is lost.
      reportError(error, "(run ended)");
    }
  });
  steering.onDelivered(() => metrics.steeringDelivered.inc());
  /** Set once the server closes: a held long-poll then leases nothing. */
  let closing = false;
  const principals = new WeakMap<FastifyRequest, Principal>();
  const principalOf = (request: FastifyRequest): Principal => principals.get(request) ?? { kind: "bot" };

  const app = Fastify({
    bodyLimit,
    logger: false,
    // Node's http server enforces these (see SIDECAR_TIMEOUTS): the header and request timeouts count
    // only while a request is received, so a route may hold a request it has fully read.
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionTimeout: timeouts.socketIdleMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkIntervalMs },
    // A URL fastify cannot decode is answered before any hook runs; by default the answer repeats the
    // path, which may hold anything.
    frameworkErrors: (error, _request, reply) => {
      metrics.requestsRejected.inc({ reason: "invalid_request" });
      // (fastify types this reply with the route's generics, which a framework error has none of.)
      return (reply as FastifyReply).code(400).send({
        error: "invalid_request",
        message:
          error.code === "FST_ERR_BAD_URL"
            ? "The request's path is not valid percent-encoding. Encode each part with encodeURIComponent."
            : "The request's path cannot be routed. The README's Sidecar API section lists the routes.",
      });
    },
  });
  app.server.maxConnections = maxConnections;
  app.server.on("drop", () => metrics.connectionsDropped.inc());

  // fastify's own JSON parser (size limit, prototype-poisoning checks), then a depth check that runs
  // before anything recursive (validation, JSON.stringify of the content) can see the value.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser<string>("application/json", { parseAs: "string" }, (request, body, done) => {
    parseJson(request, body, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      if (nestsDeeperThan(value, SIDECAR_MAX_JSON_DEPTH)) return done(new JsonTooDeepError(), undefined);
      done(null, value);
    });
  });

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
    if (presented !== undefined && !tokenMatches(presented, expected)) {
      const run = runs.lookup(presented);
      if (run) {
        principals.set(request, { kind: "run", ...run });
        return;
      }
      const named = options.namedTokens?.authenticate(presented);
      if (named) {
        if (!(request.routeOptions.config as { namedTokens?: boolean } | undefined)?.namedTokens) {
          return fail(
            reply,
            403,
            "forbidden",
            "A named token is for the task and Discord routes (/api/tasks, /api/discord/…), not this one.",
          );
        }
        principals.set(request, { kind: "named", ...named });
        return;
      }
    }
    if (presented === undefined || !tokenMatches(presented, expected)) {
      reply.header("www-authenticate", 'Bearer realm="ompcord"');
      return fail(
        reply,
        401,
        "unauthorized",
        presented === undefined
          ? `Send a token in an \`Authorization: Bearer <token>\` header: a run has its own as ${RUN_ENV.runToken}; a metrics scraper uses the bot's OMPCORD_API_TOKEN or the token in <data dir>/api-token.`
          : `The bearer token is not this bot's sidecar token, a live run's (a run's token ends with its run) nor a named token (it may have been revoked, or its Discord user is no longer an allowed user). Use the ${RUN_ENV.runToken} of the run you are in, a named token from \`/omp token action:issue\`, or, to scrape /metrics, the bot's OMPCORD_API_TOKEN.`,
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
    if (error instanceof JsonTooDeepError) {
      return fail(
        reply,
        400,
        "invalid_request",
        `The JSON body nests deeper than ${SIDECAR_MAX_JSON_DEPTH} levels of arrays and objects. Flatten the content, or send it as a string.`,
      );
    }
    if (
      error.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
      error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
      error instanceof SyntaxError
    ) {
      // fastify's message names no part of the body; a parser's own message could quote it.
      return fail(
        reply,
        400,
        "invalid_json",
        "The request body is not valid JSON (or it has a `__proto__` or `constructor.prototype` key). Send what JSON.stringify makes.",
      );
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
      // Not error.message: some of fastify's messages quote the request (a header, the path).
      return fail(
        reply,
        error.statusCode,
        "invalid_request",
        `The sidecar cannot read this request (${error.code ?? `HTTP ${error.statusCode}`}). The README's Sidecar API section says what each route expects.`,
      );
    }
    // The route's pattern, not the URL: its query may hold anything, and the log is no place for it.
    options.onError?.(error, { route: request.routeOptions.url ?? "(no route)" });
    return reply.code(500).send({
      error: "internal_error",
      message: "The sidecar could not handle this request; the bot's log has the details. Retry later.",
    });
  });

  // The 404 lists the routes as registered, so it cannot drift from them (HEAD is implied by GET).
  const routes: { method: string; url: string }[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routes.push({ method, url: route.url });
    }
  });
  app.setNotFoundHandler((request, reply) => {
    // The path is repeated only when it is one of ours: anything else may hold what a client should
    // not see echoed (a secret pasted in the wrong place).
    const path = request.url.split("?")[0] ?? "";
    const known = routes.some((route) => route.url === path);
    return reply.code(404).send({
      error: "not_found",
      message: `${known ? `No route ${request.method} ${path}` : `No route for ${request.method} at this path`}. Routes: ${routes
        .map((route) => `${route.method} ${route.url}`)
        .join(", ")}.`,
    });
  });

  app.get("/healthz", async () => ({ ok: true }));

  /**
   * A run's token is for its own session's routes: refused (403) on another session's, and on routes
   * that are the bot's alone. Returns the reply when refused, undefined when allowed.
   */
  const refuseOtherSession = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const principal = principalOf(request);
    if (principal.kind === "run" && principal.sessionId !== id) {
      return fail(
        reply,
        403,
        "forbidden",
        `A run's token is valid for its own session only. Send the ${RUN_ENV.sessionId} of the run you are in.`,
      );
    }
    return undefined;
  };
  /** Routes that act for a run (leases, notices) need the run's own token, not the bot's. */
  const requireRun = (request: FastifyRequest, reply: FastifyReply, what: string) => {
    const principal = principalOf(request);
    if (principal.kind === "run") return principal;
    fail(
      reply,
      403,
      "forbidden",
      `${what} belongs to a run: call it with the run's own token (${RUN_ENV.runToken}), not the bot's.`,
    );
    return undefined;
  };

  app.get("/metrics", async (request, reply) => {
    if (principalOf(request).kind === "run") {
      return fail(reply, 403, "forbidden", "Metrics are for the bot's own token, not a run's.");
    }
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.post(SIDECAR_ROUTES.event, async (request, reply) => {
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
    if (refuseOtherSession(request, reply, body.session_id)) return reply;
    if (!(await ports.sessionExists(body.session_id))) {
      return fail(reply, 404, "unknown_session", UNKNOWN_SESSION_MESSAGE);
    }
    let usage: z.infer<typeof contextUsage> | undefined;
    if (body.event_type === EXTENSION_EVENT_TYPES.contextUsage) {
      const checked = contextUsage.safeParse(body.content);
      if (!checked.success) {
        return fail(
          reply,
          400,
          "invalid_request",
          "Expected the content of a `context_usage` event to be {tokens: integer, contextWindow: integer above 0, percent: number}.",
          { issues: describeIssues(checked.error) },
        );
      }
      usage = checked.data;
    }
    await ports.recordEvent({
      sessionId: body.session_id,
      eventType: redact(body.event_type),
      content: redact(typeof body.content === "string" ? body.content : JSON.stringify(body.content)),
      timestamp: new Date(body.timestamp),
      receivedAt: new Date(),
    });
    const principal = principalOf(request);
    if (usage && principal.kind === "run") {
      telemetry.recordContextUsage({
        sessionId: principal.sessionId,
        runId: principal.runId,
        usage: {
          tokens: usage.tokens,
          contextWindow: usage.contextWindow,
          percent: usage.percent,
          at: new Date(),
        },
      });
    }
    metrics.eventsReceived.inc({ event_type: eventTypeLabel(body.event_type) });
    return reply.code(202).send({ ok: true });
  });

  app.get(SIDECAR_ROUTES.poll, async (request, reply) => {
    const parsed = pollQuery.safeParse(request.query);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        "invalid_request",
        `Expected the query parameter \`session_id\` (a session id) and optionally \`wait_ms\` (0 to ${SIDECAR_MAX_HOLD_MS}).`,
        { issues: describeIssues(parsed.error) },
      );
    }
    const { session_id: id, wait_ms: waitMs } = parsed.data;
    const run = requireRun(request, reply, "Polling for steering");
    if (!run) return reply;
    if (refuseOtherSession(request, reply, id)) return reply;
    if (!(await ports.sessionExists(id))) {
      return fail(reply, 404, "unknown_session", UNKNOWN_SESSION_MESSAGE);
    }
    let messages = steering.lease(id, run.runId);
    if (messages.length === 0 && waitMs > 0) {
      // Held until a message is queued, the wait ends, the client goes, the run ends or we close. The
      // header and request timeouts count only while a request is received, so they never cut this.
      const hold = new AbortController();
      const gone = () => hold.abort();
      reply.raw.once("close", gone);
      const held = holds.get(run.runId) ?? new Set<AbortController>();
      holds.set(run.runId, held);
      held.add(hold);
      try {
        await steering.waitForWork(id, waitMs, hold.signal);
      } finally {
        held.delete(hold);
        if (held.size === 0) holds.delete(run.runId);
        reply.raw.off("close", gone);
      }
      // A client that left, or a run that ended, gets nothing leased: nobody would see it arrive.
      if (!hold.signal.aborted && !closing) messages = steering.lease(id, run.runId);
    }
    return {
      session_id: id,
      messages: messages.map((message) => ({
        id: message.id,
        content: message.content,
        created_at: message.createdAt.toISOString(),
      })),
    };
  });

  app.post(SIDECAR_ROUTES.ack, async (request, reply) => {
    const parsed = ackBody.safeParse(request.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        "invalid_request",
        `Expected a JSON body {session_id: string, ids: 1 to ${ACK_MAX_IDS} steering message ids}.`,
        { issues: describeIssues(parsed.error) },
      );
    }
    const run = requireRun(request, reply, "Acknowledging steering");
    if (!run) return reply;
    if (refuseOtherSession(request, reply, parsed.data.session_id)) return reply;
    const acknowledged = steering.ack(run.sessionId, run.runId, parsed.data.ids);
    return { acknowledged };
  });

  app.post(SIDECAR_ROUTES.notify, async (request, reply) => {
    const parsed = notifyBody.safeParse(request.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        "invalid_request",
        `Expected a JSON body {session_id: string, text: 1 to ${NOTIFY_MAX_CHARS} characters}. Shorten the message.`,
        { issues: describeIssues(parsed.error) },
      );
    }
    const run = requireRun(request, reply, "Posting to the thread");
    if (!run) return reply;
    if (refuseOtherSession(request, reply, parsed.data.session_id)) return reply;
    if (!options.notify) {
      return fail(reply, 503, "unavailable", "This bot does not take notices from agents.");
    }
    const allowed = notifyLimiter.take(run.runId);
    if (!allowed.ok) {
      const { messages: limit, windowMs } = notifyLimiter.limit;
      const seconds = Math.ceil(allowed.retryAfterMs / 1000);
      reply.header("retry-after", String(seconds));
      return fail(
        reply,
        429,
        "rate_limited",
        `This run already posted ${limit} message${limit === 1 ? "" : "s"} to its thread in the last ${Math.round(windowMs / 1000)} s, the most it may. Post again in ${seconds} s, or put the news in your final answer.`,
        { retry_after_ms: allowed.retryAfterMs },
      );
    }
    await options.notify.port.post({
      sessionId: run.sessionId,
      runId: run.runId,
      text: options.notify.mentionSafe(redact(parsed.data.text)),
    });
    return reply.code(202).send({ ok: true });
  });

  const routeContext: RouteContext = {
    principalOf,
    fail: (reply, status, error, message, extra = {}) =>
      fail(reply, status, error as ErrorCode, message, extra),
    describeIssues,
    redact,
    reportError,
  };
  for (const register of options.routes ?? []) register(app, routeContext);

  registerDecisionRoutes(app, {
    port: options.decisions,
    requireRun,
    refuseOtherSession,
    fail: (reply, status, error, message, extra) => fail(reply, status, error as ErrorCode, message, extra),
    // Held like steering's poll: answered when the run ends, the client goes or the server closes.
    hold: (run, reply) => {
      const hold = new AbortController();
      const gone = () => hold.abort();
      reply.raw.once("close", gone);
      const held = holds.get(run.runId) ?? new Set<AbortController>();
      holds.set(run.runId, held);
      held.add(hold);
      if (closing) hold.abort();
      return {
        signal: hold.signal,
        release: () => {
          held.delete(hold);
          if (held.size === 0) holds.delete(run.runId);
          reply.raw.off("close", gone);
        },
      };
    },
  });

  // Held long-polls are answered before the server waits for open requests to end.
  app.addHook("preClose", async () => {
    closing = true;
    steering.close();
    for (const held of holds.values()) for (const hold of held) hold.abort();
  });

  return {
    app,
    metrics,
    runs,
    steering,
    telemetry,
    async listen() {
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
        runs,
        steering,
        telemetry,
        close: () => app.close(),
      };
    },
  };
}
