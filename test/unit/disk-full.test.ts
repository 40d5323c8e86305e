// A full disk, recognised and reported: the codes Node and SQLite use, a transcript whose writer fails
// like a full disk (a port, so no disk is filled), one log line per episode, and `/omp health`'s
// free-space check against a fake statfs.

import { describe, expect, it } from "vitest";
import { diskSpaceCheck, formatBytes } from "../../src/health/disk.js";
import { DiskFullLog, diskFullMessage, isDiskFull } from "../../src/output/disk-full.js";
import { TranscriptWriter } from "../../src/output/transcript.js";
import { fullDiskWriter } from "../support/full-disk.js";

describe("a full disk", () => {
  it("is recognised by Node's and SQLite's codes and by omp's words", () => {
    expect(isDiskFull(Object.assign(new Error("x"), { code: "ENOSPC" }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error("x"), { code: "EDQUOT" }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }))).toBe(
      true,
    );
    expect(isDiskFull("Error: ENOSPC: no space left on device, open '/x/session.jsonl'")).toBe(true);
    expect(isDiskFull(Object.assign(new Error("permission denied"), { code: "EACCES" }))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
  });

  it("a transcript whose writer fails like a full disk keeps the error instead of throwing", async () => {
    const transcript = new TranscriptWriter("/nonexistent-never-written/1.log", {
      open: () => fullDiskWriter(),
    });
    transcript.writeLine("first line");
    await transcript.close();
    expect(isDiskFull(transcript.error)).toBe(true);
  });

  it("the message says what was lost and what to do", () => {
    const text = diskFullMessage("this run's transcript");
    expect(text).toContain("The disk is full: this run's transcript could not be written");
    expect(text).toContain("/omp health");
  });

  it("is logged once per episode, with how many more followed", () => {
    let now = 0;
    const lines: Record<string, unknown>[] = [];
    const log = new DiskFullLog({ log: (fields) => lines.push(fields), quietMs: 60_000, now: () => now });
    log.report("a transcript", { code: "ENOSPC" });
    now += 1_000;
    log.report("a transcript", { code: "ENOSPC" });
    log.report("omp's session files", "ENOSPC");
    expect(lines).toHaveLength(1);
    now += 60_000;
    log.report("a transcript", { code: "ENOSPC" });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ what: "a transcript", code: "ENOSPC", alsoSince: 2 });
  });
});

describe("the free-space check", () => {
  const statfs = (freeBytes: number) => () => ({ bavail: freeBytes / 4096, bsize: 4096 });

  it("passes with the free space shown", () => {
    const check = diskSpaceCheck("/data", 1e9, statfs(4096 * 5_000_000));
    expect(check).toEqual({ name: "Disk space", ok: true, detail: "20 GB free for /data" });
  });

  it("warns below the threshold, saying what happens and what to do", () => {
    const check = diskSpaceCheck("/data", 1e9, statfs(4096 * 1000));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("only 4.1 MB free for /data");
    expect(check.detail).toContain("OMPCORD_RETENTION_DAYS");
  });

  it("reads bigint figures as statfs returns them with `bigint: true`", () => {
    expect(diskSpaceCheck("/d", 0, () => ({ bavail: 10n, bsize: 1000n })).detail).toBe("10 kB free for /d");
    expect(formatBytes(999)).toBe("999 B");
  });
});
