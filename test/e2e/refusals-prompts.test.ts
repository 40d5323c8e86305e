// What may be asked (SPEC §6 limits and Discord input): empty and over-long prompts, `/omp say` outside
// a session or in a stopped one, a full queue. Each gets a clear private answer and changes nothing:
// no thread, no session row, no prompt, no run, no model request.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  LAUNCH_EMOJI,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { heldReply, reply } from "../support/fake-model/index.js";
import {
  expectPrivateRefusal,
  expectUnchanged as expectWorldUnchanged,
  type World,
  worldOf,
} from "../support/refusals.js";

const PROMPT_MAX_CHARS = 200;
const QUEUE_DEPTH_MAX = 2;

describe("refusals: what may be asked", () => {
  let h: BotHarness;

  const snapshot = () => worldOf(h);
  const expectUnchanged = (before: World) => expectWorldUnchanged(h, before);

  /** Launches `prompt` and waits until its run has answered `answer` (the session is idle again). */
  const launchAndSettle = async (prompt: string, answer: string) => {
    h.model.on(prompt, reply(answer));
    const { thread } = await h.launch(prompt);
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes(answer), {
      timeoutMs: RUN_WAIT_MS,
    });
    await h.waitForDashboard(thread.id, (d) => d.state === "idle");
    return thread.id;
  };

  beforeAll(async () => {
    h = await startBotHarness({
      env: {
        OMPCORD_PROMPT_MAX_CHARS: String(PROMPT_MAX_CHARS),
        OMPCORD_QUEUE_DEPTH_MAX: String(QUEUE_DEPTH_MAX),
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("/omp new with a whitespace-only prompt is refused as empty and starts nothing", async () => {
    const before = snapshot();
    const view = await h.command(h.alice, h.world.channelId, "new", { prompt: "  \n\t  " });
    expectPrivateRefusal(view, /The prompt is empty/);
    expectUnchanged(before);
  });

  it("/omp new with only invisible characters (zero-width spaces, NUL) is refused as empty and starts nothing", async () => {
    const before = snapshot();
    const view = await h.command(h.alice, h.world.channelId, "new", { prompt: "\u200b \u200b\u0000\u2060" });
    expectPrivateRefusal(view, /The prompt is empty/);
    expectUnchanged(before);
  });

  it("🚀 on a message of only zero-width spaces gets a notice and launches nothing", async () => {
    const before = snapshot();
    const message = h.emu.as(h.alice).postMessage(h.world.channelId, "\u200b\u200b");
    h.emu.as(h.alice).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const notice = await h.emu.waitForMessage((m) => m.author.bot && m.referencedMessageId === message.id, {
      timeoutMs: EVENT_WAIT_MS,
    });
    expect(notice.content).toMatch(/has no text to run/);
    expectUnchanged(before);
  });

  it("/omp new with a prompt over the length limit is refused with both lengths and starts nothing", async () => {
    const before = snapshot();
    const view = await h.command(h.alice, h.world.channelId, "new", {
      prompt: "x".repeat(PROMPT_MAX_CHARS + 1),
    });
    expectPrivateRefusal(view, /The prompt is 201 characters; the limit is 200/);
    expectUnchanged(before);
  });

  it("🚀 on a message over the length limit gets a notice and launches nothing", async () => {
    const before = snapshot();
    const message = h.emu.as(h.alice).postMessage(h.world.channelId, "y".repeat(PROMPT_MAX_CHARS + 50));
    h.emu.as(h.alice).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const notice = await h.emu.waitForMessage((m) => m.author.bot && m.referencedMessageId === message.id, {
      timeoutMs: EVENT_WAIT_MS,
    });
    expect(notice.content).toMatch(/the limit is 200/);
    expectUnchanged(before);
  });

  it("/omp say outside a session thread is refused and queues nothing", async () => {
    const before = snapshot();
    const view = await h.command(h.alice, h.world.channelId, "say", { prompt: "hello?" });
    expectPrivateRefusal(view, /not an ompcord session/);
    expectUnchanged(before);
  });

  it("/omp say with an empty prompt or one over the limit in a session queues nothing", async () => {
    const threadId = await launchAndSettle("a session for bad follow-ups", "Settled.");
    const before = snapshot();
    expectPrivateRefusal(await h.command(h.alice, threadId, "say", { prompt: "   " }), /The prompt is empty/);
    expectPrivateRefusal(
      await h.command(h.alice, threadId, "say", { prompt: "z".repeat(PROMPT_MAX_CHARS + 1) }),
      /the limit is 200/,
    );
    expectUnchanged(before);
  });

  it("/omp say in a stopped session is refused and queues nothing", async () => {
    const threadId = await launchAndSettle("a session to stop", "Stopping soon.");
    const stop = await h.command(h.alice, threadId, "stop");
    expect(answerText(stop)).toMatch(/Session stopped/);
    await h.emu.waitFor(() => h.emu.channel(threadId).archived, { what: "archived thread" });
    const before = snapshot();
    const view = await h.command(h.alice, threadId, "say", { prompt: "one more, please" });
    expectPrivateRefusal(view, /This session was stopped/);
    expectUnchanged(before);
  });

  it("a full queue refuses the next /omp say and plain message, and keeps the queue as it was", async () => {
    // Held, not hung: the run's request has reached the model (an event) before the world is counted,
    // so omp starting in the background cannot change it meanwhile.
    const held = heldReply("Holding the line ");
    h.model.on("hold the line", held.step);
    const { thread } = await h.launch("hold the line");
    await held.reached;
    // Running prompt + one waiting = the depth limit of 2.
    const queued = await h.command(h.alice, thread.id, "say", { prompt: "second in line" });
    expect(answerText(queued)).toMatch(/Queued/);
    const before = snapshot();
    const view = await h.command(h.alice, thread.id, "say", { prompt: "third, one too many" });
    expectPrivateRefusal(view, /queue is full \(2 prompts\)/);
    expectUnchanged(before);
    expect(h.app!.store.listQueuedPrompts(h.app!.ctx.sessions.byThread(thread.id)!.id)).toHaveLength(1);

    // Plain thread messages queue like /omp say, so they meet the same limits; the answer is a reply.
    const plainBefore = snapshot();
    // An invisible message is chatter, not a prompt: no answer, no reaction. It goes first: a reply to
    // it would be sent before the reply to the next one (one REST queue per channel route).
    const invisible = h.emu.as(h.alice).postMessage(thread.id, "\u200b");
    const tooLong = h.emu.as(h.alice).postMessage(thread.id, "w".repeat(PROMPT_MAX_CHARS + 1));
    const overflow = h.emu.as(h.alice).postMessage(thread.id, "a plain message, one too many");
    const replyTo = (id: string) =>
      h.emu.waitForMessage((m) => m.author.bot && m.referencedMessageId === id, { timeoutMs: EVENT_WAIT_MS });
    expect((await replyTo(tooLong.id)).content).toMatch(/the limit is 200/);
    expect((await replyTo(overflow.id)).content).toMatch(/queue is full/);
    expect(h.emu.messages(thread.id).filter((m) => m.referencedMessageId === invisible.id)).toEqual([]);
    expect(h.emu.message(invisible.id).reactions).toEqual([]);
    expectUnchanged(plainBefore);
    await h.command(h.alice, thread.id, "stop");
    held.release();
  });
});

describe("refusals: the default prompt limit", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("/omp new with a 200 KB prompt is refused over the default limit and starts nothing", async () => {
    const before = { threads: h.emu.threads().length, counts: h.storeCounts() };
    const prompt = "lorem ipsum ".repeat(Math.ceil((200 * 1024) / 12)).slice(0, 200 * 1024);
    const view = await h.command(h.alice, h.world.channelId, "new", { prompt });
    expect(answerText(view)).toMatch(/The prompt is 204,800 characters; the limit is 32,000/);
    expect(view.original?.ephemeral).toBe(true);
    expect({ threads: h.emu.threads().length, counts: h.storeCounts() }).toEqual(before);
    expect(h.model.requests).toHaveLength(0);
  });
});
