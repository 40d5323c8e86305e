// The runner against a fake omp that misbehaves on demand: SIGTERM ignored, detached grandchildren,
// garbage bytes, tens of megabytes of output, hangs, early exits.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOmpRunner,
  isAlive,
  killProcessTree,
  type OmpEvent,
  type OutputLine,
} from "../../src/omp/index.js";

const FAKE_OMP = resolve(import.meta.dirname, "../support/fake-omp/fake-omp.mjs");

let scratch: string;
let counter = 0;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "ompcord-fake-omp-"));
});
afterAll(() => {
  // Leave nothing running even when a test failed half-way.
  for (const dir of readdirSync(scratch)) {
    if (!dir.startsWith("pids-")) continue;
    for (const pid of readdirSync(join(scratch, dir))) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

function setup(
  prompt: string,
  options: { runTimeoutMs?: number; killGraceMs?: number; outputKeptBytes?: number } = {},
) {
  const n = ++counter;
  const pidDir = join(scratch, `pids-${n}`);
  mkdirSync(pidDir);
  const runner = createOmpRunner({
    bin: FAKE_OMP,
    // Far beyond any run here (50 MB of output takes a while on a loaded machine) unless a test sets one.
    runTimeoutMs: options.runTimeoutMs ?? 120_000,
    killGraceMs: options.killGraceMs ?? 500,
    outputKeptBytes: options.outputKeptBytes,
    timeoutSlackMs: 200,
    env: { ...process.env, FAKE_OMP_PID_DIR: pidDir },
    envPassthrough: ["FAKE_OMP_PID_DIR"],
    overlayPath: join(scratch, "overlay.yml"),
  });
  const lines: OutputLine[] = [];
  const events: OmpEvent[] = [];
  const transcriptPath = join(scratch, `transcript-${n}.txt`);
  const run = runner.start({
    prompt,
    cwd: scratch,
    sessionDir: join(scratch, `session-${n}`),
    sessionId: `s-${n}`,
    transcriptPath,
    onLine: (line) => lines.push(line),
    onEvent: (event) => events.push(event),
  });
  const startedPids = () => readdirSync(pidDir).map(Number);
  return { run, lines, events, transcriptPath, startedPids };
}

/** Longer than a loaded machine takes to end a process that honours SIGTERM (a grace is 3 of these). */
const LOADED_MACHINE_MS = 20_000;

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("cancel and kill", () => {
  it("SIGTERM ignored: after the grace period omp and its detached grandchildren get SIGKILL", async () => {
    const killGraceMs = 400;
    const { run, startedPids, events } = setup("ignore-sigterm spawn-children", { killGraceMs });
    // omp itself plus two sleeps in their own sessions
    await waitFor(() => startedPids().length === 3 && events.some((e) => e.type === "tool_execution_start"));
    const pids = startedPids();
    expect(pids.every((pid) => isAlive(pid))).toBe(true);
    const started = Date.now();
    await run.cancel();
    const elapsed = Date.now() - started;
    const result = await run.done;
    expect(result.outcome).toBe("cancelled");
    expect(result.signal).toBe("SIGKILL");
    expect(elapsed).toBeGreaterThanOrEqual(killGraceMs); // it waited for the grace period
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
  });

  it("SIGTERM honoured: omp ends at once, and its detached grandchildren are killed anyway", async () => {
    // A grace period far longer than a loaded machine needs to end a process that honours SIGTERM.
    const killGraceMs = 3 * LOADED_MACHINE_MS;
    const { run, startedPids } = setup("spawn-children", { killGraceMs });
    await waitFor(() => startedPids().length === 3);
    const pids = startedPids();
    await run.cancel();
    const result = await run.done;
    expect(result.outcome).toBe("cancelled");
    // Ended by the SIGTERM itself: with a grace this long, waiting it out would have meant a SIGKILL.
    expect(result.signal).toBe("SIGTERM");
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
  });

  it("killProcessTree ends a process tree that is not a run (a leftover after restart)", async () => {
    const { run, startedPids } = setup("ignore-sigterm spawn-children");
    await waitFor(() => startedPids().length === 3);
    const pids = startedPids();
    const root = run.pid!;
    const result = await killProcessTree(root, 300);
    expect(result.terminatedGracefully).toBe(false);
    expect(result.killed).toContain(root);
    await run.done;
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
  });
});

describe("bad output", () => {
  it("invalid UTF-8, ANSI, control characters and a 2 MB line are shown cleaned, and the run goes on", async () => {
    const { run, lines, transcriptPath } = setup("garbage");
    const result = await run.done;
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe("survived the garbage");
    const texts = lines.map((l) => l.text);
    expect(texts).toContain("red cleared bell");
    expect(texts.some((t) => t.includes("\uFFFD"))).toBe(true);
    expect(texts.some((t) => t.includes("\u001b") || t.includes("\u0007") || t.includes("\u0000"))).toBe(
      false,
    );
    const long = texts.find((t) => t.startsWith("AAAA"));
    expect(long).toBeDefined();
    expect(long!.length).toBeLessThanOrEqual(1024 * 1024 + 20); // cut at the 1 MiB line cap
    expect(long!.endsWith("[line cut]")).toBe(true);
    expect(result.outputBytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(readFileSync(transcriptPath, "utf8")).toContain("survived the garbage");
  });

  it("a GitHub token across the 16 KiB cut of a newline-less answer is masked in both pieces and the transcript", async () => {
    // FAKE token, built at run time: the shape of a classic GitHub token, issued by nobody.
    const token = `ghp_${"FAKE0fake1FAKE2fake3".repeat(2).slice(0, 36)}`;
    // 16 KiB is where the line renderer cuts; the token starts 20 characters before it.
    const { run, lines, transcriptPath } = setup(`at-offset ${16 * 1024 - 20} ${token}`);
    const result = await run.done;
    expect(result.outcome).toBe("success");
    const shown = lines.map((l) => l.text).join("\n");
    const transcript = readFileSync(transcriptPath, "utf8");
    expect(shown).toContain("[REDACTED]");
    for (const [where, text] of [
      ["lines", shown],
      ["transcript", transcript],
      ["final answer", result.finalText],
    ] as const) {
      // Neither half of the token, nor the whole, anywhere.
      expect(text, where).not.toContain(token.slice(0, 20));
      expect(text, where).not.toContain(token.slice(20));
    }
    // Nothing else is lost: all the filler before and the tail after arrive.
    expect(shown.split("f").length - 1).toBe(16 * 1024 - 21);
    expect(shown).toContain(" tail tail");
  });

  it("a final answer cut at outputKeptBytes masks a token the cut goes through", async () => {
    const token = `ghp_${"FAKE0fake1FAKE2fake3".repeat(2).slice(0, 36)}`; // FAKE
    const { run } = setup(`at-offset ${16 * 1024 - 20} ${token}`, { outputKeptBytes: 16 * 1024 });
    const result = await run.done;
    expect(result.finalText.endsWith("[REDACTED]")).toBe(true);
    expect(result.finalText).not.toContain(token.slice(0, 20));
  });

  it("50 MB of output streams through with bounded memory and every line in the transcript", async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const { run, transcriptPath } = setup("bytes 50MB");
    const result = await run.done;
    clearInterval(sampler);
    expect(result.outcome).toBe("success");
    expect(result.outputBytes).toBeGreaterThan(50 * 1024 * 1024);
    // Each fake line is "<n> xxx…": the transcript holds every one of them, in order.
    const transcriptLines = result.lineCount;
    const size = statSync(transcriptPath).size;
    expect(size).toBeGreaterThan(20 * 1024 * 1024); // readable lines are shorter than the JSON events
    const tail = readFileSync(transcriptPath, "utf8").trimEnd().split("\n");
    expect(tail.length).toBe(transcriptLines);
    const numbers = tail.map((line) => Number(line.split(" ")[0]));
    expect(numbers.every((value, index) => value === index + 1)).toBe(true);
    expect((peak - before) / 1024 / 1024).toBeLessThan(200);
  });
});

describe("ends of a run", () => {
  it("a hanging omp hits the time limit and ends as timed_out", async () => {
    const runTimeoutMs = 800;
    const { run, lines } = setup("hang", { runTimeoutMs, killGraceMs: 300 });
    const started = Date.now();
    const result = await run.done;
    expect(result.outcome).toBe("timed_out");
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(runTimeoutMs);
    expect(result.error).toMatch(/time limit/);
    expect(lines.at(-1)?.kind).toBe("error");
  });

  it("an omp that exits at once with code 3 ends as crashed with its stderr in the error", async () => {
    const { run } = setup("exit-now 3");
    const result = await run.done;
    expect(result.outcome).toBe("crashed");
    expect(result.exitCode).toBe(3);
    expect(result.error).toContain("fake-omp: exit-now");
  });

  it("an omp that exits 1 before any event ends as failed", async () => {
    const { run } = setup("exit-now 1");
    const result = await run.done;
    expect(result.outcome).toBe("failed");
    expect(result.error).toMatch(/exited with code 1: fake-omp: exit-now/);
  });

  it("a missing omp binary ends as crashed with a message naming the binary", async () => {
    const runner = createOmpRunner({
      bin: join(scratch, "no-such-omp"),
      runTimeoutMs: 5000,
      overlayPath: join(scratch, "overlay.yml"),
    });
    const result = await runner.start({
      prompt: "hi",
      cwd: scratch,
      sessionDir: join(scratch, "missing"),
      sessionId: "s",
      transcriptPath: join(scratch, "missing.txt"),
    }).done;
    expect(result.outcome).toBe("crashed");
    expect(result.error).toContain("no-such-omp");
  });

  it("argv holds only the bot's flags; the prompt, short or 150 KB, arrives on stdin", async () => {
    const short = setup("args --help");
    const args = JSON.parse((await short.run.done).finalText) as string[];
    expect(args).toContain("--max-time");
    expect(args).not.toContain("--");
    expect(args).not.toContain("--help");
    expect(args.at(-1)).toBe("--continue");

    const long = setup(`args ${"word ".repeat(30_000)}`);
    const longArgs = JSON.parse((await long.run.done).finalText) as string[];
    // The same flags (only the session's own paths differ), and none of the text.
    expect(longArgs).toHaveLength(args.length);
    expect(longArgs.join(" ")).not.toContain("word");
  });
});

describe("processes a run leaves behind", () => {
  /** What the run's transcript and lines say about processes ompcord had to end. */
  const killNotice = /left \d+ process(es)? running; ompcord ended/;

  it.each([["plain"], ["setsid"], ["double-fork"]])(
    "a %s job ignoring SIGTERM, started just before omp exits, is ended with the run, and the transcript says so",
    async (style) => {
      const { run, startedPids, lines, transcriptPath } = setup(
        `leave-behind${style === "plain" ? "" : ` ${style}`}`,
      );
      const result = await run.done;
      expect(result.outcome).toBe("success");
      const pids = startedPids();
      expect(pids.length).toBeGreaterThanOrEqual(2); // fake omp and its job
      expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
      const notice = lines.find((line) => killNotice.test(line.text));
      expect(notice?.kind).toBe("info");
      expect(notice?.text).toContain("sleep (pid");
      expect(readFileSync(transcriptPath, "utf8")).toMatch(killNotice);
      expect(result.leftovers.map((p) => p.name)).toContain("sleep");
      expect(result.leftovers.find((p) => p.name === "sleep")?.signal).toBe("SIGKILL");
    },
  );

  it("cancel ends a job ignoring SIGTERM that omp started earlier", async () => {
    const { run, startedPids, lines } = setup("leave-behind double-fork hang", { killGraceMs: 300 });
    await waitFor(() => startedPids().length === 2);
    await run.cancel();
    const result = await run.done;
    expect(result.outcome).toBe("cancelled");
    expect(startedPids().filter((pid) => isAlive(pid))).toEqual([]);
    expect(lines.some((line) => killNotice.test(line.text))).toBe(true);
  });

  it("cancel ends a job omp starts while it handles SIGTERM, after every snapshot", async () => {
    const { run, startedPids, events } = setup("leave-behind-on-term", { killGraceMs: 300 });
    await waitFor(() => events.some((event) => event.type === "session"));
    await run.cancel();
    const result = await run.done;
    expect(result.outcome).toBe("cancelled");
    const pids = startedPids();
    expect(pids.length).toBeGreaterThanOrEqual(2); // fake omp and the job it started on SIGTERM
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
  });
});
