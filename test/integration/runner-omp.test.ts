// The runner against real omp (node_modules/.bin/omp under bun) talking to the fake model.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOmpRunner,
  isAlive,
  type OmpRunner,
  type OmpRunRequest,
  type OutputLine,
} from "../../src/omp/index.js";
import {
  bashThenReply,
  type FakeModel,
  httpError,
  reply,
  requestText,
  startFakeModel,
  toolThenReply,
} from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";
import { processesMatching, SLEEP, taggedSeconds } from "../support/processes.js";

/**
 * The shared runner's time limit: far beyond any run here, so that only the tests about limits meet
 * one. omp alone takes over 10 s to start when both cores are busy.
 */
const RUN_TIMEOUT_MS = 120_000;
/** Ceiling for waiting on something a run does (a tool's process appearing): a loaded machine is slow. */
const WAIT_MS = 90_000;

let model: FakeModel;
let home: OmpHome;
let runner: OmpRunner;
let scratch: string;
let runCounter = 0;

beforeAll(async () => {
  model = await startFakeModel();
  home = createOmpHome(model.baseUrl);
  scratch = mkdtempSync(join(tmpdir(), "ompcord-runner-"));
  runner = createOmpRunner({
    bin: OMP_BIN,
    model: FAKE_MODEL_ID,
    runTimeoutMs: RUN_TIMEOUT_MS,
    killGraceMs: 2000,
    maxRetries: 1,
    secrets: ["fake-discord-token-value-0123456789"],
    env: {
      ...home.env,
      DISCORD_BOT_TOKEN: "fake-discord-token-value-0123456789",
      OMPCORD_API_TOKEN: "parent",
    },
    overlayPath: join(scratch, "overlay.yml"),
  });
});

