import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedactor, REDACTED } from "../../src/output/redact.js";
import {
  DecisionStore,
  type NewDecision,
  openStore,
  type Store,
  UnknownRecordError,
} from "../../src/store/index.js";

const FAKE_SECRET = ["fake", "decision", "secret", "99"].join("-");
const ALICE = "333333333333333333";
const BOB = "444444444444444444";

let dir: string;
let dbPath: string;
let store: Store;
let decisions: DecisionStore;
let clock: number;
const now = () => new Date(clock);

function openAll() {
  store = openStore(dbPath);
  decisions = new DecisionStore(store.sqlite, {
    now,
    redact: createRedactor({ secrets: [FAKE_SECRET] }).redact,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-decisions-"));
  dbPath = join(dir, "ompcord.db");
  clock = Date.parse("2026-12-07T10:00:00Z");
  openAll();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A session with one running run, as the scheduler leaves them. */
function running(threadId = `thread-${Math.random()}`) {
  const session = store.createSession({
    guildId: "111111111111111111",
    parentChannelId: "222222222222222222",
    threadId,
    name: "Run: tidy up",
    createdBy: ALICE,
    workDir: "/tmp/work",
  });
  const prompt = store.enqueuePrompt({
    sessionId: session.id,
    authorId: ALICE,
    text: "tidy up",
    source: "say",
  });
  const run = store.startRun({ sessionId: session.id, promptId: prompt.id });
  return { session, run };
}

function ask(ctx: ReturnType<typeof running>, extra: Partial<NewDecision> = {}) {
  clock += 1_000;
  return decisions.open({
    kind: "approval",
    sessionId: ctx.session.id,
    runId: ctx.run.id,
    toolCallId: "call_1",
    toolName: "bash",
    subject: "bash: rm -rf build",
    requestedFor: ALICE,
    threadId: ctx.session.threadId,
    ...extra,
  });
}

describe("decisions", () => {
  it("opens pending, with the subject redacted and the time from the clock", () => {
    const ctx = running();
    const row = ask(ctx, { subject: `bash: curl -u me:${FAKE_SECRET} https://x` });
    expect(row).toMatchObject({
      kind: "approval",
      outcome: "pending",
      decidedBy: null,
      decidedAt: null,
      messageId: null,
      subject: `bash: curl -u me:${REDACTED} https://x`,
      createdAt: new Date(clock),
    });
    expect(decisions.setMessage(row.id, "555555555555555555").messageId).toBe("555555555555555555");
    expect(() => decisions.setMessage("nope", "1")).toThrow(UnknownRecordError);
  });

  it("settles once: a second click learns who decided what and when", () => {
    const row = ask(running());
    clock += 5_000;
    const first = decisions.settle(row.id, { outcome: "approved", decidedBy: BOB });
    expect(first.settled).toBe(true);
    expect(first.row).toMatchObject({ outcome: "approved", decidedBy: BOB, decidedAt: new Date(clock) });
    clock += 5_000;
    const second = decisions.settle(row.id, { outcome: "denied", decidedBy: ALICE, detail: "too late" });
    expect(second.settled).toBe(false);
    expect(second.row).toMatchObject({
      outcome: "approved",
      decidedBy: BOB,
      detail: null,
      decidedAt: first.row.decidedAt,
    });
    // The timeout firing after a click changes nothing either.
    expect(decisions.settle(row.id, { outcome: "timed_out" }).settled).toBe(false);
    expect(() => decisions.settle("nope", { outcome: "timed_out" })).toThrow(UnknownRecordError);
  });

  it("records a denial's reason redacted, and no person for a timeout", () => {
    const ctx = running();
    const denied = decisions.settle(ask(ctx).id, {
      outcome: "denied",
      decidedBy: ALICE,
      detail: `leaks ${FAKE_SECRET}`,
    });
    expect(denied.row.detail).toBe(`leaks ${REDACTED}`);
    const timedOut = decisions.settle(ask(ctx).id, { outcome: "timed_out" });
    expect(timedOut.row).toMatchObject({ outcome: "timed_out", decidedBy: null });
  });

  it("never takes a person's outcome without the person", () => {
    const row = ask(running());
    const settle = () => decisions.settle(row.id, { outcome: "approved" } as never);
    expect(settle).toThrow("Expected `decidedBy` for outcome `approved`, got `null`");
    expect(decisions.get(row.id)?.outcome).toBe("pending");
  });

  it("cancels the pending decisions of one run only", () => {
    const a = running();
    const b = running();
    const waiting = ask(a);
    const decided = ask(a);
    decisions.settle(decided.id, { outcome: "approved", decidedBy: BOB });
    const other = ask(b);
    const cancelled = decisions.cancelPendingOfRun(a.run.id, "/omp cancel");
    expect(cancelled.map((r) => [r.id, r.outcome, r.detail])).toEqual([
      [waiting.id, "cancelled", "/omp cancel"],
    ]);
    expect(decisions.get(decided.id)?.outcome).toBe("approved");
    expect(decisions.get(other.id)?.outcome).toBe("pending");
  });

  it("after a restart, what was left pending is expired and handed back to repaint", () => {
    const ctx = running();
    const open = ask(ctx);
    decisions.setMessage(open.id, "666666666666666666");
    const answered = ask(ctx, { kind: "question", toolName: "ask", subject: "Which branch?" });
    decisions.settle(answered.id, { outcome: "answered", decidedBy: ALICE, detail: "dev" });
    store.close();
    openAll();
    expect(decisions.pending().map((r) => r.id)).toEqual([open.id]);
    const expired = decisions.expirePending();
    expect(expired).toEqual([
      expect.objectContaining({ id: open.id, outcome: "expired", messageId: "666666666666666666" }),
    ]);
    expect(decisions.pending()).toEqual([]);
    expect(decisions.expirePending()).toEqual([]);
    expect(decisions.get(answered.id)).toMatchObject({ outcome: "answered", detail: "dev" });
  });

  it("lists a session's decisions newest first, and a run's in the order asked", () => {
    const ctx = running();
    const ids = [ask(ctx).id, ask(ctx).id, ask(ctx).id];
    expect(decisions.listForSession(ctx.session.id).map((r) => r.id)).toEqual([...ids].reverse());
    expect(decisions.listForSession(ctx.session.id, 2).map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(decisions.listForRun(ctx.run.id).map((r) => r.id)).toEqual(ids);
    expect(decisions.listForSession(running().session.id)).toEqual([]);
  });

  it("refuses a decision for a run that does not exist", () => {
    const ctx = running();
    expect(() => ask(ctx, { runId: "nope" })).toThrow(/FOREIGN KEY/);
  });
});
