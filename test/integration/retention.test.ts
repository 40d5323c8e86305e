// Retention against a real SQLite file and real directories: a sweep deletes stopped sessions older than
// the configured age (rows and files), keeps recent ones, active ones and ones still winding down, and
// the path check refuses anything that is not a session's own directory inside the data dir.

import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { RetentionSweep } from "../../src/sessions/retention.js";
import {
  openStore,
  RetentionStore,
  removeSessionFiles,
  type SessionFileRoots,
  type Store,
} from "../../src/store/index.js";

const DAY = 86_400_000;
const START = new Date("2026-10-01T12:00:00Z").getTime();

let dir: string;
let dataDir: string;
let store: Store;
let clock: number;
let roots: SessionFileRoots;
let threads = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-retention-"));
  dataDir = join(dir, "data");
  roots = {
    dataDir,
    roots: [join(dataDir, "transcripts"), join(dataDir, "omp-sessions"), join(dataDir, "sandbox")],
  };
  for (const root of roots.roots) mkdirSync(root, { recursive: true });
  clock = START;
  store = openStore(join(dataDir, "ompcord.db"), { now: () => new Date(clock) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A session with one finished run, its transcript and omp session file on disk. */
function sessionWithFiles(): string {
  threads += 1;
  const session = store.createSession({
    guildId: "111111111111111111",
    parentChannelId: "222222222222222222",
    threadId: `90000000000000${String(threads).padStart(4, "0")}`,
    name: "Run: test",
    createdBy: "333333333333333333",
    workDir: (s) => join(dataDir, "workspace", s.id),
  });
  const prompt = store.enqueuePrompt({ sessionId: session.id, authorId: "3", text: "hi", source: "new" });
  const run = store.startRun({ sessionId: session.id, promptId: prompt.id });
  store.finishRun(run.id, { outcome: "success", exitCode: 0, signal: null, tokens: 15 });
  store.recordEvent({ sessionId: session.id, eventType: "agent_end", content: "{}" });
  for (const root of roots.roots.slice(0, 2)) {
    mkdirSync(join(root, session.id), { recursive: true });
    writeFileSync(join(root, session.id, "1-run.log"), "output\n");
  }
  return session.id;
}

const filesOf = (id: string) => roots.roots.slice(0, 2).map((root) => existsSync(join(root, id)));
const sweep = (days: number) =>
  new RetentionSweep({
    days,
    records: new RetentionStore(store.sqlite),
    removeFiles: (id) => removeSessionFiles(id, roots),
    now: () => new Date(clock),
    logger: createLogger({ logLevel: "silent" }),
  }).sweep();

describe("the retention sweep", () => {
  it("deletes stopped sessions older than the age, rows and files, and keeps recent, active and busy ones", () => {
    const old = sessionWithFiles();
    store.markSessionStopped(old);
    const activeOld = sessionWithFiles(); // never stopped: a thread people may still use
    const stoppedWhileQueued = sessionWithFiles();
    store.enqueuePrompt({ sessionId: stoppedWhileQueued, authorId: "3", text: "later", source: "say" });
    store.markSessionStopped(stoppedWhileQueued);
    clock += 20 * DAY;
    const recent = sessionWithFiles();
    store.markSessionStopped(recent);
    clock += 15 * DAY; // `old` was stopped 35 days ago, `recent` 15

    const report = sweep(30);

    expect(report.sessions).toEqual([old]);
    expect(store.getSession(old)).toBeUndefined();
    expect(store.sqlite.prepare("SELECT count(*) AS n FROM runs WHERE session_id = ?").get(old)).toEqual({
      n: 0,
    });
    expect(filesOf(old)).toEqual([false, false]);
    // Telemetry events older than the age go in every session (the purged one's and the two old kept
    // sessions'); the recent session's stays.
    expect(report.rows).toMatchObject({ sessions: 1, prompts: 1, runs: 1, events: 3 });
    expect(store.sqlite.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 1 });
    for (const kept of [activeOld, stoppedWhileQueued, recent]) {
      expect(store.getSession(kept), kept).toBeDefined();
      expect(filesOf(kept), kept).toEqual([true, true]);
    }
    // A second sweep finds nothing more to do.
    expect(sweep(30).sessions).toEqual([]);
  });

  it("selects by the stop's age: a session stopped one second short of the age is kept", () => {
    const id = sessionWithFiles();
    store.markSessionStopped(id);
    clock += 30 * DAY - 1000;
    expect(sweep(30).sessions).toEqual([]);
    clock += 2000;
    expect(sweep(30).sessions).toEqual([id]);
  });

  it("a session whose run has not ended (stopped, still winding down) waits for the next sweep", () => {
    const id = sessionWithFiles();
    const prompt = store.enqueuePrompt({ sessionId: id, authorId: "3", text: "long", source: "say" });
    store.startRun({ sessionId: id, promptId: prompt.id });
    store.markSessionStopped(id);
    clock += 40 * DAY;
    expect(sweep(30).sessions).toEqual([]);
    expect(filesOf(id)).toEqual([true, true]);
  });
});

describe("deleting a session's files", () => {
  it("refuses names that are not session ids, so nothing outside the roots can be named", () => {
    const outside = join(dir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "keep");
    const result = removeSessionFiles("../../outside", roots);
    expect(result.removed).toEqual([]);
    expect(result.refused.length).toBe(roots.roots.length);
    expect(result.refused[0]?.reason).toMatch(/is not a session id/);
    expect(existsSync(join(outside, "keep.txt"))).toBe(true);
  });

  it("leaves a planted symbolic link and what it points to alone", () => {
    const outside = join(dir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "keep");
    symlinkSync(outside, join(roots.roots[0]!, "abcdefabcdef"));
    const result = removeSessionFiles("abcdefabcdef", roots);
    expect(result.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/symbolic link/)]);
    expect(existsSync(join(outside, "keep.txt"))).toBe(true);
  });

  it("refuses a root that is not inside the data dir", () => {
    const elsewhere = join(dir, "elsewhere");
    mkdirSync(join(elsewhere, "abcdefabcdef"), { recursive: true });
    const result = removeSessionFiles("abcdefabcdef", { dataDir, roots: [elsewhere] });
    expect(result.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/not inside the data dir/)]);
    expect(existsSync(join(elsewhere, "abcdefabcdef"))).toBe(true);
  });

  it("deletes a session's own directories, links inside them removed without being followed", () => {
    const outside = join(dir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "keep");
    const own = join(roots.roots[1]!, "abcdefabcdef");
    mkdirSync(own);
    symlinkSync(outside, join(own, "link"));
    const result = removeSessionFiles("abcdefabcdef", roots);
    expect(result).toEqual({ removed: [own], refused: [] });
    expect(existsSync(own)).toBe(false);
    expect(existsSync(join(outside, "keep.txt"))).toBe(true);
  });
});
