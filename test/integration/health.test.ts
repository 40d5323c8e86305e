// The omp binary check behind `/omp health`, `/omp status` and `/omp version`, against real executables:
// a slow answer (a loaded machine) is not remembered as a broken omp.

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthChecks } from "../../src/health/checks.js";
import type { Store } from "../../src/store/index.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-health-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An executable `omp` stand-in whose `--version` runs `body`. */
function fakeOmp(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function checks(ompBin: string, ompVersionTimeoutMs: number, tested?: string): HealthChecks {
  return new HealthChecks({
    // Only the omp check runs here: it needs neither Discord nor the store.
    client: {} as Client,
    store: {} as Store,
    ompBin,
    envPassthrough: [],
    sidecarUrl: undefined,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    ompVersionTimeoutMs,
    testedOmpVersion: tested,
  });
}

describe("the omp binary check", () => {
  it("reports the version omp prints", async () => {
    const health = checks(fakeOmp("omp-ok", "echo 18.2.3"), 30_000);
    expect(await health.omp()).toEqual({ name: "omp binary", ok: true, detail: "18.2.3" });
  });

  it("passes with a warning naming both versions when omp is not the version the bot is tested with", async () => {
    const health = checks(fakeOmp("omp-newer", "echo omp/18.3.0"), 30_000, "18.2.3");
    const check = await health.omp();
    expect(check).toMatchObject({ name: "omp binary", ok: true, warning: true });
    expect(check.detail).toContain("omp/18.3.0");
    expect(check.detail).toContain("tested with omp 18.2.3");
    expect(check.detail).toContain("npm install");
  });

  it("passes without a warning when omp is the tested version, as `omp --version` prints it", async () => {
    const health = checks(fakeOmp("omp-tested", "echo omp/18.2.3"), 30_000, "18.2.3");
    expect(await health.omp()).toEqual({ name: "omp binary", ok: true, detail: "omp/18.2.3" });
  });

  it("a probe that timed out says so, and the next check asks omp again instead of repeating it", async () => {
    // Slow until the test says otherwise: the second call finds the file and answers at once.
    const answer = join(dir, "answer-now");
    const bin = fakeOmp("omp-slow-once", `if [ -e ${answer} ]; then echo 18.2.3; else exec sleep 60; fi`);
    const health = checks(bin, 3_000);
    const first = await health.omp();
    expect(first.ok).toBe(false);
    expect(first.detail).toMatch(
      /did not answer in 3 s: check OMP_BIN, or whether the machine is overloaded/,
    );
    writeFileSync(answer, "");
    expect(await health.omp()).toEqual({ name: "omp binary", ok: true, detail: "18.2.3" });
  });

  it("a definite failure is kept for a while: the check does not start omp on every question", async () => {
    const counter = join(dir, "calls");
    const bin = fakeOmp("omp-broken", `echo x >> ${counter}; echo broken >&2; exit 3`);
    const health = checks(bin, 30_000);
    expect((await health.omp()).ok).toBe(false);
    expect((await health.omp()).ok).toBe(false);
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1);
  });
});
