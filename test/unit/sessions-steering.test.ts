// SessionSteering's rules, with its three ports faked: steering only while a run is in flight, a steer
// for a run whose end was handled becomes a follow-up at once, what a run gave back becomes follow-ups in
// order (said to the watcher, or in the thread), nothing for a stopped session, ⚡ only on a prompt still
// waiting, and the leases a restart released.

import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { QueueSnapshot } from "../../src/queue/scheduler.js";
import { followUpNote, SessionSteering, type SteerWatcher } from "../../src/sessions/steering.js";
import type { SteeringDelivered, SteeringReleased } from "../../src/sidecar/index.js";
import type { NewPrompt, PromptRow, SessionRow, SteeringRow } from "../../src/store/index.js";

function world(options: { running?: boolean; stopped?: boolean; ended?: boolean } = {}) {
  const delivered = new Set<(event: SteeringDelivered) => void>();
  const released = new Set<(event: SteeringReleased) => void>();
  const steering: SteeringRow[] = [];
  const prompts: PromptRow[] = [];
  const told: { sessionId: string; content: string }[] = [];
  let running = options.running ?? true;
  const row = (text: string, authorId = "alice"): SteeringRow => ({
    id: `m-${steering.length + 1}`,
    sessionId: "s-1",
    authorId,
    text,
    createdAt: new Date(),
    leasedRunId: null,
    leasedAt: null,
    deliveredAt: null,
  });
  const prompt = (input: NewPrompt): PromptRow => ({
    id: `p-${prompts.length + 1}`,
    sessionId: input.sessionId,
    authorId: input.authorId,
    text: input.text,
    source: input.source,
    status: "queued",
    position: prompts.length + 1,
    createdAt: new Date(),
    startedAt: null,
    endedAt: null,
  });
  const steer = new SessionSteering({
    ledger: {
      queue: (input) => {
        const record = row(input.text, input.authorId);
        steering.push(record);
        return record;
      },
      hasEnded: () => options.ended ?? false,
      onDelivered: (listener) => {
        delivered.add(listener);
        return () => delivered.delete(listener);
      },
      onReleased: (listener) => {
        released.add(listener);
        return () => released.delete(listener);
      },
    },
    records: {
      takeOverSteering: (ids) => {
        const taken = steering.filter((m) => ids.includes(m.id) && m.deliveredAt === null);
        for (const m of taken) m.deliveredAt = new Date();
        return taken.map((m) => ({ ...m }));
      },
      withdrawQueuedPrompt: (id) => {
        const found = prompts.find((p) => p.id === id && p.status === "queued");
        if (found) found.status = "cancelled";
        return found && { ...found, status: "queued" };
      },
      getPrompt: (id) => prompts.find((p) => p.id === id),
    },
    sessions: {
      byId: (id) => ({ id, stoppedAt: options.stopped ? new Date() : null }) as SessionRow,
      snapshot: () =>
        ({
          running: running ? { runId: "r-1" } : undefined,
          waiting: [],
          waitingForSlot: false,
        }) as unknown as QueueSnapshot,
      queue: (input) => {
        const queued = prompt(input);
        prompts.push(queued);
        return { prompt: queued, position: prompts.filter((p) => p.status === "queued").length + 1 };
      },
      queueShrank: () => {},
    },
    tell: (sessionId, content) => told.push({ sessionId, content }),
    logger: pino({ level: "silent" }),
  });
  const heard: string[] = [];
  const watcher: SteerWatcher = {
    delivered: () => heard.push("delivered"),
    becameFollowUp: (position) => heard.push(`follow-up #${position}`),
  };
  return {
    steer,
    steering,
    prompts,
    told,
    heard,
    watcher,
    stopRunning: () => {
      running = false;
    },
    deliver: (message: SteeringRow) => {
      for (const listener of delivered) listener({ sessionId: "s-1", runId: "r-1", message, via: "ack" });
    },
    release: (messages: SteeringRow[]) => {
      for (const listener of released) listener({ sessionId: "s-1", runId: "r-1", messages });
    },
  };
}

