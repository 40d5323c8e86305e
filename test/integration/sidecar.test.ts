import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createMemorySidecarPorts,
  removeSidecarDiscovery,
  type Sidecar,
  SidecarListenError,
  type SidecarPorts,
  startSidecar,
  writeSidecarDiscovery,
} from "../../src/sidecar/index.js";

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

let sidecar: Sidecar;
let ports: ReturnType<typeof createMemorySidecarPorts>;
const errors: unknown[] = [];

async function start(overrides: Partial<SidecarPorts> = {}) {
  ports = createMemorySidecarPorts(["s-1", "s-2"]);
  sidecar = await startSidecar({
    token: TOKEN,
    port: 0,
    bodyLimitBytes: 1024,
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

  it("delivers each steering message once, oldest first, only to its own session", async () => {
    ports.queueSteering("s-1", "stop and run the tests first");
    ports.queueSteering("s-1", "then commit");
    ports.queueSteering("s-2", "for the other session");

    const first = await read(await api("/api/commands/poll?session_id=s-1"));
    expect(first.session_id).toBe("s-1");
    expect(first.messages!.map((m) => m.content)).toEqual(["stop and run the tests first", "then commit"]);
    expect(first.messages![0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const second = await read(await api("/api/commands/poll?session_id=s-1"));
    expect(second.messages).toEqual([]);

    const other = await read(await api("/api/commands/poll?session_id=s-2"));
    expect(other.messages!.map((m) => m.content)).toEqual(["for the other session"]);
  });

  it("delivers a message once even to concurrent polls", async () => {
    ports.queueSteering("s-1", "only once");
    const bodies = await Promise.all(
      Array.from({ length: 5 }, async () => read(await api("/api/commands/poll?session_id=s-1"))),
    );
    expect(bodies.flatMap((body) => body.messages ?? [])).toHaveLength(1);
  });

  it("answers 400 for a poll without session_id and 404 for an unknown session", async () => {
    const missing = await api("/api/commands/poll");
    expect(missing.status).toBe(400);
    expect((await read(missing)).message).toContain("session_id");
    expect((await api("/api/commands/poll?session_id=nope")).status).toBe(404);
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
    const response = await fetch(`${sidecar.url}/metrics`);
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
    const other = await startSidecar({ token: TOKEN, port: 0, ports });
    try {
      const text = await (await fetch(`${other.url}/metrics`)).text();
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

  it("answers unknown routes with 404 listing the routes", async () => {
    const response = await api("/api/nothing");
    expect(response.status).toBe(404);
    expect((await read(response)).message).toContain("POST /api/webhook/event");
  });

  it("refuses to start without a token", async () => {
    await expect(startSidecar({ token: " ", port: 0, ports })).rejects.toThrow(/non-empty string/);
  });
});

describe("sidecar API token check", () => {
  it("guards every route but /healthz and /metrics, however the path is spelled", async () => {
    for (const path of [
      "/api/nothing",
      "/%61pi/commands/poll?session_id=s-1",
      "/API/commands/poll?session_id=s-1",
      "/other",
    ]) {
      expect((await fetch(`${sidecar.url}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(`${sidecar.url}/metrics`)).status).toBe(200);
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
    const moved = await startSidecar({ token: TOKEN, port: taken.port, fallbackToFreePort: true, ports });
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
