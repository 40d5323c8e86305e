// The decisions routes (SPEC §6) as a run uses them: a run's token asks and waits for its own
// session's decisions only; the bot's token and other runs are refused; nothing in the API decides.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DecisionAnswer } from "../../src/extension-protocol.js";
import { createRedactor } from "../../src/output/redact.js";
import type { DecisionRequest, DecisionsPort } from "../../src/sidecar/decisions.js";
import { type RunGrant, type Sidecar, startSidecar } from "../../src/sidecar/index.js";
import { createMemorySidecarPorts } from "../support/memory-sidecar-ports.js";

const TOKEN = "test-token-0123456789abcdef";
const redactor = createRedactor({ secrets: [TOKEN] });

/** A desk in memory: decisions settle only when the test says so, as a person would in Discord. */
function memoryDesk() {
  const decisions = new Map<string, { runId: string; sessionId: string; answer: DecisionAnswer }>();
  const waiters = new Map<string, Set<() => void>>();
  let next = 0;
  const port: DecisionsPort = {
    async open(run, _request: DecisionRequest) {
      const id = `d${++next}`;
      decisions.set(id, { ...run, answer: { id, state: "pending" } });
      return id;
    },
    answer(run, id) {
      const d = decisions.get(id);
      return d && d.runId === run.runId && d.sessionId === run.sessionId ? d.answer : undefined;
    },
    settled(id, waitMs, signal) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.get(id)?.delete(done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal.addEventListener("abort", done, { once: true });
        const set = waiters.get(id) ?? new Set();
        set.add(done);
        waiters.set(id, set);
      });
    },
  };
  return {
    port,
    decide(id: string, answer: Omit<DecisionAnswer, "id">) {
      decisions.get(id)!.answer = { id, ...answer };
      for (const wake of waiters.get(id) ?? []) wake();
    },
  };
}

let sidecar: Sidecar;
let desk: ReturnType<typeof memoryDesk>;
let runA: RunGrant;
let runB: RunGrant;

beforeEach(async () => {
  desk = memoryDesk();
  sidecar = await startSidecar({
    token: TOKEN,
    port: 0,
    redact: redactor.redact,
    ports: createMemorySidecarPorts(["s-1", "s-2"]),
    decisions: desk.port,
  });
  runA = sidecar.runs.issue({ sessionId: "s-1", runId: "r-1" });
  runB = sidecar.runs.issue({ sessionId: "s-2", runId: "r-2" });
});
afterEach(async () => {
  await sidecar.close();
});

const ask = (token: string, body: Record<string, unknown>) =>
  fetch(`${sidecar.url}/api/decisions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ kind: "approval", tool_name: "bash", input: { command: "ls" }, ...body }),
  });
const wait = (token: string, id: string, sessionId: string, waitMs = 0) =>
  fetch(`${sidecar.url}/api/decisions/${id}/wait?session_id=${sessionId}&wait_ms=${waitMs}`, {
    headers: { authorization: `Bearer ${token}` },
  });

describe("the decisions routes", () => {
  it("a run asks and is held until the decision, then learns it", async () => {
    const pending = await ask(runA.token, { session_id: "s-1", wait_ms: 0 });
    expect(pending.status).toBe(200);
    const { id, state } = (await pending.json()) as DecisionAnswer;
    expect(state).toBe("pending");
    const held = wait(runA.token, id, "s-1", 30_000);
    desk.decide(id, { state: "block", reason: "The person denied this tool call: not now" });
    const answer = (await (await held).json()) as DecisionAnswer;
    expect(answer).toEqual({ id, state: "block", reason: "The person denied this tool call: not now" });
  });

  it("the bot's own token cannot ask, and a run's token cannot ask for another session", async () => {
    expect((await ask(TOKEN, { session_id: "s-1", wait_ms: 0 })).status).toBe(403);
    expect((await ask(runA.token, { session_id: "s-2", wait_ms: 0 })).status).toBe(403);
  });

  it("a run cannot wait on (or learn) another run's decision", async () => {
    const { id } = (await (
      await ask(runA.token, { session_id: "s-1", wait_ms: 0 })
    ).json()) as DecisionAnswer;
    expect((await wait(runB.token, id, "s-2")).status).toBe(404);
    expect((await wait(runB.token, id, "s-1")).status).toBe(403);
  });

  it("nothing in the API decides: no route settles a decision, whoever calls", async () => {
    const { id } = (await (
      await ask(runA.token, { session_id: "s-1", wait_ms: 0 })
    ).json()) as DecisionAnswer;
    for (const token of [runA.token, TOKEN]) {
      for (const path of [
        `/api/decisions/${id}`,
        `/api/decisions/${id}/approve`,
        `/api/decisions/${id}/decide`,
      ]) {
        const response = await fetch(`${sidecar.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ session_id: "s-1", outcome: "approved" }),
        });
        expect(response.status).toBe(404);
      }
    }
    const answer = (await (await wait(runA.token, id, "s-1")).json()) as DecisionAnswer;
    expect(answer.state).toBe("pending");
  });

  it("a held wait is answered when the run ends, still pending (the gate then blocks)", async () => {
    const { id } = (await (
      await ask(runA.token, { session_id: "s-1", wait_ms: 0 })
    ).json()) as DecisionAnswer;
    const held = wait(runA.token, id, "s-1", 30_000);
    // Give the request time to be held (it resolves either way: the assertion is on its answer).
    await new Promise((resolve) => setTimeout(resolve, 200));
    runA.revoke();
    const response = await held;
    expect([200, 401]).toContain(response.status);
    if (response.status === 200) expect(((await response.json()) as DecisionAnswer).state).toBe("pending");
  });
});
