// Restart recovery and the processes a run recorded: only a process whose whole identity (pid, start
// time, boot) matches what the run recorded is ended, with everything under it; a stranger that got the
// pid since (a reboot, pid reuse) is left alone, whatever its name.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { createOmpRunner, isAlive } from "../../src/omp/index.js";
import { currentBootId, identify, waitUntil } from "../../src/omp/kill.js";
import { recoverAfterRestart } from "../../src/sessions/recover.js";
import { openStore, type RunRow, type Store } from "../../src/store/index.js";
import { SLEEP } from "../support/processes.js";

const FAKE_OMP = resolve(import.meta.dirname, "../support/fake-omp/fake-omp.mjs");
const GRACE_MS = 300;
/** Ceiling for a process to start or end: node starts slowly on a loaded machine. */
const WAIT_MS = 60_000;

let dir: string;
let store: Store;
const started: ChildProcess[] = [];
const pidDirs: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-recovery-"));
  store = openStore(join(dir, "ompcord.db"));
});
afterEach(() => {
  store.close();
  // Leave nothing running, whatever a failed assertion skipped.
  const pids = [
    ...started.splice(0).map((child) => child.pid),
    ...pidDirs.splice(0).flatMap((pidDir) => readdirSync(pidDir).map(Number)),
  ];
  for (const pid of pids) {
    if (pid !== undefined && isAlive(pid)) process.kill(pid, "SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Someone else's long-lived process: `sleep` under a name with "omp" in it, as `composer-daemon` has. */
function stranger(name: string): number {
  const child = spawn(SLEEP, ["300"], { argv0: name, stdio: "ignore" });
  started.push(child);
  return child.pid!;
}

/** A run of a session in the store, as the scheduler leaves it when the bot is killed mid-run. */
function runInFlight(): RunRow {
  const session = store.createSession({
    guildId: "111111111111111111",
    parentChannelId: "222222222222222222",
    threadId: `thread-${Math.random()}`,
    name: "Run: recovery",
    createdBy: "333333333333333333",
    workDir: dir,
  });
  const prompt = store.enqueuePrompt({
    sessionId: session.id,
    authorId: "333333333333333333",
    text: "do it",
    source: "say",
  });
  return store.startRun({ sessionId: session.id, promptId: prompt.id });
}

/** What app.ts does at start: reconcile the store, then recover (dashboards stubbed: none here). */
async function restart(): Promise<void> {
  await recoverAfterRestart(
    {
      store,
      dashboards: { restore: async () => {} },
      killGraceMs: GRACE_MS,
      logger: createLogger({ logLevel: "silent" }),
    },
    store.reconcileAfterRestart(),
  );
}

describe("a stranger holding a recorded pid survives recovery", () => {
  it.each([["composer-daemon"], ["docker-compose"], ["omp"]])(
    "`%s` in runs.pid, with no identity recorded",
    async (name) => {
      const pid = stranger(name);
      const run = runInFlight();
      store.setRunPid(run.id, pid);
      await restart();
      expect(store.getRun(run.id)?.outcome).toBe("interrupted");
      expect(isAlive(pid)).toBe(true);
    },
  );

  it("the same pid and boot, but another start time (the pid was reused)", async () => {
    const pid = stranger("omp");
    const identity = identify(pid)!;
    const run = runInFlight();
    store.setRunPid(run.id, pid);
    store.recordRunProcess(run.id, "omp", { ...identity, startTicks: identity.startTicks - 1 });
    await restart();
    expect(isAlive(pid)).toBe(true);
  });

  it("the same pid and start time, but another boot (a service that started at boot again)", async () => {
    const pid = stranger("omp");
    const run = runInFlight();
    store.setRunPid(run.id, pid);
    store.recordRunProcess(run.id, "supervisor", { ...identify(pid)!, bootId: "another-boot" });
    store.recordRunProcess(run.id, "omp", { ...identify(pid)!, bootId: "another-boot" });
    await restart();
    expect(isAlive(pid)).toBe(true);
  });
});

describe("a leftover whose whole identity matches is ended", () => {
  it("an omp left running (its supervisor gone) is ended with its tool processes", async () => {
    const pidDir = join(dir, "pids");
    mkdirSync(pidDir);
    pidDirs.push(pidDir);
    const omp = spawn(process.execPath, [FAKE_OMP, "--", "ignore-sigterm spawn-children"], {
      env: { ...process.env, FAKE_OMP_PID_DIR: pidDir },
      stdio: "ignore",
    });
    started.push(omp);
    expect(await waitUntil(() => readdirSync(pidDir).length === 3, WAIT_MS)).toBe(true);
    const run = runInFlight();
    store.setRunPid(run.id, omp.pid!);
    store.recordRunProcess(run.id, "omp", identify(omp.pid!)!);
    const stranger1 = stranger("composer-daemon");
    await restart();
    const pids = readdirSync(pidDir).map(Number);
    expect(await waitUntil(() => pids.every((pid) => !isAlive(pid)), WAIT_MS)).toBe(true);
    expect(isAlive(stranger1)).toBe(true);
  });

  it("a supervisor left running is stopped, and it ends omp and everything under it", async () => {
    const pidDir = join(dir, "pids");
    mkdirSync(pidDir);
    pidDirs.push(pidDir);
    const runner = createOmpRunner({
      bin: FAKE_OMP,
      runTimeoutMs: 60_000,
      killGraceMs: GRACE_MS,
      env: { ...process.env, FAKE_OMP_PID_DIR: pidDir },
      envPassthrough: ["FAKE_OMP_PID_DIR"],
      overlayPath: join(dir, "overlay.yml"),
    });
    const row = runInFlight();
    const ompRun = runner.start({
      prompt: "ignore-sigterm spawn-children",
      cwd: dir,
      sessionDir: join(dir, "session"),
      sessionId: row.sessionId,
      transcriptPath: join(dir, "transcript.log"),
      onProcess: (role, identity) => store.recordRunProcess(row.id, role, identity),
    });
    store.setRunPid(row.id, ompRun.pid!);
    expect(await waitUntil(() => readdirSync(pidDir).length === 3, WAIT_MS)).toBe(true);
    expect(store.runProcesses(row.id).map((p) => p.role)).toEqual(["supervisor", "omp"]);
    expect(store.runProcesses(row.id).every((p) => p.bootId === currentBootId())).toBe(true);

    await restart();
    const pids = [ompRun.pid!, ...readdirSync(pidDir).map(Number)];
    expect(await waitUntil(() => pids.every((pid) => !isAlive(pid)), WAIT_MS)).toBe(true);
    expect((await ompRun.done).signal).toBe("SIGKILL"); // omp ignored SIGTERM: the grace ran out
  });
});
