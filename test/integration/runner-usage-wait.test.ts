// Usage limits against real omp and the fake model: omp sleeps until the limit resets (the overlay pins
// `retry.waitForUsageReset`), the runner sees it in the events, pauses the run's time limit meanwhile and
// ends a run whose reset comes later than it may wait. Time limits are driven by a clock the tests move
// forward at once, so nothing depends on how fast a loaded machine runs omp.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOmpRunner,
  type OmpRunRequest,
  type RunnerOptions,
  type UsageWait,
} from "../../src/omp/index.js";
import {
  type FakeModel,
  heldReply,
  reply,
  startFakeModel,
  usageLimitThenReply,
} from "../support/fake-model/index.js";
import { JumpClock } from "../support/jump-clock.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";

/** Far beyond a run here (omp alone takes over 10 s to start when both cores are busy). */
const RUN_TIMEOUT_MS = 180_000;
/** The short reset the fake model announces: omp really sleeps this long. */
const RESET_SECONDS = 4;

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let counter = 0;

beforeAll(async () => {
  model = await startFakeModel();
  home = createOmpHome(model.baseUrl);
  // A person's own omp setting that makes even a short reset too long to wait for: only the overlay's
  // `waitForUsageReset` lets the run wait (omp sleeps up to `maxDelayMs` without it).
  writeFileSync(join(home.home, ".omp", "agent", "config.yml"), "retry:\n  maxDelayMs: 1000\n");
  scratch = mkdtempSync(join(tmpdir(), "ompcord-usage-wait-"));
});

afterAll(async () => {
  await model?.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function runner(options: Partial<RunnerOptions> = {}) {
  const n = ++counter;
  return createOmpRunner({
    bin: OMP_BIN,
    model: FAKE_MODEL_ID,
    runTimeoutMs: RUN_TIMEOUT_MS,
    timeoutSlackMs: 0,
    killGraceMs: 2000,
    maxRetries: 1,
    usageWaitMaxMs: 3_600_000,
    env: home.env,
    overlayPath: join(scratch, `overlay-${n}.yml`),
    launchDir: join(scratch, `launch-${n}`),
    ...options,
  });
}

function request(prompt: string, waits: (UsageWait | undefined)[]): OmpRunRequest {
  const n = ++counter;
  return {
    prompt,
    cwd: home.workDir,
    sessionDir: join(scratch, `session-${n}`),
    sessionId: `session-${n}`,
    transcriptPath: join(scratch, `transcript-${n}.txt`),
    onUsageWait: (wait) => waits.push(wait),
  };
}

/** Resolves with the first wait the run reports. */
function firstWait(waits: (UsageWait | undefined)[]): Promise<UsageWait> {
  return new Promise((resolve) => {
    const push = waits.push.bind(waits);
    waits.push = (...items) => {
      const n = push(...items);
      const wait = items.find((item) => item !== undefined);
      if (wait) resolve(wait);
      return n;
    };
  });
}

describe.concurrent("usage-limit waits on real omp", () => {
  it("a usage-limit error with a reset hint waits for the reset, then the run answers by itself", async () => {
    model.on(
      "usage limit then answer",
      usageLimitThenReply(RESET_SECONDS, reply("Answered after the reset.")),
    );
    const waits: (UsageWait | undefined)[] = [];
    const started = Date.now();
    const result = await runner().start(request("usage limit then answer", waits)).done;
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe("Answered after the reset.");
    expect(waits).toHaveLength(2);
    expect(waits[0]?.delayMs).toBe(RESET_SECONDS * 1000);
    expect(waits[0]!.resumesAt.getTime()).toBeGreaterThan(started);
    // The wait ended when omp worked again.
    expect(waits[1]).toBeUndefined();
  });

  it("a run that waits longer than its limit, but works less than it, is not timed out", async () => {
    model.on("wait past the limit", usageLimitThenReply(RESET_SECONDS, reply("Still answered.")));
    const clock = new JumpClock();
    const waits: (UsageWait | undefined)[] = [];
    const waiting = firstWait(waits);
    const done = runner({ clock }).start(request("wait past the limit", waits)).done;
    await waiting;
    // Ten limits pass while omp sleeps until the reset: none of it is the run's time.
    clock.jump(10 * RUN_TIMEOUT_MS);
    const result = await done;
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe("Still answered.");
  });

  it("a run whose working time passes its limit is timed out, however long it waited before", async () => {
    const held = heldReply("Working on it ");
    model.on("work past the limit", usageLimitThenReply(RESET_SECONDS, held.step));
    const clock = new JumpClock();
    const waits: (UsageWait | undefined)[] = [];
    const waiting = firstWait(waits);
    const done = runner({ clock }).start(request("work past the limit", waits)).done;
    await waiting;
    clock.jump(10 * RUN_TIMEOUT_MS);
    // Working again, mid-answer: now the limit's time passes.
    await held.reached;
    clock.jump(RUN_TIMEOUT_MS);
    const result = await done;
    held.release();
    expect(result.outcome).toBe("timed_out");
    expect(result.error).toMatch(/time limit/);
  });

  it("a reset later than runs may wait ends the run as failed, saying when it resets and what to raise", async () => {
    model.on("reset too late", usageLimitThenReply(7200, reply("never")));
    const waits: (UsageWait | undefined)[] = [];
    const result = await runner({ usageWaitMaxMs: 3_600_000 }).start(request("reset too late", waits)).done;
    expect(result.outcome).toBe("failed");
    expect(result.error).toMatch(/usage limit resets in 2h .*OMPCORD_USAGE_WAIT_MAX, 1h/);
    expect(waits).toEqual([]);
  });
});
