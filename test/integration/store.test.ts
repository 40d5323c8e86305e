import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedactor } from "../../src/output/redact.js";
import {
  DuplicateLaunchError,
  type NewSession,
  openStore,
  type Store,
  UnknownRecordError,
} from "../../src/store/index.js";

let dir: string;
let dbPath: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-store-"));
  dbPath = join(dir, "nested", "ompcord.db");
  store = openStore(dbPath);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let threadCounter = 0;
function session(overrides: Partial<NewSession> = {}) {
  threadCounter += 1;
  return store.createSession({
    guildId: "111111111111111111",
    parentChannelId: "222222222222222222",
    threadId: `thread-${threadCounter}`,
    name: "Run: fix the tests",
    createdBy: "333333333333333333",
    workDir: "/tmp/work",
    ...overrides,
  });
}

/** An outbox row as stored, read straight from SQLite (the bot itself only lists pending ones). */
function outboxRow(id: string) {
  return store.sqlite
    .prepare("select status, failures, last_error as lastError, fallback from outbox where id = ?")
    .get(id) as
    | { status: string; failures: number; lastError: string | null; fallback: string | null }
    | undefined;
}

function prompt(sessionId: string, text: string) {
  return store.enqueuePrompt({ sessionId, authorId: "333333333333333333", text, source: "say" });
}

