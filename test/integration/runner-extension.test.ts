// Bot runs with the ompcord extension: the runner (real omp, the built bundle) against the real sidecar
// and the fake model. Only ompcord's extension loads; steering reaches the running agent in the same
// run (during a stream, during a tool, as it stops) and counts as delivered only once it arrived; the
// notify tool posts, within its limit; context use reaches the sidecar.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeMentions, stripControlCharacters } from "../../src/format/index.js";
import { EXTENSION_BUNDLE } from "../../src/omp/extension.js";
import {
  createOmpRunner,
  neutralisePrompt,
  type OmpEvent,
  type OmpRun,
  type OmpRunner,
  type RunResult,
} from "../../src/omp/index.js";
import { createRedactor } from "../../src/output/redact.js";
import {
  type AgentNotice,
  buildSidecar,
  type ContextUsageReport,
  NotifyRateLimiter,
  type Sidecar,
  type SteeringDelivered,
} from "../../src/sidecar/index.js";
import {
  bashThenReply,
  type FakeModel,
  heldReply,
  reply,
  startFakeModel,
} from "../support/fake-model/index.js";
import { createMemorySidecarPorts } from "../support/memory-sidecar-ports.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";
import { SLEEP } from "../support/processes.js";

/** Ceiling for waiting on something a run does: omp alone takes over 10 s to start on a busy machine. */
const WAIT_MS = 120_000;

const SESSIONS = ["s-stream", "s-tool", "s-end", "s-notify", "s-context", "s-planted"];

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let sidecar: Sidecar;
let ports: ReturnType<typeof createMemorySidecarPorts>;
let runner: OmpRunner;
const notices: AgentNotice[] = [];
const deliveries: SteeringDelivered[] = [];
const contextReports: ContextUsageReport[] = [];
/**
 * Sessions whose long-polls lease nothing until the extension's check at `session_stop` (a poll that
 * does not wait): a message queued there reaches the sidecar exactly as the agent stops.
 */
const leaseOnlyAtStop = new Set(["s-end"]);
const stopChecked = new Set<string>();

beforeAll(async () => {
  model = await startFakeModel();
  home = createOmpHome(model.baseUrl);
  scratch = mkdtempSync(join(tmpdir(), "ompcord-runner-extension-"));
  ports = createMemorySidecarPorts(SESSIONS);
  const lease = ports.leaseSteering;
  ports.leaseSteering = (sessionId, runId) =>
    leaseOnlyAtStop.has(sessionId) && !stopChecked.has(sessionId) ? [] : lease(sessionId, runId);
  const server = buildSidecar({
    token: "bot-token-for-tests-0123456789",
    port: 0,
    ports,
    redact: createRedactor().redact,
    prepareSteering: neutralisePrompt,
    notify: {
      port: { post: (notice) => void notices.push(notice) },
      mentionSafe: (text) => escapeMentions(stripControlCharacters(text)),
      limiter: new NotifyRateLimiter({ limit: { messages: 2, windowMs: 60 * 60_000 } }),
    },
  });
  server.app.addHook("onRequest", async (request) => {
    const url = new URL(request.url, "http://sidecar");
    if (url.pathname === "/api/commands/poll" && url.searchParams.get("wait_ms") === "0") {
      stopChecked.add(url.searchParams.get("session_id") ?? "");
    }
  });
  sidecar = await server.listen();
  sidecar.steering.onDelivered((delivery) => deliveries.push(delivery));
  sidecar.telemetry.onContextUsage((report) => contextReports.push(report));
  runner = createOmpRunner({
    bin: OMP_BIN,
    model: FAKE_MODEL_ID,
    runTimeoutMs: 180_000,
    maxRetries: 0,
    env: home.env,
    apiUrl: sidecar.url,
    credentials: sidecar.runs,
    extensionPath: EXTENSION_BUNDLE,
    overlayPath: join(scratch, "overlay.yml"),
  });
});