afterAll(async () => {
  await model?.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Collected {
  lines: OutputLine[];
  request: OmpRunRequest;
}

function request(prompt: string, overrides: Partial<OmpRunRequest> = {}): Collected {
  const lines: OutputLine[] = [];
  const n = ++runCounter;
  return {
    lines,
    request: {
      prompt,
      cwd: home.workDir,
      sessionDir: join(scratch, `session-${n}`),
      sessionId: `session-${n}`,
      transcriptPath: join(scratch, `transcript-${n}.txt`),
      onLine: (line) => lines.push(line),
      ...overrides,
    },
  };
}

/** Live (non-zombie) processes whose command line contains `needle`. */
/** Polls `check` (the process table tells nobody when it changes) until it holds or `WAIT_MS` passes. */
async function until(check: () => boolean): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

// Each test has its own prompts, session directory and sleep duration, so they run side by side: most
// of a real omp run is waiting (on start-up, the model, a tool, a time limit).
describe.concurrent("runner on real omp", () => {
  it("a text reply arrives as an assistant line, the final text, the session id and usage", async () => {
    model.on("say hello plainly", reply("Hello there, human."));
    const { lines, request: req } = request("say hello plainly");
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    expect(result.exitCode).toBe(0);
    expect(result.finalText).toBe("Hello there, human.");
    expect(lines).toContainEqual({ kind: "assistant", text: "Hello there, human." });
    expect(result.ompSessionId).toMatch(/^[0-9a-f-]{20,}$/);
    expect(result.tokens).toBe(15);
    expect(result.lineCount).toBe(lines.length);
    expect(readFileSync(req.transcriptPath, "utf8")).toContain("Hello there, human.");
  });

  it("a multi-line reply streamed in small chunks becomes one assistant line per line", async () => {
    model.on("three lines please", reply("first line\nsecond line\nthird line", { chunkSize: 3 }));
    const { lines, request: req } = request("three lines please");
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    expect(lines.filter((l) => l.kind === "assistant").map((l) => l.text)).toEqual([
      "first line",
      "second line",
      "third line",
    ]);
  });

  it("a bash tool call shows as ▶ bash, then ✓ with the command's output lines", async () => {
    model.on("list via tool", bashThenReply("echo alpha-out; echo beta-out", "Listed."));
    const { lines, request: req } = request("list via tool");
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    expect(lines).toContainEqual({ kind: "tool", text: "▶ bash: echo alpha-out; echo beta-out" });
    const results = lines.filter((l) => l.kind === "tool_result").map((l) => l.text);
    expect(results[0]).toMatch(/^✓ bash \(\d+ lines\): alpha-out/);
    expect(results).toContain("  alpha-out");
    expect(results).toContain("  beta-out");
    expect(result.finalText).toBe("Listed.");
    expect(result.tokens).toBe(30); // two assistant messages of 15 tokens each
  });

  it("a second prompt in the same session carries the first exchange to the model", async () => {
    model.on("remember the word pelican", reply("Noted: pelican."));
    model.on("which bird did I say", reply("You said pelican."));
    const first = request("remember the word pelican");
    const firstResult = await runner.start(first.request).done;
    expect(firstResult.outcome).toBe("success");
    const second = request("which bird did I say", {
      sessionDir: first.request.sessionDir,
      ompSessionId: firstResult.ompSessionId,
    });
    const secondResult = await runner.start(second.request).done;
    expect(secondResult.outcome).toBe("success");
    expect(secondResult.ompSessionId).toBe(firstResult.ompSessionId);
    const [followUp] = model.requestsMatching("which bird did I say");
    const text = requestText(followUp!);
    expect(text).toContain("remember the word pelican");
    expect(text).toContain("Noted: pelican.");
  });

  it("cancel during a `sleep` tool ends the run on SIGTERM as cancelled and leaves no sleep process", async () => {
    // This test is about the process omp starts (in its own session) for a tool command.
    const killGraceMs = 30_000;
    const patient = createOmpRunner({
      bin: OMP_BIN,
      model: FAKE_MODEL_ID,
      runTimeoutMs: RUN_TIMEOUT_MS,
      killGraceMs,
      maxRetries: 0,
      env: home.env,
      overlayPath: join(scratch, "overlay-patient.yml"),
    });
    model.on("sleep for a long time", bashThenReply(`${SLEEP} ${taggedSeconds(317)}`, "never"));
    const { lines, request: req } = request("sleep for a long time");
    const run = patient.start(req);
    // The tool runs, and the runner has seen omp say so (the process may show up first).
    const toolShown = () => lines.some((l) => l.text === `▶ bash: ${SLEEP} ${taggedSeconds(317)}`);
    expect(
      await until(() => processesMatching(`sleep ${taggedSeconds(317)}`).length > 0 && toolShown()),
      "the tool runs",
    ).toBe(true);
    await run.cancel();
    const result = await run.done;
    // omp honours SIGTERM: it ends long before a grace period that is there for a stuck omp.
    expect(result.signal).not.toBe("SIGKILL");
    expect(result.outcome).toBe("cancelled");
    expect(processesMatching(`sleep ${taggedSeconds(317)}`)).toEqual([]);
  });

  it("a job a tool leaves running, ignoring SIGTERM, is ended when the run ends, and the transcript says so", async () => {
    // The shape from the field: a tool backgrounds a job just before the agent answers and omp exits.
    const job = `sh -c 'trap "" TERM; exec ${SLEEP} ${taggedSeconds(331)}' > /dev/null 2>&1 &`;
    model.on("leave a job running", bashThenReply(job, "Started it."));
    const { lines, request: req } = request("leave a job running");
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe("Started it.");
    expect(processesMatching(`${SLEEP} ${taggedSeconds(331)}`)).toEqual([]);
    expect(lines.some((l) => l.kind === "info" && /ompcord ended .*sleep \(pid \d+/.test(l.text))).toBe(true);
    expect(readFileSync(req.transcriptPath, "utf8")).toMatch(/left \d+ process(es)? running; ompcord ended/);
  });

  it("omp's process broker (hub `start`) is off in bot runs: nothing is launched outside the run", async () => {
    // The broker is shared per project by every omp on the machine and built to outlive them.
    model.on(
      "start a dev server",
      toolThenReply(
        "hub",
        { op: "start", name: "web", application: SLEEP, args: [taggedSeconds(333)] },
        "Tried.",
      ),
    );
    const { lines, request: req } = request("start a dev server");
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    expect(lines.map((l) => l.text).join("\n")).toContain("Process supervision is disabled");
    expect(processesMatching(`${SLEEP} ${taggedSeconds(333)}`)).toEqual([]);
    expect(result.leftovers).toEqual([]);
  });

  it("a provider that keeps answering 500 ends as failed with the provider error, not at the time limit", async () => {
    model.on("provider breaks", httpError(500, "upstream exploded"));
    const { lines, request: req } = request("provider breaks");
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("failed");
    expect(result.error).toMatch(/upstream exploded/);
    expect(lines.some((l) => l.kind === "retry")).toBe(true);
    expect(lines.some((l) => l.kind === "error" && l.text.includes("upstream exploded"))).toBe(true);
  });

  it("a secret printed by a tool is redacted in the lines, the final text and the transcript", async () => {
    const key = "sk-proj-FAKEkeyFAKEkeyFAKEkey0123456789"; // fake, shaped like an OpenAI project key
    model.on("print the key", bashThenReply(`echo OPENAI_API_KEY=${key}`, `The key is ${key}`));
    const { lines, request: req } = request("print the key");
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    const all = lines.map((l) => l.text).join("\n");
    expect(all).toContain("OPENAI_API_KEY=[REDACTED]");
    expect(all).not.toContain(key);
    expect(result.finalText).not.toContain(key);
    const transcript = readFileSync(req.transcriptPath, "utf8");
    expect(transcript).toContain("[REDACTED]");
    expect(transcript).not.toContain(key);
  });

  it("omp's own --max-time expiring during a tool (exit 0) ends as timed_out", async () => {
    const limited = createOmpRunner({
      bin: OMP_BIN,
      model: FAKE_MODEL_ID,
      // omp counts its --max-time from a point in its start-up; the limit leaves a loaded machine
      // (and the other tests of this file, which run alongside) time to get from there to the tool, so
      // omp's deadline finds the tool running. The wait overlaps the other tests.
      runTimeoutMs: 30_000,
      // The runner's own limit stays out of the way: this is about omp's.
      timeoutSlackMs: 10 * 60_000,
      maxRetries: 0,
      env: home.env,
      overlayPath: join(scratch, "overlay-limited.yml"),
    });
    model.on("outlast the limit", bashThenReply(`${SLEEP} ${taggedSeconds(319)}`, "never"));
    const { lines, request: req } = request("outlast the limit");
    const result = await limited.start(req).done;
    expect(lines).toContainEqual({ kind: "tool", text: `▶ bash: ${SLEEP} ${taggedSeconds(319)}` });
    expect(result.exitCode).toBe(0);
    expect(result.outcome).toBe("timed_out");
    expect(result.error).toMatch(/time limit while a tool was running/);
    expect(processesMatching(`sleep ${taggedSeconds(319)}`)).toEqual([]);
  });

  it("a limit shorter than omp's start-up ends as timed_out, whichever deadline fires first", async () => {
    // The runner's limit fires 1 s after the spawn, omp's 1 s after a point in its start-up: on an idle
    // machine the runner's comes first (SIGTERM), on a loaded one either may.
    const hasty = createOmpRunner({
      bin: OMP_BIN,
      model: FAKE_MODEL_ID,
      runTimeoutMs: 1000,
      timeoutSlackMs: 0,
      maxRetries: 0,
      env: home.env,
      overlayPath: join(scratch, "overlay-hasty.yml"),
    });
    model.on("no time at all", bashThenReply(`${SLEEP} ${taggedSeconds(323)}`, "never"));
    const { request: req } = request("no time at all");
    const run = hasty.start(req);
    const result = await run.done;
    expect(result.outcome).toBe("timed_out");
    expect(result.error).toMatch(/time limit/);
    expect(run.pid !== undefined && isAlive(run.pid)).toBe(false);
    expect(processesMatching(`sleep ${taggedSeconds(323)}`)).toEqual([]);
  });

  it("the child sees the session variables but not the Discord token or the parent's API token", async () => {
    model.on("show my env", bashThenReply("env | sort", "ok"));
    const { lines, request: req } = request("show my env", { sessionId: "env-check-session" });
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    const output = lines.map((l) => l.text).join("\n");
    expect(output).toContain("OMPCORD_SESSION_ID=env-check-session");
    expect(output).not.toContain("DISCORD_BOT_TOKEN");
    expect(output).not.toContain("OMPCORD_API_TOKEN=parent");
  });
});

describe.concurrent("user text reaches the model as words, never as omp input", () => {
  it("`@path` mentions do not attach the file, and magic keywords add no hidden notice", async () => {
    const canary = join(home.workDir, "canary.txt");
    writeFileSync(canary, "CANARY-CONTENTS-7f3a\n");
    const prompt = `explain @/etc/hostname and @${canary} and @canary.txt, ultrathink`;
    const { request: req } = request(prompt);
    const result = await runner.start(req).done;
    expect(result.outcome).toBe("success");
    const sent = model.requestsMatching("explain");
    expect(sent.length).toBeGreaterThan(0);
    const body = JSON.stringify(sent.at(-1));
    expect(body).not.toContain("CANARY-CONTENTS-7f3a");
    expect(body).not.toContain('<file path="/etc/hostname"');
    expect(body).not.toContain("Multi-step reasoning");
    // The words still arrive: the model can read what the user wrote.
    expect(requestText(sent.at(-1)!).replaceAll("\u200d", "")).toContain(prompt);
  });
});