describe("opening", () => {
  it("creates the directory, turns on WAL and foreign keys, and applies migrations", () => {
    expect(existsSync(dbPath)).toBe(true);
    expect(store.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    const tables = store.sqlite
      .prepare("select name from sqlite_master where type = 'table' order by name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(["events", "prompts", "runs", "sessions", "steering"]));
  });

  it("reopening an existing database applies nothing twice and keeps the rows", () => {
    const created = session();
    store.close();
    store = openStore(dbPath);
    expect(store.getSession(created.id)).toEqual(created);
  });

  it("refuses rows that point at a missing session (foreign keys are enforced)", () => {
    expect(() =>
      store.sqlite
        .prepare(
          "insert into prompts (id, session_id, author_id, text, source, status, position) values ('p', 'nope', 'a', 't', 'say', 'queued', 1)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() => prompt("nope", "hello")).toThrow(UnknownRecordError);
  });

  it("answers the health check's read and write probe without changing anything", () => {
    const before = store.stats();
    const timing = store.checkReadWrite();
    expect(timing.readMs).toBeGreaterThanOrEqual(0);
    expect(store.stats()).toEqual(before);
  });
});

describe("launch idempotency", () => {
  it("a second 🚀 on the same message cannot create a second session", () => {
    const first = session({ threadId: "thread-a", launchMessageId: "message-1" });
    let error: unknown;
    try {
      session({ threadId: "thread-b", launchMessageId: "message-1" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DuplicateLaunchError);
    expect((error as DuplicateLaunchError).key).toBe("launch_message");
    expect((error as DuplicateLaunchError).existing.id).toBe(first.id);
    expect(store.listActiveSessions()).toHaveLength(1);
  });

  it("a thread can hold only one session", () => {
    const first = session({ threadId: "thread-a" });
    expect(() => session({ threadId: "thread-a" })).toThrow(DuplicateLaunchError);
    expect(store.getSessionByThread("thread-a")?.id).toBe(first.id);
  });

  it("the unique keys hold even when the application check is bypassed", () => {
    session({ threadId: "thread-a", launchMessageId: "message-1" });
    const insert = (thread: string, message: string | null) =>
      store.sqlite
        .prepare(
          "insert into sessions (id, guild_id, parent_channel_id, thread_id, launch_message_id, name, created_by, work_dir, updated_at) values (?, 'g', 'c', ?, ?, 'n', 'u', '/w', 0)",
        )
        .run(`id-${thread}`, thread, message);
    expect(() => insert("thread-a", null)).toThrow(/UNIQUE/);
    expect(() => insert("thread-b", "message-1")).toThrow(/UNIQUE/);
    // Slash-command sessions have no launch message: many NULLs are fine.
    insert("thread-c", null);
    insert("thread-d", null);
  });

  it("finds a session by thread and by launch message", () => {
    const created = session({ threadId: "thread-x", launchMessageId: "message-x" });
    expect(store.getSessionByThread("thread-x")?.id).toBe(created.id);
    expect(store.getSessionByLaunchMessage("message-x")?.id).toBe(created.id);
    expect(store.getSessionByThread("thread-y")).toBeUndefined();
  });
});

describe("session updates", () => {
  it("stores dashboard message, omp session id, state and stop time", () => {
    const created = session();
    store.setDashboardMessage(created.id, "dash-1");
    store.setOmpSessionId(created.id, "omp-abc");
    store.setSessionState(created.id, "busy");
    const stopped = store.markSessionStopped(created.id);
    expect(stopped).toMatchObject({
      dashboardMessageId: "dash-1",
      ompSessionId: "omp-abc",
      state: "busy",
    });
    expect(stopped.stoppedAt).toBeInstanceOf(Date);
    expect(store.listActiveSessions()).toEqual([]);
    expect(() => store.setSessionState("missing", "idle")).toThrow(UnknownRecordError);
  });
});

describe("the prompt queue", () => {
  it("runs prompts in the order they were queued, per session", () => {
    const a = session();
    const b = session();
    prompt(a.id, "a1");
    prompt(b.id, "b1");
    prompt(a.id, "a2");
    prompt(a.id, "a3");
    expect(store.listQueuedPrompts(a.id).map((p) => p.text)).toEqual(["a1", "a2", "a3"]);
    expect(store.listQueuedPrompts(a.id).map((p) => p.position)).toEqual([1, 2, 3]);
    expect(store.nextQueuedPrompt(a.id)?.text).toBe("a1");
    expect(store.countQueued(a.id)).toBe(3);
    expect(store.countQueued(b.id)).toBe(1);
    expect(store.sessionsWithQueuedPrompts()).toEqual([a.id, b.id]);
  });

  it("moves a prompt through running to done and on to the next", () => {
    const s = session();
    const first = prompt(s.id, "first");
    prompt(s.id, "second");
    const run = store.startRun({ sessionId: s.id, promptId: first.id });
    expect(store.getPrompt(first.id)?.status).toBe("running");
    expect(store.runningPrompt(s.id)?.id).toBe(first.id);
    expect(store.nextQueuedPrompt(s.id)?.text).toBe("second");
    store.finishRun(run.id, { outcome: "success", exitCode: 0, signal: null });
    const done = store.getPrompt(first.id)!;
    expect(done.status).toBe("done");
    expect(done.endedAt).toBeInstanceOf(Date);
    expect(store.runningPrompt(s.id)).toBeUndefined();
  });

  it("a prompt marked failed leaves the queue with an end time", () => {
    const s = session();
    const [failed] = ["a", "b"].map((text) => prompt(s.id, text).id);
    const row = store.markPromptFailed(failed!);
    expect(row.status).toBe("failed");
    expect(row.endedAt).toBeInstanceOf(Date);
    expect(store.listQueuedPrompts(s.id).map((p) => p.text)).toEqual(["b"]);
    expect(() => store.markPromptFailed("nope")).toThrow(UnknownRecordError);
  });

  it("cancelling the queue drops waiting prompts but keeps them as history", () => {
    const s = session();
    const running = prompt(s.id, "running");
    prompt(s.id, "waiting 1");
    prompt(s.id, "waiting 2");
    store.startRun({ sessionId: s.id, promptId: running.id });
    expect(store.cancelQueuedPrompts(s.id)).toBe(2);
    expect(store.countQueued(s.id)).toBe(0);
    expect(store.getPrompt(running.id)?.status).toBe("running");
    const rows = store.sqlite.prepare("select status from prompts where session_id = ?").all(s.id);
    expect(rows).toHaveLength(3);
  });

  it("a stopped session's waiting prompts are not resumed", () => {
    const s = session();
    prompt(s.id, "left over");
    store.markSessionStopped(s.id);
    expect(store.sessionsWithQueuedPrompts()).toEqual([]);
    expect(store.stats().promptsQueued).toBe(0);
  });
});

describe("runs", () => {
  it("numbers runs per session from 1 and builds the transcript path from id and number", () => {
    const a = session();
    const b = session();
    const runA1 = store.startRun({
      sessionId: a.id,
      promptId: prompt(a.id, "1").id,
      transcriptPath: (run) => `/transcripts/${a.id}/${run.runNumber}-${run.id}.log`,
    });
    store.finishRun(runA1.id, { outcome: "failed", exitCode: 1, signal: null, error: "provider 500" });
    const runB1 = store.startRun({ sessionId: b.id, promptId: prompt(b.id, "1").id });
    const runA2 = store.startRun({ sessionId: a.id, promptId: prompt(a.id, "2").id, pid: 4242 });
    expect([runA1.runNumber, runB1.runNumber, runA2.runNumber]).toEqual([1, 1, 2]);
    expect(runA1.transcriptPath).toBe(`/transcripts/${a.id}/1-${runA1.id}.log`);
    expect(store.runCount(a.id)).toBe(2);
    expect(store.latestRun(a.id)?.id).toBe(runA2.id);
    expect(store.latestRun(a.id)?.pid).toBe(4242);
    expect(store.getPrompt(runA1.promptId)?.status).toBe("failed");
  });

  it("records pid, exit, tokens, cost and output size", () => {
    const s = session();
    const run = store.startRun({ sessionId: s.id, promptId: prompt(s.id, "go").id });
    store.setRunPid(run.id, 999);
    const finished = store.finishRun(run.id, {
      outcome: "cancelled",
      exitCode: null,
      signal: "SIGTERM",
      tokens: 1234,
      cost: 0.0125,
      outputBytes: 5678,
    });
    expect(finished).toMatchObject({
      pid: 999,
      outcome: "cancelled",
      exitCode: null,
      signal: "SIGTERM",
      tokens: 1234,
      cost: 0.0125,
      outputBytes: 5678,
    });
    expect(finished.endedAt).toBeInstanceOf(Date);
    expect(store.getPrompt(run.promptId)?.status).toBe("cancelled");
  });

  it("refuses to start a run for a prompt of another session", () => {
    const a = session();
    const b = session();
    expect(() => store.startRun({ sessionId: b.id, promptId: prompt(a.id, "x").id })).toThrow(
      UnknownRecordError,
    );
  });
});

describe("telemetry and steering", () => {
  it("stores events for known sessions only", () => {
    const s = session();
    const event = store.recordEvent({
      sessionId: s.id,
      eventType: "tool_call",
      content: { tool: "bash" },
      timestamp: 1_700_000_000_000,
    });
    expect(event).toMatchObject({ eventType: "tool_call", content: '{"tool":"bash"}' });
    expect(event?.timestamp?.getTime()).toBe(1_700_000_000_000);
    expect(store.recordEvent({ sessionId: "unknown", eventType: "x", content: "" })).toBeUndefined();
    expect(store.sqlite.prepare("select count(*) as n from events where session_id = ?").get(s.id)).toEqual({
      n: 1,
    });
  });

  it("leases each steering message to one run, in order, and only its own session's", () => {
    const s = session();
    const other = session();
    for (const text of ["one", "two", "three"]) {
      store.enqueueSteering({ sessionId: s.id, authorId: "u", text });
    }
    store.enqueueSteering({ sessionId: other.id, authorId: "u", text: "elsewhere" });
    const leased = store.leaseSteering(s.id, "run-a");
    expect(leased.map((m) => m.text)).toEqual(["one", "two", "three"]);
    expect(leased.every((m) => m.leasedRunId === "run-a" && m.deliveredAt === null)).toBe(true);
    expect(store.leaseSteering(s.id, "run-a")).toEqual([]);
    expect(store.leaseSteering(s.id, "run-b")).toEqual([]);
    store.enqueueSteering({ sessionId: s.id, authorId: "u", text: "four" });
    expect(store.leaseSteering(s.id, "run-b").map((m) => m.text)).toEqual(["four"]);
    expect(store.leaseSteering(other.id, "run-c").map((m) => m.text)).toEqual(["elsewhere"]);
  });

  it("a leased message is delivered only when its own run acknowledges it, once", () => {
    const s = session();
    const [first, second] = ["one", "two"].map((text) =>
      store.enqueueSteering({ sessionId: s.id, authorId: "u", text }),
    );
    store.leaseSteering(s.id, "run-a");
    expect(store.ackSteering("run-b", [first!.id])).toEqual([]);
    expect(store.getSteering(first!.id)?.deliveredAt).toBeNull();
    const acked = store.ackSteering("run-a", [first!.id]);
    expect(acked.map((m) => [m.id, m.newly])).toEqual([[first!.id, true]]);
    expect(store.getSteering(first!.id)?.deliveredAt).toBeInstanceOf(Date);
    expect(store.ackSteering("run-a", [first!.id]).map((m) => m.newly)).toEqual([false]);
    expect(store.leasedSteering("run-a").map((m) => m.id)).toEqual([second!.id]);
  });

  it("a run that ends without acknowledging gives its leases back, in order, to the next run", () => {
    const s = session();
    const ids = ["one", "two", "three"].map(
      (text) => store.enqueueSteering({ sessionId: s.id, authorId: "u", text }).id,
    );
    store.leaseSteering(s.id, "run-a");
    store.ackSteering("run-a", [ids[0]!]);
    expect(store.releaseSteering("run-a").map((m) => m.text)).toEqual(["two", "three"]);
    expect(store.releaseSteering("run-a")).toEqual([]);
    expect(store.undeliveredSteering(s.id).map((m) => [m.text, m.leasedRunId])).toEqual([
      ["two", null],
      ["three", null],
    ]);
    expect(store.leaseSteering(s.id, "run-b").map((m) => m.text)).toEqual(["two", "three"]);
  });

  it("two connections leasing at once never both get the same message", () => {
    const s = session();
    for (let i = 0; i < 50; i += 1) store.enqueueSteering({ sessionId: s.id, authorId: "u", text: `m${i}` });
    const second = openStore(dbPath);
    try {
      const seen: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        seen.push(...store.leaseSteering(s.id, "run-a").map((m) => m.text));
        store.enqueueSteering({ sessionId: s.id, authorId: "u", text: `late${i}` });
        seen.push(...second.leaseSteering(s.id, "run-b").map((m) => m.text));
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(80);
    } finally {
      second.close();
    }
  });
});

describe("steering across processes", () => {
  it("two processes leasing the same session's messages never receive the same one", async () => {
    const s = session();
    const storeModule = pathToFileURL(join(import.meta.dirname, "../../src/store/index.ts")).href;
    // Each poller takes whatever is pending as fast as it can until told to stop, then reports its ids.
    const poller = `
      import { openStore } from ${JSON.stringify(storeModule)};
      const store = openStore(${JSON.stringify(dbPath)});
      const taken = [];
      let stop = false;
      process.stdin.on("data", () => { stop = true; });
      process.stdout.write("ready\\n");
      while (!stop) {
        taken.push(...store.leaseSteering(${JSON.stringify(s.id)}, "run-" + process.pid).map((m) => m.text));
        await new Promise((resolve) => setImmediate(resolve));
      }
      store.close();
      process.stdout.write(JSON.stringify(taken) + "\\n");
    `;
    const children = [0, 1].map(() =>
      spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", poller], {
        stdio: ["pipe", "pipe", "inherit"],
      }),
    );
    const outputs = children.map((child) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      return {
        ready: new Promise<void>((resolve) =>
          child.stdout.on("data", () => out.includes("ready") && resolve()),
        ),
        taken: new Promise<string[]>((resolve) =>
          child.on("close", () => resolve(JSON.parse(out.split("\n").filter(Boolean).at(-1) ?? "[]"))),
        ),
      };
    });
    await Promise.all(outputs.map((output) => output.ready));
    for (let i = 0; i < 200; i += 1) {
      store.enqueueSteering({ sessionId: s.id, authorId: "u", text: `m${i}` });
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const child of children) child.stdin.end("stop");
    const taken = (await Promise.all(outputs.map((output) => output.taken))).flat();
    taken.push(...store.leaseSteering(s.id, "run-parent").map((m) => m.text));
    expect(taken).toHaveLength(200);
    expect(new Set(taken).size).toBe(200);
  });
});

describe("the outbox", () => {
  it("keeps each thread's messages in order, across separate adds and a reopen", () => {
    const owner = session();
    store.addOutbox({ threadId: owner.threadId, sessionId: owner.id }, [
      { kind: "answer", content: "first" },
      { kind: "note", content: "second", files: JSON.stringify([{ name: "t.log", path: "/t.log" }]) },
    ]);
    store.addOutbox({ threadId: "another-thread" }, [{ kind: "reply", content: "elsewhere", replyTo: "42" }]);
    const [third] = store.addOutbox({ threadId: owner.threadId, sessionId: owner.id }, [
      { kind: "answer", content: "third", fallback: "⚠️ could not be posted" },
    ]);
    store.close();
    store = openStore(dbPath);
    const pending = store.pendingOutbox();
    expect(pending.filter((row) => row.threadId === owner.threadId).map((row) => row.content)).toEqual([
      "first",
      "second",
      "third",
    ]);
    expect(pending.find((row) => row.content === "second")?.files).toContain("/t.log");
    expect(pending.find((row) => row.content === "elsewhere")).toMatchObject({
      replyTo: "42",
      sessionId: null,
    });
    expect(outboxRow(third!.id)?.fallback).toBe("⚠️ could not be posted");
  });

  it("counts failed attempts, settles a row once, and lists the recent undeliverable ones for /omp status", () => {
    const owner = session();
    const [delivered, refused, old] = store.addOutbox({ threadId: owner.threadId, sessionId: owner.id }, [
      { kind: "answer", content: "lands" },
      { kind: "answer", content: "refused" },
      { kind: "note", content: "long ago" },
    ]);
    store.outboxAttemptFailed(delivered!.id, "503 Service Unavailable");
    store.settleOutbox(delivered!.id, "delivered");
    store.settleOutbox(delivered!.id, "undeliverable", "too late");
    expect(outboxRow(delivered!.id)).toMatchObject({
      status: "delivered",
      failures: 1,
      lastError: "503 Service Unavailable",
    });
    store.settleOutbox(refused!.id, "undeliverable", "403 Missing Access (code 50001)");
    store.settleOutbox(old!.id, "undeliverable", "gone");
    store.sqlite.prepare("update outbox set settled_at = 0 where id = ?").run(old!.id);
    const recent = store.undeliverableOutbox(new Date(Date.now() - 60_000));
    expect(recent.total).toBe(1);
    expect(recent.rows.map((row) => row.lastError)).toEqual(["403 Missing Access (code 50001)"]);
    expect(store.countPendingOutbox()).toBe(0);
    expect(store.pendingOutbox()).toEqual([]);
  });
});

describe("stats", () => {
  it("counts active and busy sessions, queued prompts and running runs", () => {
    const a = session();
    const b = session();
    session();
    store.markSessionStopped(b.id);
    store.setSessionState(a.id, "busy");
    const first = prompt(a.id, "1");
    prompt(a.id, "2");
    store.startRun({ sessionId: a.id, promptId: first.id });
    expect(store.stats()).toEqual({ sessionsActive: 2, sessionsBusy: 1, promptsQueued: 1, runsRunning: 1 });
  });
});

describe("restart", () => {
  it("reconcile turns running runs and prompts into interrupted and keeps the queue", () => {
    const busy = session();
    const idle = session();
    const orphan = session();
    store.setSessionState(busy.id, "busy");
    store.setSessionState(orphan.id, "busy"); // crashed after marking busy, before the run row
    const running = prompt(busy.id, "running");
    prompt(busy.id, "next");
    prompt(idle.id, "waiting");
    const run = store.startRun({ sessionId: busy.id, promptId: running.id, pid: 12345 });

    const result = store.reconcileAfterRestart();

    expect(result.interruptedRuns).toHaveLength(1);
    const [interrupted] = result.interruptedRuns;
    expect(interrupted?.run).toMatchObject({ id: run.id, pid: 12345, outcome: "interrupted" });
    expect(interrupted?.run.endedAt).toBeInstanceOf(Date);
    expect(interrupted?.session).toMatchObject({ id: busy.id, state: "degraded" });
    expect(interrupted?.prompt).toMatchObject({ id: running.id, status: "interrupted" });
    expect(result.affectedSessions.map((s) => [s.id, s.state]).sort()).toEqual(
      [
        [busy.id, "degraded"],
        [orphan.id, "idle"],
      ].sort(),
    );
    expect(store.listQueuedPrompts(busy.id).map((p) => p.text)).toEqual(["next"]);
    expect(store.sessionsWithQueuedPrompts()).toEqual([busy.id, idle.id]);
    expect(store.reconcileAfterRestart()).toEqual({
      interruptedRuns: [],
      affectedSessions: [],
      releasedSteering: [],
    });
  });

  it("a restart gives back steering a run held unacknowledged; a delivered message stays delivered", () => {
    const s = session();
    const running = prompt(s.id, "running");
    const run = store.startRun({ sessionId: s.id, promptId: running.id });
    const [taken, held] = ["taken", "held"].map((text) =>
      store.enqueueSteering({ sessionId: s.id, authorId: "u", text }),
    );
    store.leaseSteering(s.id, run.id);
    store.ackSteering(run.id, [taken!.id]);
    store.close();
    store = openStore(dbPath);

    const result = store.reconcileAfterRestart();

    expect(result.releasedSteering.map((m) => m.id)).toEqual([held!.id]);
    expect(store.getSteering(taken!.id)?.deliveredAt).toBeInstanceOf(Date);
    expect(store.leaseSteering(s.id, "next-run").map((m) => m.id)).toEqual([held!.id]);
  });

  it("survives SIGKILL mid-run: the reopened database shows the run interrupted and the queue intact", async () => {
    store.close();
    const storeModule = pathToFileURL(join(import.meta.dirname, "../../src/store/index.ts")).href;
    // The child writes "running" state, reports, then waits to be killed without closing anything.
    const script = `
      import { openStore } from ${JSON.stringify(storeModule)};
      const store = openStore(${JSON.stringify(dbPath)});
      const s = store.createSession({ guildId: "g", parentChannelId: "c", threadId: "crash-thread",
        launchMessageId: "crash-message", name: "n", createdBy: "u", workDir: "/w" });
      store.setSessionState(s.id, "busy");
      const first = store.enqueuePrompt({ sessionId: s.id, authorId: "u", text: "first", source: "reaction" });
      store.enqueuePrompt({ sessionId: s.id, authorId: "u", text: "second", source: "say" });
      store.enqueuePrompt({ sessionId: s.id, authorId: "u", text: "third", source: "say" });
      store.startRun({ sessionId: s.id, promptId: first.id, pid: process.pid });
      process.stdout.write("ready\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    store = openStore(dbPath);
    const crashed = store.getSessionByLaunchMessage("crash-message")!;
    expect(crashed.state).toBe("busy");
    expect(store.stats().runsRunning).toBe(1);

    const { interruptedRuns, affectedSessions } = store.reconcileAfterRestart();

    expect(interruptedRuns).toHaveLength(1);
    expect(interruptedRuns[0]?.run.pid).toBe(child.pid);
    expect(interruptedRuns[0]?.prompt?.text).toBe("first");
    expect(affectedSessions.map((s) => s.state)).toEqual(["degraded"]);
    expect(store.listQueuedPrompts(crashed.id).map((p) => p.text)).toEqual(["second", "third"]);
    expect(store.sessionsWithQueuedPrompts()).toEqual([crashed.id]);
    expect(store.stats().runsRunning).toBe(0);
  });
});

describe("secrets at rest", () => {
  // FAKE key: the shape of an OpenAI project key, issued by nobody.
  const key = ["sk-proj", "FAKEfakeFAKEfake0123456789abcdef"].join("-");
  let safe: Store;
  beforeEach(() => {
    safe = openStore(join(dir, "redacting.db"), { redact: createRedactor().redact });
  });
  afterEach(() => safe.close());

  const newSession = (name = "Run: deploy") =>
    safe.createSession({
      guildId: "111111111111111111",
      parentChannelId: "222222222222222222",
      threadId: `safe-thread-${++threadCounter}`,
      name,
      createdBy: "333333333333333333",
      workDir: "/tmp/work",
    });
  const newPrompt = (sessionId: string) =>
    safe.enqueuePrompt({
      sessionId,
      authorId: "333333333333333333",
      text: `deploy with ${key}`,
      source: "say",
    });
  const storedText = (id: string) =>
    (safe.sqlite.prepare("select text from prompts where id = ?").get(id) as { text: string }).text;

  it("takes over only pending steering as a follow-up, once: returned as typed, kept masked", () => {
    const s = newSession();
    const enqueue = (word: string) =>
      safe.enqueueSteering({ sessionId: s.id, authorId: "u", text: `${word} ${key}` });
    const [leased, delivered] = [enqueue("leased"), enqueue("delivered")];
    safe.leaseSteering(s.id, "run-a");
    safe.ackSteering("run-a", [delivered.id]);
    const pending = enqueue("pending");
    expect(safe.pendingSteering(s.id).map((m) => m.id)).toEqual([pending.id]);

    // Only what no run holds and none took can be taken over.
    const taken = safe.takeOverSteering([leased.id, delivered.id, pending.id]);
    expect(taken.map((m) => [m.id, m.text])).toEqual([[pending.id, `pending ${key}`]]);
    expect(safe.takeOverSteering([pending.id])).toEqual([]);
    expect(safe.getSteering(pending.id)?.text).not.toContain(key);
    expect(safe.getSteering(pending.id)?.deliveredAt).toBeInstanceOf(Date);
    expect(safe.pendingSteering(s.id)).toEqual([]);
    // The lease still stands, and released, it is the next run's: taking one over touches no other.
    expect(safe.releaseSteering("run-a").map((m) => m.id)).toEqual([leased.id]);
    expect(safe.leaseSteering(s.id, "run-b").map((m) => m.id)).toEqual([leased.id]);
  });

  it("withdraws a prompt only while it waits, returning it as typed and keeping it masked", () => {
    const s = newSession();
    const waiting = newPrompt(s.id);
    const withdrawn = safe.withdrawQueuedPrompt(waiting.id);
    expect(withdrawn?.text).toBe(`deploy with ${key}`);
    expect(safe.getPrompt(waiting.id)?.status).toBe("cancelled");
    expect(storedText(waiting.id)).not.toContain(key);
    expect(safe.withdrawQueuedPrompt(waiting.id)).toBeUndefined();
    const running = newPrompt(s.id);
    safe.startRun({ sessionId: s.id, promptId: running.id });
    expect(safe.withdrawQueuedPrompt(running.id)).toBeUndefined();
    expect(safe.getPrompt(running.id)?.status).toBe("running");
  });

  it("keeps a queued or running prompt as typed: it must run as typed", () => {
    const s = newSession();
    const p = newPrompt(s.id);
    expect(storedText(p.id)).toBe(`deploy with ${key}`);
    safe.startRun({ sessionId: s.id, promptId: p.id });
    expect(storedText(p.id)).toBe(`deploy with ${key}`);
  });

  it.each([
    ["done", { outcome: "success" as const }],
    ["failed", { outcome: "failed" as const, error: `invalid api key ${key}` }],
    ["cancelled", { outcome: "cancelled" as const }],
  ])("stores a prompt redacted once its run ended (%s), and the run's error too", (status, finish) => {
    const s = newSession();
    const p = newPrompt(s.id);
    const run = safe.startRun({ sessionId: s.id, promptId: p.id });
    safe.finishRun(run.id, { exitCode: 0, signal: null, ...finish });
    const row = safe.getPrompt(p.id)!;
    expect(row.status).toBe(status);
    expect(row.text).toBe("deploy with [REDACTED]");
    expect(JSON.stringify(safe.getRun(run.id))).not.toContain(key);
  });

  it("stores a prompt redacted once it was dropped from the queue or failed before its run", () => {
    const s = newSession();
    const dropped = newPrompt(s.id);
    const failed = newPrompt(s.id);
    safe.markPromptFailed(failed.id);
    expect(safe.cancelQueuedPrompts(s.id)).toBe(1);
    expect(storedText(dropped.id)).toBe("deploy with [REDACTED]");
    expect(storedText(failed.id)).toBe("deploy with [REDACTED]");
  });

  it("stores a prompt redacted when a restart interrupted its run", () => {
    const s = newSession();
    const p = newPrompt(s.id);
    safe.startRun({ sessionId: s.id, promptId: p.id });
    safe.reconcileAfterRestart();
    expect(safe.getPrompt(p.id)).toMatchObject({ status: "interrupted", text: "deploy with [REDACTED]" });
  });

  it("stores session names redacted, and steering messages redacted once delivered", () => {
    const s = newSession(`Run: deploy with ${key}`);
    expect(s.name).toBe("Run: deploy with [REDACTED]");
    const message = safe.enqueueSteering({
      sessionId: s.id,
      authorId: "333333333333333333",
      text: `use ${key}`,
    });
    // The agent gets the message as typed; the stored copy is masked once its run has it.
    expect(safe.leaseSteering(s.id, "run-a").map((m) => m.text)).toEqual([`use ${key}`]);
    safe.ackSteering("run-a", [message.id]);
    const rows = safe.sqlite.prepare("select * from steering").all();
    expect(JSON.stringify(rows)).not.toContain(key);
  });
});
