import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedactor } from "../../src/output/redact.js";
import {
  buildSidecar,
  EXTENSION_EVENT_TYPES,
  KNOWN_EVENT_TYPES,
  removeSidecarDiscovery,
  SIDECAR_MAX_CONNECTIONS,
  SIDECAR_TIMEOUTS,
  type Sidecar,
  SidecarListenError,
  type SidecarPorts,
  startSidecar,
  writeSidecarDiscovery,
} from "../../src/sidecar/index.js";
import { createMemorySidecarPorts } from "../support/memory-sidecar-ports.js";

/** The JSON shapes the API answers with, loosely: each test reads the fields it checks. */
interface ApiBody {
  ok?: boolean;
  error?: string;
  message?: string;
  issues?: { path: string; message: string }[];
  session_id?: string;
  messages?: { id: string; content: string; created_at: string }[];
}

const read = async (response: Response): Promise<ApiBody> => (await response.json()) as ApiBody;

const TOKEN = "test-token-0123456789abcdef";
/** A FAKE OpenAI-style key, built at run time: the shape of a real one, valid nowhere. */
const FAKE_KEY = ["sk", "proj", "FAKEfakeFAKEfake0123456789abcdef"].join("-");
/** An exact secret the bot knows (as it knows its own token), that has no recognisable shape. */
const KNOWN_SECRET = "fake-known-secret-value-42";
const redactor = createRedactor({ secrets: [TOKEN, KNOWN_SECRET] });

let sidecar: Sidecar;
let ports: ReturnType<typeof createMemorySidecarPorts>;
const errors: unknown[] = [];

async function start(overrides: Partial<SidecarPorts> = {}) {
  ports = createMemorySidecarPorts(["s-1", "s-2"]);
  sidecar = await startSidecar({
    token: TOKEN,
    port: 0,
    bodyLimitBytes: 1024,
    redact: redactor.redact,
    ports: { ...ports, ...overrides },
    onError: (error) => errors.push(error),
  });
}

function api(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return fetch(`${sidecar.url}${path}`, { ...init, headers });
}

