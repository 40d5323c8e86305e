// The runner with the sandbox, against real omp and the fake model: what the agent can still do in its
// own working directory (git, node, python3, the model), and that a cancel inside the sandbox reaches
// omp itself (its host pid, recorded for restart recovery), leaves no process and keeps the session
// resumable. The escapes it prevents are tried end to end in test/e2e/sandbox-escapes.test.ts.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOmpRunner,
  type OmpRunner,
  type OutputLine,
  type ProcessIdentity,
  type RunProcessRole,
} from "../../src/omp/index.js";
import {
  bashThenReply,
  type FakeModel,
  reply,
  requestText,
  startFakeModel,
} from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";
import { processesMatching, SLEEP, taggedSeconds } from "../support/processes.js";
import { createTestSandbox, launchDirOf } from "../support/sandbox.js";

/** omp's time limit per run: far beyond any run here, so a loaded machine never turns slow into timed out. */
const RUN_MS = 120_000;
/** Ceiling for a run's tool command to show up: omp alone can take over 10 s to start on a busy box. */
const WAIT_MS = 90_000;

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let runner: OmpRunner;

beforeAll(async () => {
  model = await startFakeModel();
  home = createOmpHome(model.baseUrl);
  scratch = mkdtempSync(join(tmpdir(), "ompcord-runner-sandbox-"));
  const dataDir = join(scratch, "data");
  const workRoot = join(scratch, "work");
  mkdirSync(workRoot);
  runner = createOmpRunner({
    bin: OMP_BIN,
    model: FAKE_MODEL_ID,
    runTimeoutMs: RUN_MS,
    killGraceMs: 2000,
    maxRetries: 0,
    env: home.env,
    overlayPath: join(dataDir, "omp-overlay.yml"),
    launchDir: launchDirOf(dataDir),
    sandbox: await createTestSandbox({ dataDir, workRoot, env: home.env }),
  });
});