describe("steering a session's running agent", () => {
  it("with no run in flight nothing is queued", () => {
    const w = world({ running: false });
    expect(w.steer.steer({ sessionId: "s-1", authorId: "alice", text: "hi" }, w.watcher)).toEqual({
      kind: "idle",
    });
    expect(w.steering).toEqual([]);
    expect(w.prompts).toEqual([]);
  });

  it("a steer goes to the ledger, and its watcher hears once that it was delivered", () => {
    const w = world();
    const result = w.steer.steer({ sessionId: "s-1", authorId: "alice", text: "keep it short" }, w.watcher);
    expect(result).toEqual({ kind: "queued", id: "m-1" });
    w.deliver(w.steering[0]!);
    w.deliver(w.steering[0]!);
    expect(w.heard).toEqual(["delivered"]);
  });

  it("a steer for a run whose end was already handled becomes a follow-up at once", () => {
    const w = world({ ended: true });
    const result = w.steer.steer({ sessionId: "s-1", authorId: "alice", text: "too late" }, w.watcher);
    expect(result).toMatchObject({ kind: "follow-up", position: 2 });
    expect(w.steering).toEqual([]);
    expect(w.prompts.map((p) => [p.text, p.source])).toEqual([["too late", "steer"]]);
  });

  it("what a run gave back becomes follow-ups in order: the watcher hears it, or the thread is told", () => {
    const w = world();
    w.steer.steer({ sessionId: "s-1", authorId: "alice", text: "first" }, w.watcher);
    w.steer.steer({ sessionId: "s-1", authorId: "bob", text: "second" });
    w.release([...w.steering]);
    expect(w.prompts.map((p) => [p.text, p.authorId, p.source])).toEqual([
      ["first", "alice", "steer"],
      ["second", "bob", "steer"],
    ]);
    expect(w.heard).toEqual(["follow-up #2"]);
    expect(w.told).toEqual([{ sessionId: "s-1", content: followUpNote("bob", 3) }]);
    // Taken over once: the same release again queues nothing more.
    w.release([...w.steering]);
    expect(w.prompts).toHaveLength(2);
  });

  it("a stopped session turns nothing into a follow-up", () => {
    const w = world({ stopped: true });
    w.steer.steer({ sessionId: "s-1", authorId: "alice", text: "first" }, w.watcher);
    w.release([...w.steering]);
    expect(w.prompts).toEqual([]);
    expect(w.heard).toEqual([]);
    expect(w.told).toEqual([]);
  });

  it("the leases a restart released come back as follow-ups, said in the thread", () => {
    const w = world();
    w.steer.steer({ sessionId: "s-1", authorId: "alice", text: "before the restart" });
    w.steer.recover([...w.steering]);
    expect(w.prompts.map((p) => p.text)).toEqual(["before the restart"]);
    expect(w.told.map((t) => t.content)).toEqual([followUpNote("alice", 2)]);
  });
});

describe("⚡ Steer now on a queued follow-up", () => {
  it("withdraws the waiting prompt and steers with its words, as its author", () => {
    const w = world();
    const prompt: PromptRow = { ...samplePrompt(), id: "p-9" };
    w.prompts.push(prompt);
    const result = w.steer.steerQueued("s-1", prompt.id, w.watcher);
    expect(result).toEqual({ kind: "queued", id: "m-1" });
    expect(prompt.status).toBe("cancelled");
    expect(w.steering.map((m) => [m.text, m.authorId])).toEqual([["sort by colour", "carol"]]);
  });

  it("changes nothing when the prompt no longer waits, or no run is in flight", () => {
    const w = world();
    w.prompts.push({ ...samplePrompt(), id: "p-9", status: "running" });
    expect(w.steer.steerQueued("s-1", "p-9", w.watcher)).toEqual({ kind: "not-waiting" });
    expect(w.steer.steerQueued("s-1", "p-unknown", w.watcher)).toEqual({ kind: "not-waiting" });
    const idle = world({ running: false });
    idle.prompts.push({ ...samplePrompt(), id: "p-9" });
    expect(idle.steer.steerQueued("s-1", "p-9", idle.watcher)).toEqual({ kind: "idle" });
    expect(idle.prompts[0]?.status).toBe("queued");
    expect([...w.steering, ...idle.steering]).toEqual([]);
  });

  it("a prompt of another session is not this session's to steer with", () => {
    const w = world();
    w.prompts.push({ ...samplePrompt(), id: "p-9", sessionId: "s-2" });
    expect(w.steer.steerQueued("s-1", "p-9", w.watcher)).toEqual({ kind: "not-waiting" });
    expect(w.prompts[0]?.status).toBe("queued");
  });
});

function samplePrompt(): PromptRow {
  return {
    id: "p-0",
    sessionId: "s-1",
    authorId: "carol",
    text: "sort by colour",
    source: "say",
    status: "queued",
    position: 2,
    createdAt: new Date(),
    startedAt: null,
    endedAt: null,
  };
}
