// The retention sweep's own rules, with fake records and a fake clock: the cutoff is the configured age
// before now, rows go before files, a session that stopped being idle keeps its files, and refusals are
// reported rather than thrown.

import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { type RetentionRecords, RetentionSweep } from "../../src/sessions/retention.js";
import type { RemovedFiles } from "../../src/store/index.js";

const NOW = new Date("2026-12-07T08:00:00Z");
const silent = createLogger({ logLevel: "silent" });

function fakeRecords(expired: string[], busy: string[] = []) {
  const calls: string[] = [];
  const cutoffs: Date[] = [];
  const records: RetentionRecords = {
    expiredSessions: (cutoff) => {
      cutoffs.push(cutoff);
      return expired.map((id) => ({ id, threadId: `t-${id}`, stoppedAt: 0 }));
    },
    deleteSession: (id) => {
      calls.push(`rows ${id}`);
      return busy.includes(id) ? undefined : { sessions: 1, runs: 2 };
    },
    deleteOldRows: () => ({ outbox: 3, events: 0 }),
  };
  return { records, calls, cutoffs };
}

describe("RetentionSweep", () => {
  it("purges what stopped more than `days` before now: rows first, then the files", () => {
    const { records, calls, cutoffs } = fakeRecords(["a", "b"]);
    const removeFiles = (id: string): RemovedFiles => {
      calls.push(`files ${id}`);
      return { removed: [`/data/transcripts/${id}`], refused: [] };
    };
    const report = new RetentionSweep({
      days: 30,
      records,
      removeFiles,
      now: () => NOW,
      logger: silent,
    }).sweep();
    expect(cutoffs).toEqual([new Date("2026-11-07T08:00:00Z")]);
    expect(calls).toEqual(["rows a", "files a", "rows b", "files b"]);
    expect(report).toMatchObject({
      sessions: ["a", "b"],
      rows: { sessions: 2, runs: 4, outbox: 3 },
      directories: 2,
    });
  });

  it("a session that is no longer stopped and idle when its turn comes keeps its files", () => {
    const { records, calls } = fakeRecords(["a"], ["a"]);
    const report = new RetentionSweep({
      days: 1,
      records,
      removeFiles: (id) => {
        calls.push(`files ${id}`);
        return { removed: [], refused: [] };
      },
      now: () => NOW,
      logger: silent,
    }).sweep();
    expect(calls).toEqual(["rows a"]);
    expect(report.sessions).toEqual([]);
  });

  it("reports directories the path check refused instead of throwing", () => {
    const { records } = fakeRecords(["a"]);
    const refused = [{ path: "/data/transcripts/a", reason: "a symbolic link" }];
    const report = new RetentionSweep({
      days: 1,
      records,
      removeFiles: () => ({ removed: [], refused }),
      now: () => NOW,
      logger: silent,
    }).sweep();
    expect(report.refused).toEqual(refused);
  });

  it("refuses an age below one day", () => {
    const { records } = fakeRecords([]);
    expect(
      () =>
        new RetentionSweep({
          days: 0,
          records,
          removeFiles: () => ({ removed: [], refused: [] }),
          logger: silent,
        }),
    ).toThrow("Expected `days` to be a whole number from 1 and up, got `0`");
  });
});