afterAll(async () => {
  await model?.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A session's working directory under the workspace root, as the bot makes it. */
function session(name: string) {
  const workDir = join(scratch, "work", name);
  mkdirSync(workDir, { recursive: true });
  const lines: OutputLine[] = [];
  const processes: Array<[RunProcessRole, ProcessIdentity]> = [];
  return {
    workDir,
    lines,
    processes,
    request: (prompt: string, ompSessionId?: string) => ({
      prompt,
      cwd: workDir,
      sessionDir: join(scratch, "data", "omp-sessions", name),
      sessionId: name,
      ...(ompSessionId ? { ompSessionId } : {}),
      transcriptPath: join(scratch, `${name}-${lines.length}.log`),
      onLine: (line: OutputLine) => lines.push(line),
      onProcess: (role: RunProcessRole, identity: ProcessIdentity) => processes.push([role, identity]),
    }),
  };
}

/** Live processes whose command line contains `needle`, on the host. */
describe("inside the sandbox, the agent", () => {
  it("creates, edits and commits files in its own directory, runs node and python3, and the model gets it all", async () => {
    const s = session("works");
    const script = [
      "git init -q .",
      "echo first > notes.txt && git add notes.txt && git commit -qm 'first note'",
      "echo second >> notes.txt && git commit -qam 'second note'",
      "git log --format='%an <%ae>: %s'",
      "node -e 'console.log(\"node says\", 6 * 7)'",
      "python3 -c 'print(\"python says\", 6 * 7)'",
    ].join(" && ");
    model.on("work in the repo", bashThenReply(script, "Committed."));
    const result = await runner.start(s.request("work in the repo")).done;
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe("Committed.");
    const seen = requestText(model.requestsMatching("work in the repo").at(-1)!);
    expect(seen).toContain("ompcord agent <agent@ompcord.invalid>: second note");
    expect(seen).toContain("ompcord agent <agent@ompcord.invalid>: first note");
    expect(seen).toContain("node says 42");
    expect(seen).toContain("python says 42");
    // The work is on the host, in the session's directory.
    expect(readFileSync(join(s.workDir, "notes.txt"), "utf8")).toBe("first\nsecond\n");
    // (The directory belongs to the account the agent runs as: `safe.directory` lets this test's git read it.)
    const log = await execa("git", ["-c", "safe.directory=*", "-C", s.workDir, "log", "--format=%s"]);
    expect(log.stdout.split("\n")).toEqual(["second note", "first note"]);
  });

  it("holds no privilege: not root, no capability, no way to gain one, and root's files stay root's", async () => {
    const s = session("privileges");
    const script = [
      "echo uid=$(id -u)",
      "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status",
      // Ro-binds stop writes, not reads: as root in a user namespace, root-owned files looked like the
      // agent's own and /etc/shadow was readable. Here it is absent, and a root-only file stays closed.
      "cat /etc/shadow 2>&1 | head -c 200",
      "stat -c 'passwd owner=%u' /etc/passwd",
    ].join("; ");
    model.on("what may I do", bashThenReply(script, "Checked."));
    const result = await runner.start(s.request("what may I do")).done;
    expect(result.outcome).toBe("success");
    const seen = requestText(model.requestsMatching("what may I do").at(-1)!);
    const uid = Number(/uid=(\d+)/.exec(seen)?.[1]);
    expect(uid).not.toBe(0);
    if (process.getuid?.() === 0)
      expect(uid).toBe(65_534); // root runs the agent as OMPCORD_SANDBOX_USER
    else expect(uid).toBe(process.getuid?.());
    for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) {
      expect(seen).toMatch(new RegExp(`${set}:\\s+0000000000000000`));
    }
    expect(seen).toMatch(/NoNewPrivs:\s+1/);
    expect(seen).toContain("/etc/shadow: No such file or directory");
    // Root's files are root's inside (no user namespace mapping root onto the agent when built as root).
    if (process.getuid?.() === 0) expect(seen).toContain("passwd owner=0");
  });

  it("a cancel during a long command signals omp itself: nothing is left, and the session resumes", async () => {
    const s = session("cancelled");
    model.on("wait a long time", bashThenReply(`${SLEEP} ${taggedSeconds(347)}`, "never"));
    const run = runner.start(s.request("wait a long time"));
    const deadline = Date.now() + WAIT_MS;
    while (processesMatching(`${SLEEP} ${taggedSeconds(347)}`).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(processesMatching(`${SLEEP} ${taggedSeconds(347)}`)).toHaveLength(1);

    // What restart recovery would kill: omp's host pid (in its own pid namespace), not bwrap's.
    const omp = s.processes.find(([role]) => role === "omp")?.[1];
    expect(omp).toBeDefined();
    const status = readFileSync(`/proc/${omp!.pid}/status`, "utf8");
    expect(status).toMatch(/^NSpid:\s+\d+\s+2$/m);
    expect(readFileSync(`/proc/${omp!.pid}/cmdline`, "utf8").split("\0")).toContain(OMP_BIN);

    await run.cancel();
    const result = await run.done;
    expect(result.outcome).toBe("cancelled");
    // omp had its SIGTERM (it saved its session and exited itself, 143), nobody needed SIGKILL.
    expect(result.exitCode).toBe(143);
    expect(processesMatching(`${SLEEP} ${taggedSeconds(347)}`)).toEqual([]);
    expect(existsSync(`/proc/${omp!.pid}`)).toBe(false);

    model.on("are you still there", reply("Still here."));
    const resumed = await runner.start(s.request("are you still there", result.ompSessionId)).done;
    expect(resumed.outcome).toBe("success");
    expect(resumed.ompSessionId).toBe(result.ompSessionId);
    expect(requestText(model.requestsMatching("are you still there").at(-1)!)).toContain("wait a long time");
  });

  it("a job it detaches from everything (setsid, nohup) ends with the run", async () => {
    const s = session("detached");
    model.on(
      "leave something behind",
      bashThenReply(`setsid nohup ${SLEEP} ${taggedSeconds(359)} > /dev/null 2>&1 & echo left`, "Left it."),
    );
    const result = await runner.start(s.request("leave something behind")).done;
    expect(result.outcome).toBe("success");
    expect(processesMatching(`${SLEEP} ${taggedSeconds(359)}`)).toEqual([]);
  });
});