function postEvent(body: unknown, init: RequestInit & { token?: string | null } = {}) {
  return api("/api/webhook/event", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

const event = { session_id: "s-1", event_type: "tool_call", content: "ls -la", timestamp: 1_700_000_000_000 };

beforeEach(async () => {
  errors.length = 0;
  await start();
});

afterEach(async () => {
  await sidecar.close();
});

describe("sidecar API", () => {
  it("listens on loopback", () => {
    expect(sidecar.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("refuses /api requests without a token and says how to authenticate", async () => {
    const response = await postEvent(event, { token: null });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    const body = await read(response);
    expect(body.error).toBe("unauthorized");
    expect(body.message).toContain("Authorization: Bearer <token>");
    expect(ports.events).toEqual([]);
  });

  it("refuses a wrong token, a token of another length, and another scheme", async () => {
    for (const token of ["test-token-0123456789abcdeX", "short", `${TOKEN}extra`]) {
      expect((await api("/api/commands/poll?session_id=s-1", { token })).status).toBe(401);
    }
    const basic = await fetch(`${sidecar.url}/api/commands/poll?session_id=s-1`, {
      headers: { authorization: `Basic ${TOKEN}` },
    });
    expect(basic.status).toBe(401);
  });

  it("refuses an unauthenticated oversize body with 401 before reading it", async () => {
    const response = await postEvent({ ...event, content: "x".repeat(10_000) }, { token: "wrong" });
    expect(response.status).toBe(401);
  });

  it("refuses a body over the limit with 413 and a clear message", async () => {
    const response = await postEvent({ ...event, content: "x".repeat(10_000) });
    expect(response.status).toBe(413);
    const body = await read(response);
    expect(body.error).toBe("payload_too_large");
    expect(body.message).toContain("1024 bytes");
    expect(ports.events).toEqual([]);
  });

  it("refuses malformed JSON with 400", async () => {
    const response = await postEvent('{"session_id": "s-1",');
    expect(response.status).toBe(400);
    expect((await read(response)).error).toBe("invalid_json");
  });

  it("refuses a body that breaks the schema with 400 naming what was expected and each problem", async () => {
    const response = await postEvent({ session_id: "", event_type: 5, timestamp: "yesterday", extra: true });
    expect(response.status).toBe(400);
    const body = await read(response);
    expect(body.error).toBe("invalid_request");
    expect(body.message).toContain("session_id");
    const paths = body.issues!.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["session_id", "event_type", "content", "timestamp"]));
    expect(ports.events).toEqual([]);
  });

  it("stores a valid event through the port and answers 202", async () => {
    const response = await postEvent(event);
    expect(response.status).toBe(202);
    expect(await read(response)).toEqual({ ok: true });
    expect(ports.events).toHaveLength(1);
    expect(ports.events[0]).toMatchObject({
      sessionId: "s-1",
      eventType: "tool_call",
      content: "ls -la",
      timestamp: new Date(1_700_000_000_000),
    });
  });

  it("accepts an ISO timestamp and JSON content, stored serialised", async () => {
    const response = await postEvent({
      ...event,
      content: { tool: "bash", args: ["ls"] },
      timestamp: "2026-01-01T00:00:00Z",
    });
    expect(response.status).toBe(202);
    expect(ports.events[0]).toMatchObject({
      content: '{"tool":"bash","args":["ls"]}',
      timestamp: new Date("2026-01-01T00:00:00Z"),
    });
  });

  it("answers 404 for an event of an unknown session and stores nothing", async () => {
    const response = await postEvent({ ...event, session_id: "nope" });
    expect(response.status).toBe(404);
    expect((await read(response)).error).toBe("unknown_session");
    expect(ports.events).toEqual([]);
  });

  it("refuses a poll without session_id with 400, and the bot's own token with 403: steering is leased to runs", async () => {
    const missing = await api("/api/commands/poll");
    expect(missing.status).toBe(400);
    expect((await read(missing)).message).toContain("session_id");
    const asBot = await api("/api/commands/poll?session_id=s-1");
    expect(asBot.status).toBe(403);
    expect((await read(asBot)).message).toContain("OMPCORD_RUN_TOKEN");
  });

  it("answers /healthz without a token", async () => {
    const response = await fetch(`${sidecar.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await read(response)).toEqual({ ok: true });
  });

  it("serves Prometheus text with process metrics and the bot's gauges", async () => {
    sidecar.metrics.runsActive.set(2);
    sidecar.metrics.runsQueued.set(5);
    sidecar.metrics.sessions.set(7);
    sidecar.metrics.dashboardEdits.inc(3);
    sidecar.metrics.rateLimitHits.inc();
    await postEvent(event);
    const response = await api("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toMatch(/^ompcord_runs_active 2$/m);
    expect(text).toMatch(/^ompcord_runs_queued 5$/m);
    expect(text).toMatch(/^ompcord_sessions 7$/m);
    expect(text).toMatch(/^ompcord_dashboard_edits_total 3$/m);
    expect(text).toMatch(/^ompcord_discord_rate_limits_total 1$/m);
    expect(text).toMatch(/^ompcord_sidecar_events_total\{event_type="tool_call"\} 1$/m);
  });

  it("keeps metrics per server: a second instance starts from zero", async () => {
    sidecar.metrics.runsActive.set(9);
    const other = await startSidecar({ token: TOKEN, port: 0, ports, redact: redactor.redact });
    try {
      const text = await (
        await fetch(`${other.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).text();
      expect(text).toMatch(/^ompcord_runs_active 0$/m);
    } finally {
      await other.close();
    }
  });

  it("answers 500 without details when the store fails, and reports the error", async () => {
    await sidecar.close();
    await start({
      recordEvent: () => {
        throw new Error("SQLITE_BUSY");
      },
    });
    const response = await postEvent(event);
    expect(response.status).toBe(500);
    expect(JSON.stringify(await read(response))).not.toContain("SQLITE_BUSY");
    expect(String(errors[0])).toContain("SQLITE_BUSY");
  });

  it("answers unknown routes with 404 listing every route, each of which exists", async () => {
    const response = await api("/api/nothing");
    expect(response.status).toBe(404);
    const { message } = await read(response);
    const listed = [...message!.matchAll(/\b(GET|POST) (\/[\w/:]+)/g)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    expect(listed.sort()).toEqual([
      "GET /api/commands/poll",
      "GET /api/decisions/:id/wait",
      "GET /healthz",
      "GET /metrics",
      "POST /api/commands/ack",
      "POST /api/decisions",
      "POST /api/notify",
      "POST /api/webhook/event",
    ]);
    for (const route of listed) {
      const [method, path] = route.split(" ");
      // A route with a parameter is tried with a made-up one: its own 4xx is not the router's 404.
      const response = await api(path!.replace(":id", "x1"), { method: method! });
      expect(response.status === 404 && (await read(response)).error === "not_found", route).toBe(false);
    }
  });

  it("a wrong method on a route is answered 404 naming the route's path", async () => {
    const response = await api("/api/commands/poll?session_id=s-1", { method: "DELETE" });
    expect(response.status).toBe(404);
    expect((await read(response)).message).toContain("DELETE /api/commands/poll");
  });

  describe("no answer echoes what the request sent (it may hold a secret)", () => {
    const SENT = ["fake", "secret", "sent", "by", "the", "client"].join("-");
    const expectNoEcho = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      const text = await response.text();
      expect(text).not.toContain(SENT);
      expect((JSON.parse(text) as ApiBody).message).toBeTruthy();
    };

    it("an unknown field's name", async () => {
      await expectNoEcho(await postEvent({ ...event, [SENT]: 1 }), 400);
    });

    it("an unknown session id, in an event and in a poll", async () => {
      await expectNoEcho(await postEvent({ ...event, session_id: SENT }), 404);
      await expectNoEcho(await api(`/api/commands/poll?session_id=${SENT}`), 403);
    });

    it("an unknown path", async () => {
      await expectNoEcho(await api(`/api/${SENT}`), 404);
    });

    it("a path with broken percent-encoding, with or without the token", async () => {
      await expectNoEcho(await api(`/api/%zz-${SENT}`), 400);
      await expectNoEcho(await api(`/%zz-${SENT}`, { token: null }), 400);
    });

    it("a body that is not JSON", async () => {
      await expectNoEcho(await postEvent(`{"session_id": ${SENT}}`), 400);
    });
  });

  it("refuses to start without a token", async () => {
    await expect(startSidecar({ token: " ", port: 0, ports, redact: redactor.redact })).rejects.toThrow(
      /non-empty string/,
    );
  });

  it("refuses to start without a redactor", async () => {
    // @ts-expect-error: the run-time check guards callers the types do not reach.
    await expect(startSidecar({ token: TOKEN, port: 0, ports })).rejects.toThrow(
      /Expected `redact` to be a function/,
    );
  });
});

describe("sidecar telemetry", () => {
  const scrape = async () => (await api("/metrics")).text();

  it("a secret sent as event_type never reaches /metrics nor the stored event", async () => {
    for (const secret of [FAKE_KEY, KNOWN_SECRET]) {
      const response = await postEvent({ ...event, event_type: secret, content: `then ${secret}` });
      expect(response.status).toBe(202);
    }
    expect(ports.events).toHaveLength(2);
    for (const stored of ports.events) {
      expect(stored.eventType).toBe("[REDACTED]");
      expect(stored.content).toBe("then [REDACTED]");
    }
    const text = await scrape();
    expect(text).not.toContain(FAKE_KEY);
    expect(text).not.toContain(KNOWN_SECRET);
    expect(text).toMatch(/^ompcord_sidecar_events_total\{event_type="other"\} 2$/m);
  });

  it("redacts JSON content after serialising it", async () => {
    const response = await postEvent({ ...event, content: { command: `curl -H "x: ${FAKE_KEY}"` } });
    expect(response.status).toBe(202);
    expect(ports.events[0]!.content).not.toContain(FAKE_KEY);
    expect(ports.events[0]!.content).toContain("[REDACTED]");
  });

  it("the known event types are exactly the events omp's extension API emits, and the extension's own", () => {
    const types = readFileSync(
      resolve(
        import.meta.dirname,
        "../../node_modules/@oh-my-pi/pi-coding-agent/src/extensibility/extensions/types.ts",
      ),
      "utf8",
    );
    const emitted = new Set([...types.matchAll(/\bon\(event: "([a-z_]+)"/g)].map((match) => match[1]));
    const ours = Object.values(EXTENSION_EVENT_TYPES);
    expect([...KNOWN_EVENT_TYPES].sort()).toEqual([...emitted, ...ours].sort());
  });

  it("300 distinct event types do not grow the label set: unknown ones count as `other`", async () => {
    await postEvent({ ...event, event_type: "tool_call" });
    for (let i = 0; i < 300; i++) {
      expect((await postEvent({ ...event, event_type: `made_up_${i}` })).status).toBe(202);
    }
    const lines = (await scrape())
      .split("\n")
      .filter((line) => line.startsWith("ompcord_sidecar_events_total{"));
    expect(lines.sort()).toEqual([
      'ompcord_sidecar_events_total{event_type="other"} 300',
      'ompcord_sidecar_events_total{event_type="tool_call"} 1',
    ]);
    // Every event is still stored, under its own (redacted) name.
    expect(ports.events).toHaveLength(301);
    expect(ports.events.at(-1)!.eventType).toBe("made_up_299");
  });
});

describe("sidecar deeply nested JSON", () => {
  const DEPTH = 30_000;
  const deepArray = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;
  const deepObject = `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`;
  const asContent = (json: string) =>
    `{"session_id":"s-1","event_type":"tool_call","timestamp":1700000000000,"content":${json}}`;

  beforeEach(async () => {
    // Room for 30 000 levels of objects: the depth limit must hold whatever the size limit is.
    await sidecar.close();
    ports = createMemorySidecarPorts(["s-1"]);
    sidecar = await startSidecar({
      token: TOKEN,
      port: 0,
      bodyLimitBytes: 1024 * 1024,
      redact: redactor.redact,
      ports,
      onError: (error) => errors.push(error),
    });
  });

  for (const [name, body] of [
    ["a 30 000-deep array as the body", deepArray],
    ["a 30 000-deep object as the body", deepObject],
    ["a 30 000-deep array as the content", asContent(deepArray)],
    ["a 30 000-deep object as the content", asContent(deepObject)],
  ] as const) {
    it(`${name} gets 400 saying how deep JSON may nest, and nothing is stored`, async () => {
      const response = await postEvent(body);
      expect(response.status).toBe(400);
      const answer = await read(response);
      expect(answer.error).toBe("invalid_request");
      expect(answer.message).toMatch(/nests deeper than \d+ levels/);
      expect(ports.events).toEqual([]);
      expect(errors).toEqual([]);
    });
  }

  it("the depth check holds whatever the JSON media type's parameters", async () => {
    const response = await postEvent(asContent(deepArray), {
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(response.status).toBe(400);
    expect((await read(response)).message).toMatch(/nests deeper than \d+ levels/);
  });

  it("content nested a few levels deep is stored", async () => {
    const content = { a: [{ b: { c: [1, [2, [3]]] } }] };
    expect((await postEvent({ ...event, content })).status).toBe(202);
    expect(JSON.parse(ports.events[0]!.content)).toEqual(content);
  });
});

describe("sidecar slow clients", () => {
  /** Short limits so each test takes seconds; the defaults are the same code with larger numbers. */
  const timeouts = {
    headersMs: 500,
    requestMs: 1_000,
    keepAliveMs: 500,
    socketIdleMs: 20_000,
    checkIntervalMs: 100,
  };
  const MAX_CONNECTIONS = 4;
  /** Ceiling for a test that waits for the server to cut a connection: generous, not a measurement. */
  const CEILING_MS = 30_000;
  const sockets: Socket[] = [];

  const options = () => ({
    token: TOKEN,
    port: 0,
    redact: redactor.redact,
    ports,
    timeouts,
    maxConnections: MAX_CONNECTIONS,
    onError: (error: unknown) => errors.push(error),
  });

  beforeEach(async () => {
    await sidecar.close();
    ports = createMemorySidecarPorts(["s-1"]);
    sidecar = await startSidecar(options());
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  /** A raw TCP client of `url`: `closed` resolves with everything it received once the server closes it. */
  function rawClient(url: string, onConnect: (socket: Socket) => void = () => undefined) {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    sockets.push(socket);
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", () => undefined); // a reset is a close too
    const connected = new Promise<void>((resolve) => socket.once("connect", resolve));
    const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(received)));
    socket.once("connect", () => onConnect(socket));
    return { socket, connected, closed };
  }

  /** Writes `text`, then one more byte every 100 ms until the socket closes: never a complete request. */
  function trickle(socket: Socket, text: string) {
    socket.write(text);
    const timer = setInterval(() => socket.write("a"), 100);
    socket.once("close", () => clearInterval(timer));
  }
  const trickleHeaders = (socket: Socket) =>
    trickle(socket, "GET /healthz HTTP/1.1\r\nHost: sidecar\r\nX-Pad: ");

  it("a client trickling its headers is cut with 408 by the header timeout", {
    timeout: CEILING_MS,
  }, async () => {
    const client = rawClient(sidecar.url, trickleHeaders);
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("a connection that sends nothing is cut by the header timeout", { timeout: CEILING_MS }, async () => {
    const client = rawClient(sidecar.url);
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("an authenticated client trickling its body is cut with 408 by the request timeout, and nothing is stored", {
    timeout: CEILING_MS,
  }, async () => {
    const client = rawClient(sidecar.url, (socket) =>
      trickle(
        socket,
        [
          "POST /api/webhook/event HTTP/1.1",
          "Host: sidecar",
          `Authorization: Bearer ${TOKEN}`,
          "Content-Type: application/json",
          "Content-Length: 900",
          "",
          '{"session_id":"s-1","event_type":"tool_call","timestamp":1,"content":"',
        ].join("\r\n"),
      ),
    );
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
    expect(ports.events).toEqual([]);
  });

  it("an idle keep-alive connection is closed after its answer", { timeout: CEILING_MS }, async () => {
    const client = rawClient(sidecar.url, (socket) =>
      socket.write("GET /healthz HTTP/1.1\r\nHost: sidecar\r\nConnection: keep-alive\r\n\r\n"),
    );
    expect(await client.closed).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("connections beyond the cap are closed at once, and an authenticated request succeeds once the trickling ones are cut", {
    timeout: CEILING_MS,
  }, async () => {
    // The tricklers must still be held when the fifth connects: after a pause of a loaded machine the
    // server's timers run before it accepts a new connection, so 500 ms could cut them first.
    await sidecar.close();
    sidecar = await startSidecar({
      ...options(),
      timeouts: { ...timeouts, headersMs: 5_000, requestMs: 5_000 },
    });
    const tricklers = Array.from({ length: MAX_CONNECTIONS }, () => rawClient(sidecar.url, trickleHeaders));
    await Promise.all(tricklers.map((client) => client.connected));

    const overCap = rawClient(sidecar.url, trickleHeaders);
    // Closed without a byte: not answered, not timed out (a timed-out one gets a 408).
    expect(await overCap.closed).toBe("");
    expect(await sidecar.metrics.connectionsDropped.get()).toMatchObject({ values: [{ value: 1 }] });

    for (const answer of await Promise.all(tricklers.map((client) => client.closed))) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    }
    const response = await api("/metrics");
    expect(response.status).toBe(200);
  });

  it("a request the server holds longer than the header and request timeouts is answered, not cut", {
    timeout: CEILING_MS,
  }, async () => {
    // A route that answers late, as a long-poll waiting for steering does.
    const holdMs = 3 * timeouts.requestMs;
    const held = buildSidecar(options());
    held.app.get("/api/test/held", async () => {
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      return { answered: true };
    });
    const server = await held.listen();
    try {
      const response = await fetch(`${server.url}/api/test/held`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ answered: true });
    } finally {
      await server.close();
    }
  });

  it("without overrides, the HTTP server gets the named limits", async () => {
    const { app } = buildSidecar({ token: TOKEN, port: 0, redact: redactor.redact, ports });
    const { server } = app;
    await app.close();
    expect({
      headersMs: server.headersTimeout,
      requestMs: server.requestTimeout,
      keepAliveMs: server.keepAliveTimeout,
      socketIdleMs: server.timeout,
      maxConnections: server.maxConnections,
    }).toEqual({
      headersMs: SIDECAR_TIMEOUTS.headersMs,
      requestMs: SIDECAR_TIMEOUTS.requestMs,
      keepAliveMs: SIDECAR_TIMEOUTS.keepAliveMs,
      socketIdleMs: SIDECAR_TIMEOUTS.socketIdleMs,
      maxConnections: SIDECAR_MAX_CONNECTIONS,
    });
  });

  it("refuses timeouts that contradict each other, naming the option", async () => {
    await expect(startSidecar({ ...options(), timeouts: { ...timeouts, headersMs: 5_000 } })).rejects.toThrow(
      /Expected `timeouts.headersMs` to be at most `timeouts.requestMs` \(1000\), got `5000`/,
    );
    await expect(startSidecar({ ...options(), timeouts: { ...timeouts, requestMs: 0 } })).rejects.toThrow(
      /Expected `timeouts.requestMs` to be an integer from 1 up, got `0`/,
    );
    await expect(startSidecar({ ...options(), maxConnections: -1 })).rejects.toThrow(
      /Expected `maxConnections` to be an integer from 1 up, got `-1`/,
    );
  });
});

describe("sidecar API token check", () => {
  it("guards every route but /healthz, however the path is spelled", async () => {
    for (const path of [
      "/metrics",
      "/METRICS",
      "/%6Detrics",
      "/api/nothing",
      "/%61pi/commands/poll?session_id=s-1",
      "/API/commands/poll?session_id=s-1",
      "/other",
    ]) {
      expect((await fetch(`${sidecar.url}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(`${sidecar.url}/healthz`)).status).toBe(200);
  });

  it("/metrics without the token answers 401 and serves no metric", async () => {
    sidecar.metrics.runsActive.set(3);
    for (const token of [null, "wrong-token-0123456789"]) {
      const response = await api("/metrics", { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect(await response.text()).not.toContain("ompcord_runs_active");
    }
    expect(await (await api("/metrics")).text()).toMatch(/^ompcord_runs_active 3$/m);
  });
});

describe("sidecar port", () => {
  /** A port some other program holds for the length of a test. */
  async function takenPort(): Promise<{ port: number; release: () => Promise<void> }> {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    return { port, release: () => new Promise<void>((resolve) => blocker.close(() => resolve())) };
  }

  it("a taken port that may fall back gives way to a free one and says which", async () => {
    const taken = await takenPort();
    const ports = createMemorySidecarPorts([]);
    const moved = await startSidecar({
      token: TOKEN,
      port: taken.port,
      fallbackToFreePort: true,
      ports,
      redact: redactor.redact,
    });
    try {
      expect(moved.fellBackFrom).toBe(taken.port);
      expect(moved.port).not.toBe(taken.port);
      expect(moved.url).toBe(`http://127.0.0.1:${moved.port}`);
      expect((await fetch(`${moved.url}/healthz`)).ok).toBe(true);
    } finally {
      await moved.close();
      await taken.release();
    }
  });

  it("a port that is free is used as asked, with no fallback reported", async () => {
    const free = await startSidecar({
      token: TOKEN,
      port: 0,
      fallbackToFreePort: true,
      ports: createMemorySidecarPorts([]),
      redact: redactor.redact,
    });
    try {
      expect(free.fellBackFrom).toBeUndefined();
      expect(free.url).toBe(`http://127.0.0.1:${free.port}`);
    } finally {
      await free.close();
    }
  });

  it("a taken port that may not fall back rejects with a SidecarListenError naming host, port and code", async () => {
    const taken = await takenPort();
    try {
      const error = await startSidecar({
        token: TOKEN,
        port: taken.port,
        ports: createMemorySidecarPorts([]),
        redact: redactor.redact,
      }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(SidecarListenError);
      expect(error).toMatchObject({ code: "EADDRINUSE", host: "127.0.0.1", port: taken.port });
    } finally {
      await taken.release();
    }
  });
});

describe("sidecar discovery file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ompcord-discovery-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is written whole with mode 0600, and removed only by the process it names", () => {
    const file = join(dir, "sidecar.json");
    writeSidecarDiscovery(file, { url: "http://127.0.0.1:45678", port: 45_678, pid: 4242 });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      url: "http://127.0.0.1:45678",
      port: 45_678,
      pid: 4242,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["sidecar.json"]);
    removeSidecarDiscovery(file, 1);
    expect(existsSync(file)).toBe(true);
    removeSidecarDiscovery(file, 4242);
    expect(existsSync(file)).toBe(false);
  });
});