afterAll(async () => {
  await sidecar?.close();
  await model?.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function start(sessionId: string, prompt: string, cwd = home.workDir) {
  const events: OmpEvent[] = [];
  const run = runner.start({
    prompt,
    cwd,
    sessionDir: join(scratch, `sessions-${sessionId}`),
    sessionId,
    runId: `run-${sessionId}`,
    transcriptPath: join(scratch, `${sessionId}.log`),
    onEvent: (event) => events.push(event),
  });
  return { run, events };
}

/**
 * Waits for a condition nothing announces (a lease taken, a poll held) without a fixed sleep; when the
 * run ends first, fails at once with how it ended.
 */
async function until(check: () => boolean, what: string, run: OmpRun): Promise<void> {
  let ended: RunResult | undefined;
  void run.done.then((result) => {
    ended = result;
  });
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (ended)
      throw new Error(`the run ended (${ended.outcome}: ${ended.error ?? ended.finalText}) before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const row = (id: string) => ports.steering.find((message) => message.id === id);
/** The run leased the message and is back to waiting: the extension has handed it to omp. */
const handedOver = (id: string, sessionId: string) =>
  row(id)?.leasedRunId === `run-${sessionId}` && sidecar.steering.waiting(sessionId) === 1;
const steerArrived = (events: OmpEvent[], text: string) =>
  events.some(
    (event) =>
      event.type === "message_start" &&
      event.message.role === "user" &&
      event.message.steering === true &&
      event.message.text.includes(text),
  );

describe.concurrent("steering a running agent", () => {
  it("a steer during a slow stream reaches the model in the same run, delivered only once it arrived", async () => {
    const held = heldReply("Let me think about this carefully. ", "Here is the long answer.");
    model.on("write a long essay", held.step);
    model.on("STEER-STREAM-5150", reply("Kept it short, as asked."));
    const { run, events } = start("s-stream", "write a long essay");
    await held.reached;
    const message = sidecar.steering.queue({
      sessionId: "s-stream",
      authorId: "u",
      text: "STEER-STREAM-5150: keep it short",
    });
    await until(() => handedOver(message.id, "s-stream"), "the run took the message", run);
    // Handed to omp is not delivered: the agent cannot take it while the answer streams.
    expect(row(message.id)?.deliveredAt).toBeNull();
    held.release();

    const result = await run.done;
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe("Kept it short, as asked.");
    expect(model.requestsMatching("STEER-STREAM-5150")).toHaveLength(1);
    expect(steerArrived(events, "STEER-STREAM-5150")).toBe(true);
    expect(row(message.id)?.deliveredAt).toBeInstanceOf(Date);
    expect(deliveries.filter((d) => d.message.id === message.id).map((d) => d.via)).toEqual(["ack"]);
  });

  it("a steer during a running command waits for it: the command finishes, then the model gets both", async () => {
    const release = join(scratch, "release-the-check");
    model.on(
      "run the slow check",
      bashThenReply(`while [ ! -e ${release} ]; do ${SLEEP} 0.1; done; echo check-finished`, "never"),
    );
    model.on("STEER-TOOL-8080", reply("Took the steer after the check."));
    const { run, events } = start("s-tool", "run the slow check");
    await until(
      () => events.some((event) => event.type === "tool_execution_start" && event.toolName === "bash"),
      "the command runs",
      run,
    );
    const message = sidecar.steering.queue({
      sessionId: "s-tool",
      authorId: "u",
      text: "STEER-TOOL-8080 then stop",
    });
    await until(() => handedOver(message.id, "s-tool"), "the run took the message", run);
    expect(row(message.id)?.deliveredAt).toBeNull();
    writeFileSync(release, "");

    const result = await run.done;
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe("Took the steer after the check.");
    const carrying = model.requestsMatching("STEER-TOOL-8080");
    expect(carrying).toHaveLength(1);
    // The command ran to its end (bash.autoBackground is pinned off): not pushed into the background,
    // where it would die with the run.
    const toolResult = carrying[0]?.messages?.find((message) => message.role === "tool");
    expect(JSON.stringify(toolResult?.content)).toContain("check-finished");
    expect(JSON.stringify(toolResult?.content)).not.toMatch(/Backgrounded/);
    expect(row(message.id)?.deliveredAt).toBeInstanceOf(Date);
  });

  it("a steer that reaches the sidecar as the agent stops is folded into the same run through session_stop", async () => {
    model.on("answer this quickly", reply("Quick answer."));
    model.on("STEER-END-4040", reply("Handled the late message."));
    const message = sidecar.steering.queue({
      sessionId: "s-end",
      authorId: "u",
      text: "STEER-END-4040 one more thing",
    });
    const { run, events } = start("s-end", "answer this quickly");

    const result = await run.done;
    expect(result.outcome).toBe("success");
    expect(stopChecked.has("s-end")).toBe(true);
    expect(result.finalText).toBe("Handled the late message.");
    // omp continued the run (a hidden continuation message), and the steer arrived in it as a steer.
    expect(events.some((event) => event.type === "message_start" && event.message.role === "custom")).toBe(
      true,
    );
    expect(steerArrived(events, "STEER-END-4040")).toBe(true);
    expect(row(message.id)?.deliveredAt).toBeInstanceOf(Date);
  });
});

describe.concurrent("what the extension adds to a run", () => {
  it("discord_notify posts to the run's thread, mention-safe; past the per-run limit the model gets the refusal", async () => {
    model.on("tell the thread about it", [
      { kind: "tool", name: "discord_notify", args: { text: "step 1 done @everyone" } },
      { kind: "tool", name: "discord_notify", args: { text: "step 2 done" } },
      { kind: "tool", name: "discord_notify", args: { text: "step 3 done" } },
      { kind: "text", text: "Told them." },
    ]);
    const { run } = start("s-notify", "tell the thread about it");
    const result = await run.done;
    expect(result.outcome).toBe("success");
    expect(notices.filter((n) => n.sessionId === "s-notify").map((n) => [n.runId, n.text])).toEqual([
      ["run-s-notify", "step 1 done @\u200beveryone"],
      ["run-s-notify", "step 2 done"],
    ]);
    const last = model.requestsMatching("tell the thread about it").at(-1);
    expect(JSON.stringify(last?.messages)).toContain("already posted 2 messages");
  });

  it("context-window use reaches the sidecar, kept for the run", async () => {
    model.on("measure the context", {
      kind: "text",
      text: "Measured.",
      usage: { prompt_tokens: 20_000, completion_tokens: 160 },
    });
    const { run } = start("s-context", "measure the context");
    const result = await run.done;
    expect(result.outcome).toBe("success");
    const last = contextReports.filter((report) => report.sessionId === "s-context").at(-1);
    expect(last?.runId).toBe("run-s-context");
    expect(last?.usage.contextWindow).toBe(32_000);
    // The provider reported 20 000 prompt tokens and 160 more: about 63 % of the 32 000 window.
    expect(Math.round(last?.usage.percent ?? 0)).toBe(63);
    expect(ports.contexts.get("run-s-context")).toEqual({
      tokens: last?.usage.tokens,
      contextWindow: 32_000,
    });
  });

  it("loads only ompcord's extension: ones planted in the workspace and in HOME do not load, ours does", async () => {
    const workDir = join(scratch, "planted-workspace");
    const projectMarker = join(scratch, "planted-project-loaded");
    const homeMarker = join(scratch, "planted-home-loaded");
    // Different names: omp keeps one extension module per name (the workspace's shadows HOME's).
    const plant = (dir: string, name: string, marker: string) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `${name}.ts`),
        [
          'import { writeFileSync } from "node:fs";',
          `writeFileSync(${JSON.stringify(marker)}, "loaded");`,
          "export default function (pi: unknown) {}",
          "",
        ].join("\n"),
      );
    };
    plant(join(workDir, ".omp", "extensions"), "planted-in-workspace", projectMarker);
    plant(join(home.home, ".omp", "agent", "extensions"), "planted-in-home", homeMarker);
    model.on("planted extensions check", reply("Checked."));

    const { run } = start("s-planted", "planted extensions check", workDir);
    const result = await run.done;
    expect(result.outcome).toBe("success");
    expect(existsSync(projectMarker)).toBe(false);
    expect(existsSync(homeMarker)).toBe(false);
    // Ours did load: its tool was offered to the model, and it reported to the sidecar.
    const tools = JSON.stringify(model.requestsMatching("planted extensions check")[0]?.tools);
    expect(tools).toContain("discord_notify");
    expect(ports.events.some((event) => event.sessionId === "s-planted")).toBe(true);

    // The control: the same omp without ompcord's flags loads both, so the check above can fail.
    const control = await execa(
      OMP_BIN,
      ["-p", "--mode", "json", "--model", FAKE_MODEL_ID, "--cwd", workDir],
      {
        cwd: workDir,
        env: home.env,
        extendEnv: false,
        input: "planted extensions check",
        reject: false,
      },
    );
    expect(control.exitCode, control.stderr).toBe(0);
    expect(existsSync(projectMarker)).toBe(true);
    expect(existsSync(homeMarker)).toBe(true);
    rmSync(join(home.home, ".omp", "agent", "extensions"), { recursive: true, force: true });
  });
});
