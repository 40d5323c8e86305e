// The working-directory lines of `/omp health`: one per directory runs may use, ❌ with the path, what is
// wrong and what brings it back. The directory test itself is injected here (a read-only directory
// cannot be made for root); test/e2e/workdir-gone.test.ts checks a real vanished one.

import type { Client } from "discord.js";
import { describe, expect, it } from "vitest";
import type { DirectoryProblem } from "../../src/config/index.js";
import { HealthChecks } from "../../src/health/checks.js";
import type { Store } from "../../src/store/index.js";

function checksFor(problems: Record<string, DirectoryProblem | undefined>) {
  return new HealthChecks({
    client: {} as Client,
    store: {} as Store,
    ompBin: "omp",
    envPassthrough: [],
    sidecarUrl: undefined,
    workDirs: Object.keys(problems),
    checkDirectory: (dir) => problems[dir],
  }).workDirs();
}

describe("working directories in /omp health", () => {
  it("a usable directory is ✅ with its path", () => {
    expect(checksFor({ "/srv/repo": undefined })).toEqual([
      { name: "Working directory", ok: true, detail: "/srv/repo" },
    ]);
  });

  it("a vanished, a replaced and a read-only directory are each ❌ with the path, the reason and the fix", () => {
    const checks = checksFor({
      "/srv/gone": { kind: "missing", reason: "does not exist" },
      "/srv/file": { kind: "not_a_directory", reason: "is not a directory" },
      "/srv/ro": { kind: "not_writable", reason: "is not writable (read-only file system)" },
    });
    expect(checks.map((check) => check.ok)).toEqual([false, false, false]);
    expect(checks.map((check) => check.detail)).toEqual([
      "working directory /srv/gone is gone: recreate it (mkdir -p /srv/gone)",
      "working directory /srv/file is not a directory any more: move what is there away and recreate the directory",
      "working directory /srv/ro is not writable (read-only file system): let the user running ompcord write to it again (chown or chmod)",
    ]);
  });

  it("checks nothing when no directory is given", () => {
    expect(checksFor({})).toEqual([]);
  });
});
