// The sidecar as runs use it: per-run tokens scoped to their session, steering leased to a run and
// delivered on its acknowledgement (long-polled), agent notices with a per-run limit, context use.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedactor } from "../../src/output/redact.js";
import {
  type AgentNotice,
  NotifyRateLimiter,
  type RunGrant,
  SIDECAR_MAX_HOLD_MS,
  type Sidecar,
  type SidecarOptions,
  type SteeringDelivered,
  type SteeringReleased,
  startSidecar,
} from "../../src/sidecar/index.js";
import { createMemorySidecarPorts } from "../support/memory-sidecar-ports.js";

const TOKEN = "test-token-0123456789abcdef";
/** A FAKE OpenAI-style key, built at run time: the shape of a real one, valid nowhere. */
const FAKE_KEY = ["sk", "proj", "FAKEfakeFAKEfake0123456789abcdef"].join("-");
const redactor = createRedactor({ secrets: [TOKEN] });
/** Generous: a loaded machine is slow; only a broken hold would come near it. */
const WAIT_MS = 30_000;

interface Body {
  error?: string;
  message?: string;
  messages?: { id: string; content: string; created_at: string }[];
  acknowledged?: string[];
  retry_after_ms?: number;
}

let sidecar: Sidecar;
let ports: ReturnType<typeof createMemorySidecarPorts>;
let notices: AgentNotice[];
let errors: unknown[];

async function start(overrides: Partial<SidecarOptions> = {}) {
  ports = createMemorySidecarPorts(["s-1", "s-2"]);
  notices = [];
  errors = [];
  sidecar = await startSidecar({
    token: TOKEN,
    port: 0,
    redact: redactor.redact,
    ports,
    notify: {
      port: { post: (notice) => void notices.push(notice) },
      mentionSafe: (text) => text.replace(/@(everyone|here)/g, "@\u200b$1"),
    },
    onError: (error) => errors.push(error),
    ...overrides,
  });
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await sidecar.close();
});

function call(token: string | undefined, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.body) headers.set("content-type", "application/json");
  return fetch(`${sidecar.url}${path}`, { ...init, headers });
}
const read = async (response: Response) => (await response.json()) as Body;
const poll = (grant: RunGrant, sessionId = "s-1", waitMs = 0) =>
  call(grant.token, `/api/commands/poll?session_id=${sessionId}&wait_ms=${waitMs}`);
const ack = (grant: RunGrant, ids: string[], sessionId = "s-1") =>
  call(grant.token, "/api/commands/ack", {
    method: "POST",
    body: JSON.stringify({ session_id: sessionId, ids }),
  });
const notify = (grant: RunGrant, text: string, sessionId = "s-1") =>
  call(grant.token, "/api/notify", { method: "POST", body: JSON.stringify({ session_id: sessionId, text }) });
const postEvent = (token: string, body: Record<string, unknown>) =>
  call(token, "/api/webhook/event", {
    method: "POST",
    body: JSON.stringify({ session_id: "s-1", timestamp: Date.now(), ...body }),
  });
const contents = async (response: Response) => (await read(response)).messages?.map((m) => m.content);

