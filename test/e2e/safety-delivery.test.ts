// Nothing the bot owes a thread is lost to a Discord outage (issue 13 §4, issue 7): a run's answer that
// meets 5xx answers is retried until it lands, a permanent refusal ends with a fallback that says where
// the transcript is, an upload refused again and again becomes the note without its files, a message
// nobody can deliver shows in `/omp status`, and a restart resumes what was still owed, in order.

import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerText, type BotHarness, startBotHarness } from "../support/bot-harness.js";
import type { BotProcess } from "../support/bot-process.js";
import { bashThenReply } from "../support/fake-model/index.js";

/**
 * The route of every message the bot posts in a thread (answers, notes, replies). Each fault is also
 * scoped to the run's own thread: a message still owed to an earlier test's thread, or a report in the
 * home channel, must not take a failure meant for this run (it did once, on a loaded CI machine).
 */
const MESSAGE_CREATE = "POST /channels/:channel_id/messages";

/**
 * A run that holds its answer until the test says so: omp's bash tool waits for a file. The faults are
 * injected after the dashboard went up and before the answer is posted, whatever the machine's speed.
 * The gates live in the channel's project directory: runs are sandboxed, and a gate in the host's /tmp
 * would never open for them.
 */
class AnswerGate {
  readonly #dir: string;
  #count = 0;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.#dir = dir;
  }

  /** A model script that waits for gate `name`, then answers `text`. */
  script(name: string, text: string) {
    const file = join(this.#dir, name);
    return bashThenReply(`while [ ! -e '${file}' ]; do sleep 0.1; done; echo released`, text);
  }

  open(name: string): void {
    writeFileSync(join(this.#dir, name), "");
  }

  next(): string {
    this.#count++;
    return `gate-${this.#count}`;
  }

  cleanup(): void {
    if (existsSync(this.#dir)) rmSync(this.#dir, { recursive: true, force: true });
  }
}

function promptStatus(h: BotHarness, text: string): string | undefined {
  const row = h.app!.store.sqlite.prepare("select status from prompts where text = ?").get(text) as
    | { status: string }
    | undefined;
  return row?.status;
}

function transcriptOf(h: BotHarness, threadId: string): string {
  const session = h.app!.ctx.sessions.byThread(threadId)!;
  return h.app!.store.latestRun(session.id)!.transcriptPath!;
}

describe("delivery of what the bot owes a thread, through Discord's faults", () => {
  let h: BotHarness;
  let gate: AnswerGate;

  beforeAll(async () => {
    h = await startBotHarness({ channelProject: true });
    gate = new AnswerGate(join(h.home.workDir, "gates"));
  });
  afterEach(() => {
    h.emu.faults.clear();
  });
  afterAll(async () => {
    await h?.close();
    gate?.cleanup();
  });

  /** Launches a run whose answer waits at a gate; resolves once its dashboard is up and the run busy. */
  async function launchHeld(answer: string) {
    const name = gate.next();
    const prompt = `hold the answer at ${name}`;
    h.model.on(prompt, gate.script(name, answer));
    const launched = await h.launch(prompt);
    await h.waitForDashboard(launched.thread.id, (d) => d.state === "busy");
    return { ...launched, prompt, release: () => gate.open(name) };
  }

  it("an answer that meets eight 503s arrives later, the prompt is done, and the dashboard said it was waiting", async () => {
    const run = await launchHeld("The answer survived the outage.");
    // discord.js tries each send four times: eight 503s are two whole attempts.
    h.emu.faults.failNextRequests(8, { status: 503, route: MESSAGE_CREATE, channelId: run.thread.id });
    run.release();

    const answer = await h.emu.waitForMessage(
      (m) => m.channelId === run.thread.id && m.content.includes("The answer survived the outage."),
      { timeoutMs: 60_000 },
    );
    expect(answer.author.bot).toBe(true);
    expect(h.emu.counters.injectedFailures).toBe(8);
    expect(promptStatus(h, run.prompt)).toBe("done");
    const done = await h.waitForDashboard(run.thread.id, (d) => d.state === "idle" && !d.text.includes("📨"));
    const history = done.message.history.map((version) => JSON.stringify(version.embeds));
    expect(history.some((embeds) => embeds.includes("📨 answer waiting to be delivered (retrying)"))).toBe(
      true,
    );
    expect(h.logText()).not.toContain("gave up");
  }, 120_000);

  it("a permanent 400 on the answer ends with a note saying where the transcript is on the host", async () => {
    const run = await launchHeld("An answer Discord refuses.");
    h.emu.faults.failNextRequests(1, {
      status: 400,
      code: 50035,
      route: MESSAGE_CREATE,
      channelId: run.thread.id,
    });
    run.release();

    const note = await h.emu.waitForMessage(
      (m) => m.channelId === run.thread.id && m.author.bot && m.content.includes("could not be posted"),
      { timeoutMs: 60_000 },
    );
    expect(note.content).toContain(transcriptOf(h, run.thread.id));
    expect(note.content).toContain("400");
    expect(note.mentionIds).toEqual([]);
    expect(h.botPosts(run.thread.id).some((m) => m.content.includes("An answer Discord refuses."))).toBe(
      false,
    );
    expect(promptStatus(h, run.prompt)).toBe("done");
  }, 120_000);

  it("an upload refused with 500 again and again ends as the note without its files, naming the transcript's path", async () => {
    // Sixty lines do not fit the dashboard's tail: the closing note attaches the transcript.
    const lines = Array.from({ length: 60 }, (_, i) => `step ${i + 1}`).join("\n");
    const run = await launchHeld(`${lines}\nall steps done`);
    h.emu.faults.failNextRequests(1000, { status: 500, uploadsOnly: true, channelId: run.thread.id });
    run.release();

    const note = await h.emu.waitForMessage(
      (m) => m.channelId === run.thread.id && m.author.bot && m.content.includes("could not be attached"),
      { timeoutMs: 90_000 },
    );
    expect(note.attachments).toEqual([]);
    expect(note.content).toContain(transcriptOf(h, run.thread.id));
    expect(h.emu.counters.injectedFailures).toBeGreaterThan(0);
    const posts = h.botPosts(run.thread.id);
    expect(posts.some((m) => m.content.includes("all steps done"))).toBe(true);
    expect(posts.filter((m) => m.attachments.length > 0)).toEqual([]);
    expect(h.logText()).not.toContain("gave up");
  }, 150_000);

  it("a message refused with 403 twice (original and fallback) is undeliverable and shows in /omp status", async () => {
    const run = await launchHeld("Nobody may read this.");
    h.emu.faults.failNextRequests(2, {
      status: 403,
      code: 50001,
      route: MESSAGE_CREATE,
      channelId: run.thread.id,
    });
    run.release();

    const session = h.app!.ctx.sessions.byThread(run.thread.id)!;
    await h.emu.waitFor(
      () =>
        h
          .app!.store.sqlite.prepare("select 1 from outbox where session_id = ? and status = 'undeliverable'")
          .get(session.id),
      { timeoutMs: 60_000, what: "an undeliverable outbox row" },
    );
    const status = await h.command(h.alice, h.world.channelId, "status");
    const text = answerText(status);
    expect(text).toMatch(/undelivered/i);
    expect(text).toContain(`<#${run.thread.id}>`);
    expect(text).toContain("403");
  }, 120_000);
});

describe("delivery across a restart", () => {
  let h: BotHarness;
  let bot: BotProcess | undefined;
  let gate: AnswerGate;

  beforeAll(async () => {
    h = await startBotHarness({ channelProject: true });
    gate = new AnswerGate(join(h.home.workDir, "gates"));
    // This test needs the bot as a process it can kill -9.
    await h.app?.stop({ graceMs: 0 });
    h.app = undefined;
  });
  afterAll(async () => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill("SIGKILL");
      await bot.exited;
    }
    await h?.close();
    gate?.cleanup();
  });

  it("answers still owed when the bot is killed are delivered after the restart, in order", async () => {
    const first = gate.next();
    const second = gate.next();
    h.model.on("first question", gate.script(first, "First answer, owed across a restart."));
    h.model.on("second question", gate.script(second, "Second answer, owed across a restart."));
    bot = await h.spawnBot();
    const { thread } = await h.launch("first question");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    const queued = await h.command(h.alice, thread.id, "say", { prompt: "second question" });
    expect(answerText(queued)).toMatch(/Queued/);

    // Discord answers 503 to every message the bot posts, for as long as this test wants.
    h.emu.faults.failNextRequests(100_000, { status: 503, route: MESSAGE_CREATE, channelId: thread.id });
    gate.open(first);
    gate.open(second);
    // Both runs ended; the dashboard tells the person both answers wait for Discord.
    await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.text.includes("Run: #2") && d.text.includes("2 messages in all"),
      90_000,
    );
    expect(h.botPosts(thread.id).some((m) => m.content.includes("owed across a restart"))).toBe(false);

    bot.child.kill("SIGKILL");
    await bot.exited;
    h.emu.faults.clear();
    bot = await h.spawnBot();

    const second_ = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("Second answer, owed across a restart."),
      { timeoutMs: 60_000 },
    );
    const posts = h.botPosts(thread.id);
    const index = (text: string) => posts.findIndex((m: MessageView) => m.content.includes(text));
    expect(index("First answer, owed across a restart.")).toBeGreaterThanOrEqual(0);
    expect(index("First answer, owed across a restart.")).toBeLessThan(index(second_.content));
    // Each answer once: the restart resumed, it did not repeat.
    expect(posts.filter((m) => m.content.includes("owed across a restart"))).toHaveLength(2);
  }, 240_000);
});
