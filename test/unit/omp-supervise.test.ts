import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  findBun,
  type LeftoverProcess,
  leftoverLine,
  parseSupervisorReport,
  SUPERVISOR_SCRIPT,
  supervisorArgs,
} from "../../src/omp/supervise.js";

const sleep: LeftoverProcess = { pid: 41, startTicks: 900, bootId: "b", name: "sleep", signal: "SIGKILL" };

describe("parseSupervisorReport", () => {
  it("reads each kind of report the supervisor writes", () => {
    expect(parseSupervisorReport('{"type":"started","pid":12,"startTicks":345,"bootId":"b"}')).toEqual({
      type: "started",
      pid: 12,
      startTicks: 345,
      bootId: "b",
    });
    expect(parseSupervisorReport('{"type":"exit","code":null,"signal":"SIGTERM"}')).toEqual({
      type: "exit",
      code: null,
      signal: "SIGTERM",
    });
    expect(parseSupervisorReport('{"type":"spawn-error","code":"ENOENT","message":"no such file"}')).toEqual({
      type: "spawn-error",
      code: "ENOENT",
      message: "no such file",
    });
    expect(parseSupervisorReport(JSON.stringify({ type: "leftovers", processes: [sleep] }))).toEqual({
      type: "leftovers",
      processes: [sleep],
    });
  });

  it("drops what is not a report, and leftovers without a whole identity", () => {
    expect(parseSupervisorReport("not json")).toBeUndefined();
    expect(parseSupervisorReport('{"type":"hello"}')).toBeUndefined();
    expect(parseSupervisorReport('{"type":"started","pid":-1,"startTicks":3,"bootId":"b"}')).toBeUndefined();
    const partial = { type: "leftovers", processes: [sleep, { ...sleep, bootId: undefined }] };
    expect(parseSupervisorReport(JSON.stringify(partial))).toEqual({ type: "leftovers", processes: [sleep] });
  });
});

describe("supervisorArgs", () => {
  it("puts the options before `--` (Bun drops a leading one) and the command after it", () => {
    expect(supervisorArgs({ graceMs: 2000, parentPid: 77, command: ["omp", "-p", "--", "--help"] })).toEqual([
      SUPERVISOR_SCRIPT,
      "--grace-ms",
      "2000",
      "--parent-pid",
      "77",
      "--report-fd",
      "3",
      "--",
      "omp",
      "-p",
      "--",
      "--help",
    ]);
  });
});

describe("leftoverLine", () => {
  it("names each process and says which ones needed SIGKILL or would not end", () => {
    expect(leftoverLine([sleep])).toBe(
      "⚠ The run left 1 process running; ompcord ended it: sleep (pid 41, needed SIGKILL)",
    );
    expect(
      leftoverLine([
        { ...sleep, name: "python3", signal: "SIGTERM" },
        { ...sleep, pid: 42, stuck: true },
      ]),
    ).toBe(
      "⚠ The run left 2 processes running; ompcord ended them: python3 (pid 41), sleep (pid 42, would not end)",
    );
  });
});

describe("findBun", () => {
  const dir = mkdtempSync(join(tmpdir(), "ompcord-find-bun-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withBun = (name: string) => {
    const binDir = join(dir, name);
    mkdirSync(binDir);
    writeFileSync(join(binDir, "bun"), "#!/bin/sh\n");
    chmodSync(join(binDir, "bun"), 0o755);
    return binDir;
  };
  const nextToOmp = withBun("next-to-omp");
  const onPath = withBun("on-path");

  it("prefers the bun next to omp, then the first on PATH, and finds none where there is none", () => {
    expect(findBun(nextToOmp, `${onPath}:/usr/bin`)).toBe(join(nextToOmp, "bun"));
    expect(findBun(join(dir, "empty"), `/nonexistent:${onPath}`)).toBe(join(onPath, "bun"));
    expect(findBun(undefined, "/nonexistent")).toBeUndefined();
  });
});