/** Waits for a condition the sidecar does not announce (a long-poll being held), without a fixed sleep. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("run tokens", () => {
  it("a run's token works on its own session's routes and gets 403 on another session's", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    expect(run.token).toMatch(/^ompcord_run_[A-Za-z0-9_-]{43}$/);
    expect((await poll(run, "s-1")).status).toBe(200);
    expect((await postEvent(run.token, { event_type: "turn_end", content: "x" })).status).toBe(202);
    expect((await notify(run, "hello")).status).toBe(202);

    const elsewhere = [
      await poll(run, "s-2"),
      await ack(run, ["1"], "s-2"),
      await notify(run, "hello", "s-2"),
      await call(run.token, "/api/webhook/event", {
        method: "POST",
        body: JSON.stringify({ session_id: "s-2", event_type: "x", content: "y", timestamp: 1 }),
      }),
      await call(run.token, "/metrics"),
    ];
    for (const response of elsewhere) {
      expect(response.status, response.url).toBe(403);
      expect((await read(response)).error).toBe("forbidden");
    }
    expect(ports.events.map((e) => e.sessionId)).toEqual(["s-1"]);
    expect(notices).toHaveLength(1);
  });

  it("a revoked token is refused with 401 everywhere", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    run.revoke();
    for (const response of [
      await poll(run),
      await ack(run, ["1"]),
      await notify(run, "hello"),
      await postEvent(run.token, { event_type: "x", content: "y" }),
    ]) {
      expect(response.status).toBe(401);
      expect((await read(response)).message).toContain("run's token ends with its run");
    }
    expect(sidecar.runs.size).toBe(0);
  });

  it("the bot's own token cannot poll, acknowledge or notify: those act for a run", async () => {
    for (const response of [
      await call(TOKEN, "/api/commands/poll?session_id=s-1"),
      await call(TOKEN, "/api/commands/ack", {
        method: "POST",
        body: JSON.stringify({ session_id: "s-1", ids: ["1"] }),
      }),
      await call(TOKEN, "/api/notify", {
        method: "POST",
        body: JSON.stringify({ session_id: "s-1", text: "hi" }),
      }),
    ]) {
      expect(response.status).toBe(403);
      expect((await read(response)).message).toContain("OMPCORD_RUN_TOKEN");
    }
  });
});

describe("steering leases", () => {
  it("a poll leases the pending messages in order to its run; another run's poll gets none of them", async () => {
    const first = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const second = sidecar.runs.issue({ sessionId: "s-1", runId: "r-2" });
    sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "stop and run the tests first" });
    sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "then commit" });
    sidecar.steering.queue({ sessionId: "s-2", authorId: "u", text: "for the other session" });

    expect(await contents(await poll(first))).toEqual(["stop and run the tests first", "then commit"]);
    expect(await contents(await poll(first))).toEqual([]);
    expect(await contents(await poll(second))).toEqual([]);
  });

  it("concurrent polls of one run get each message once", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "only once" });
    const bodies = await Promise.all(Array.from({ length: 5 }, () => poll(run).then(read)));
    expect(bodies.flatMap((body) => body.messages ?? [])).toHaveLength(1);
  });

  it("a leased message is delivered only on its run's acknowledgement, announced once, counted once", async () => {
    const delivered: SteeringDelivered[] = [];
    sidecar.steering.onDelivered((event) => delivered.push(event));
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const other = sidecar.runs.issue({ sessionId: "s-1", runId: "r-2" });
    const message = sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "look at the logs" });
    await poll(run);
    expect(ports.steering[0]?.deliveredAt).toBeNull();
    expect(delivered).toEqual([]);

    expect((await read(await ack(other, [message.id]))).acknowledged).toEqual([]);
    expect((await read(await ack(run, [message.id]))).acknowledged).toEqual([message.id]);
    expect((await read(await ack(run, [message.id]))).acknowledged).toEqual([message.id]);

    expect(ports.steering[0]?.deliveredAt).toBeInstanceOf(Date);
    expect(delivered.map((d) => [d.message.id, d.runId, d.via])).toEqual([[message.id, "r-1", "ack"]]);
    expect(await sidecar.metrics.steeringDelivered.get()).toMatchObject({ values: [{ value: 1 }] });
  });

  it("a run that ends unacknowledged gives its messages back, in order, to the next run", async () => {
    const released: SteeringReleased[] = [];
    sidecar.steering.onReleased((event) => released.push(event));
    const first = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const [a, b] = ["one", "two"].map((text) =>
      sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text }),
    );
    await poll(first);
    await ack(first, [a!.id]);
    first.revoke();

    expect(released.map((event) => [event.runId, event.messages.map((m) => m.id)])).toEqual([
      ["r-1", [b!.id]],
    ]);
    const next = sidecar.runs.issue({ sessionId: "s-1", runId: "r-2" });
    expect(await contents(await poll(next))).toEqual(["two"]);
  });

  it("a message queued for a run that never leased it (it came as the run ended) is given back with the run's leases, oldest first", async () => {
    const released: SteeringReleased[] = [];
    sidecar.steering.onReleased((event) => released.push(event));
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const leased = sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "leased" });
    await poll(run);
    const late = sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "after the last poll" });
    const elsewhere = sidecar.steering.queue({ sessionId: "s-2", authorId: "u", text: "another session" });
    expect(sidecar.steering.hasEnded("s-1", "r-1")).toBe(false);
    run.revoke();

    expect(released.map((event) => [event.runId, event.messages.map((m) => m.id)])).toEqual([
      ["r-1", [leased.id, late.id]],
    ]);
    expect(released[0]!.messages.map((m) => m.id)).not.toContain(elsewhere.id);
    expect(sidecar.steering.hasEnded("s-1", "r-1")).toBe(true);
    expect(sidecar.steering.hasEnded("s-1", "r-2")).toBe(false);
  });

  it("a lease the run's stdout showed arriving is delivered when the run ends, even unacknowledged", async () => {
    const delivered: SteeringDelivered[] = [];
    sidecar.steering.onDelivered((event) => delivered.push(event));
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const [seen] = ["arrived", "never arrived"].map((text) =>
      sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text }),
    );
    await poll(run);
    run.revoke({ seenSteering: ["arrived"] });

    expect(delivered.map((d) => [d.message.id, d.via])).toEqual([[seen!.id, "stdout"]]);
    const next = sidecar.runs.issue({ sessionId: "s-1", runId: "r-2" });
    expect(await contents(await poll(next))).toEqual(["never arrived"]);
  });

  it("hands a run the text prepared for omp, and matches what arrived against it", async () => {
    await sidecar.close();
    await start({ prepareSteering: (text) => `prepared:${text}` });
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const message = sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "/compact now" });
    expect(await contents(await poll(run))).toEqual(["prepared:/compact now"]);
    run.revoke({ seenSteering: ["prepared:/compact now"] });
    expect(ports.steering.find((m) => m.id === message.id)?.deliveredAt).toBeInstanceOf(Date);
  });
});

describe("steering long-poll", () => {
  it("holds a poll until a message is queued, then answers with it", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const answer = poll(run, "s-1", SIDECAR_MAX_HOLD_MS);
    await until(() => sidecar.steering.waiting("s-1") === 1);
    sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "now" });
    expect(await contents(await answer)).toEqual(["now"]);
  });

  it("answers an empty list when its wait ends with nothing queued", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const response = await poll(run, "s-1", 200);
    expect(response.status).toBe(200);
    expect(await contents(response)).toEqual([]);
    expect(sidecar.steering.waiting()).toBe(0);
  });

  it("revoking the run answers its held poll at once, and leases it nothing", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const answer = poll(run, "s-1", SIDECAR_MAX_HOLD_MS);
    await until(() => sidecar.steering.waiting("s-1") === 1);
    run.revoke();
    expect(await contents(await answer)).toEqual([]);
    sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "after the run" });
    expect(ports.steering[0]?.leasedRunId).toBeNull();
  });

  it("closing the sidecar answers held polls instead of waiting for them", { timeout: 45_000 }, async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const answer = poll(run, "s-1", SIDECAR_MAX_HOLD_MS);
    await until(() => sidecar.steering.waiting("s-1") === 1);
    await sidecar.close();
    expect(await contents(await answer)).toEqual([]);
    // (afterEach closes it again: harmless.)
  });

  it("refuses a wait beyond the hold limit with 400 naming the range", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const response = await poll(run, "s-1", SIDECAR_MAX_HOLD_MS + 1);
    expect(response.status).toBe(400);
    expect((await read(response)).message).toContain(`0 to ${SIDECAR_MAX_HOLD_MS}`);
  });

  it("a held poll outlasting the header and request timeouts is answered, not cut", async () => {
    await sidecar.close();
    await start({
      timeouts: {
        headersMs: 200,
        requestMs: 300,
        keepAliveMs: 500,
        socketIdleMs: 20_000,
        checkIntervalMs: 50,
      },
    });
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const answer = poll(run, "s-1", 10_000);
    await until(() => sidecar.steering.waiting("s-1") === 1);
    // Held past both timeouts several times over (the server checks every 50 ms).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    sidecar.steering.queue({ sessionId: "s-1", authorId: "u", text: "late" });
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await contents(response)).toEqual(["late"]);
  });
});

describe("agent notices", () => {
  it("posts the text redacted and mention-safe, for the run's own session", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const response = await notify(run, `@everyone the key is ${FAKE_KEY}`);
    expect(response.status).toBe(202);
    expect(notices).toEqual([
      { sessionId: "s-1", runId: "r-1", text: "@\u200beveryone the key is [REDACTED]" },
    ]);
  });

  it("past the per-run limit answers 429 saying when to retry; another run is not limited", async () => {
    await sidecar.close();
    let now = 1_000_000;
    await start({
      notify: {
        port: { post: (notice) => void notices.push(notice) },
        mentionSafe: (text) => text,
        limiter: new NotifyRateLimiter({ limit: { messages: 2, windowMs: 60_000 }, now: () => now }),
      },
    });
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const other = sidecar.runs.issue({ sessionId: "s-1", runId: "r-2" });
    expect((await notify(run, "one")).status).toBe(202);
    now += 10_000;
    expect((await notify(run, "two")).status).toBe(202);
    const refused = await notify(run, "three");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("50");
    const body = await read(refused);
    expect(body.retry_after_ms).toBe(50_000);
    expect(body.message).toContain("already posted 2 messages");
    expect(body.message).toContain("again in 50 s");
    expect((await notify(other, "elsewhere")).status).toBe(202);
    now += 50_000;
    expect((await notify(run, "four")).status).toBe(202);
    expect(notices.map((n) => n.text)).toEqual(["one", "two", "elsewhere", "four"]);
  });

  it("refuses text over the limit with 400 saying to shorten it, and posts nothing", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const response = await notify(run, "x".repeat(1801));
    expect(response.status).toBe(400);
    expect((await read(response)).message).toContain("Shorten");
    expect(notices).toEqual([]);
  });

  it("answers 503 when the bot takes no notices", async () => {
    await sidecar.close();
    await start({ notify: undefined });
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    expect((await notify(run, "hello")).status).toBe(503);
  });
});

describe("context use", () => {
  it("a run's context_usage is kept per run while it runs, and stored on the run", async () => {
    const reports: string[] = [];
    sidecar.telemetry.onContextUsage((report) => reports.push(`${report.runId}:${report.usage.percent}`));
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const response = await postEvent(run.token, {
      event_type: "context_usage",
      content: { tokens: 20_160, contextWindow: 32_000, percent: 63 },
    });
    expect(response.status).toBe(202);
    expect(sidecar.telemetry.contextUsage("r-1")).toMatchObject({
      tokens: 20_160,
      contextWindow: 32_000,
      percent: 63,
    });
    expect(sidecar.telemetry.sessionContextUsage("s-1")?.percent).toBe(63);
    expect(ports.contexts.get("r-1")).toEqual({ tokens: 20_160, contextWindow: 32_000 });
    expect(reports).toEqual(["r-1:63"]);
    run.revoke();
    expect(sidecar.telemetry.contextUsage("r-1")).toBeUndefined();
    expect(ports.contexts.get("r-1")).toEqual({ tokens: 20_160, contextWindow: 32_000 });
  });

  it("refuses a context_usage event of the wrong shape with 400, storing nothing", async () => {
    const run = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
    const response = await postEvent(run.token, { event_type: "context_usage", content: { tokens: "many" } });
    expect(response.status).toBe(400);
    expect((await read(response)).message).toContain("contextWindow");
    expect(ports.events).toEqual([]);
    expect(sidecar.telemetry.contextUsage("r-1")).toBeUndefined();
  });
});
