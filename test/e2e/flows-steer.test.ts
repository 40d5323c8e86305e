// Steering a running agent from Discord, as people do it: `/omp steer` during a streaming reply and
// during a running command, a plain message in steer mode, ⚡ Steer now on a queued follow-up, a steer
// the run ends before taking (it becomes a follow-up, and says so), exactly once across a restart, and
// the refusals. discord.js against the emulator, real omp (with ompcord's extension) against the fake
// model; the bot runs with OMPCORD_PLAIN_MESSAGES=steer.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { buttonsOf, privateAnswer } from "../support/components.js";
import { bashThenReply, contentText, heldReply, reply } from "../support/fake-model/index.js";
import { SLEEP } from "../support/processes.js";

interface SteeringRecord {
  id: string;
  text: string;
  leased_run_id: string | null;
  delivered_at: number | null;
}

function steerNowId(message: MessageView | undefined): string | undefined {
  return message && buttonsOf(message).find((button) => /Steer now/.test(button.label ?? ""))?.custom_id;
}

describe("steering a running agent from Discord", () => {
  let h: BotHarness;

  beforeAll(async () => {
    h = await startBotHarness({ env: { OMPCORD_PLAIN_MESSAGES: "steer" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const sessionOf = (threadId: string) => h.app!.store.getSessionByThread(threadId)!;
  const steeringOf = (sessionId: string) =>
    h
      .app!.store.sqlite.prepare(
        "SELECT id, text, leased_run_id, delivered_at FROM steering WHERE session_id = ? ORDER BY created_at",
      )
      .all(sessionId) as SteeringRecord[];
  const runsOf = (sessionId: string) =>
    (
      h.app!.store.sqlite.prepare("SELECT count(*) AS n FROM runs WHERE session_id = ?").get(sessionId) as {
        n: number;
      }
    ).n;
  /** The interaction's answer as it reads now (replies are edited as the steer goes on). */
  const answerNow = (id: string) => answerText(h.emu.interaction(id));
  const waitForAnswer = (id: string, text: string) =>
    h.emu.waitFor(() => (answerNow(id).includes(text) ? true : undefined), {
      timeoutMs: RUN_WAIT_MS,
      what: `the answer to say "${text}"`,
    });
  const waitForPost = (threadId: string, text: string) =>
    h.emu.waitForMessage((m) => m.channelId === threadId && m.author.bot && m.content.includes(text), {
      timeoutMs: RUN_WAIT_MS,
    });
  /** A bash command that runs until the test creates `gate` in the session's working directory. */
  const gatedCommand = (gate: string) =>
    `while [ ! -e ${gate} ]; do ${SLEEP} 0.1; done; echo command-finished`;
  const openGate = (threadId: string, gate: string) =>
    writeFileSync(join(sessionOf(threadId).workDir, gate), "");
  const waitForCommand = (threadId: string) =>
    h.waitForDashboard(threadId, (d) => d.state === "busy" && d.text.includes("bash"));
  const waitForLease = (sessionId: string, text: string) =>
    h.emu.waitFor(
      () => steeringOf(sessionId).find((row) => row.text.includes(text) && row.leased_run_id !== null),
      { timeoutMs: RUN_WAIT_MS, what: `the run to lease "${text}"` },
    );

  it("/omp steer during a streaming reply reaches the model in the same run; the reply goes from queued to delivered", async () => {
    const held = heldReply("Let me write the bean essay. ", "Here is the long bean essay.");
    h.model.on("write the slow bean essay", held.step);
    h.model.on("STEER-STREAM-5150", reply("Kept it short, as asked."));
    const { thread } = await h.launch("write the slow bean essay");
    await held.reached;
    const session = sessionOf(thread.id);

    const steered = await h.command(h.alice, thread.id, "steer", {
      prompt: "STEER-STREAM-5150: keep it short",
    });
    expect(steered.original?.ephemeral).toBe(false);
    expect(answerText(steered)).toContain("⚡ Steering queued");
    expect(answerText(steered)).toContain("STEER-STREAM-5150: keep it short");
    await waitForLease(session.id, "STEER-STREAM-5150");
    // Handed to the run is not delivered: the agent cannot take it while the reply streams.
    expect(steeringOf(session.id)[0]?.delivered_at).toBeNull();
    expect(answerNow(steered.id)).not.toContain("delivered");
    held.release();

    await waitForAnswer(steered.id, "⚡ Steering delivered");
    await waitForPost(thread.id, "Kept it short, as asked.");
    expect(h.model.requestsMatching("STEER-STREAM-5150")).toHaveLength(1);
    expect(runsOf(session.id)).toBe(1);
    expect(steeringOf(session.id)[0]?.delivered_at).not.toBeNull();
  });

  it("/omp steer during a running command waits for the command, which finishes; refused for a user who is not allowed", async () => {
    const gate = "release-the-check";
    h.model.on("run the slow bean check", bashThenReply(gatedCommand(gate), "never"));
    h.model.on("STEER-TOOL-8080", reply("Took the steer after the check."));
    const { thread } = await h.launch("run the slow bean check");
    await waitForCommand(thread.id);
    const session = sessionOf(thread.id);

    const fromBob = await h.command(h.bob, thread.id, "steer", { prompt: "STEER-BOB-1111 delete it all" });
    expect(fromBob.original?.ephemeral).toBe(true);
    expect(answerText(fromBob)).toMatch(/^🚫/);
    expect(steeringOf(session.id)).toEqual([]);

    // A labelled fake key, built at run time: masked wherever the steer is shown.
    const key = ["sk-proj", "FAKEfakeFAKEfake0123456789abcdef"].join("-");
    const steered = await h.command(h.alice, thread.id, "steer", {
      prompt: `STEER-TOOL-8080 then stop, the key is ${key}`,
    });
    // The person learns why nothing happens yet: a running command is not cut short.
    expect(answerText(steered)).toContain("once a running command finishes");
    expect(answerText(steered)).toContain("the key is [REDACTED]");
    await waitForLease(session.id, "STEER-TOOL-8080");
    expect(steeringOf(session.id)[0]?.delivered_at).toBeNull();
    openGate(thread.id, gate);

    await waitForAnswer(steered.id, "⚡ Steering delivered");
    await waitForPost(thread.id, "Took the steer after the check.");
    const carrying = h.model.requestsMatching("STEER-TOOL-8080");
    expect(carrying).toHaveLength(1);
    // The command ran to its end, not pushed into the background where it would die with the run.
    const toolResult = carrying[0]?.messages?.find((message) => message.role === "tool");
    expect(contentText(toolResult?.content)).toContain("command-finished");
    expect(h.model.requestsMatching("STEER-BOB-1111")).toEqual([]);
    expect(runsOf(session.id)).toBe(1);
    expect(answerNow(steered.id)).not.toContain(key);
    // Stored as typed until delivered, masked from then on.
    expect(steeringOf(session.id)[0]?.text).not.toContain(key);
  });

  it("/omp steer with no run in flight is refused privately with the hint to use /omp say, and queues nothing", async () => {
    h.model.on("a quick bean answer", reply("Quick bean answer."));
    const { thread } = await h.launch("a quick bean answer");
    await h.waitForDashboard(thread.id, (d) => d.state === "idle");
    const session = sessionOf(thread.id);
    const before = h.storeCounts();

    const refused = await h.command(h.alice, thread.id, "steer", { prompt: "STEER-IDLE-2020 too late" });
    expect(refused.original?.ephemeral).toBe(true);
    expect(answerText(refused)).toContain("Nothing is running");
    expect(answerText(refused)).toContain("/omp say");
    expect(steeringOf(session.id)).toEqual([]);
    expect(h.storeCounts()).toEqual(before);
  });

  it("a plain message in steer mode steers the running turn (⚡, then ✅ once taken); with nothing running it is queued", async () => {
    const held = heldReply("Counting the plain beans. ", "There are many plain beans.");
    h.model.on("count the plain beans", held.step);
    h.model.on("STEER-PLAIN-3030", reply("Counted only the red ones."));
    h.model.on("PLAIN-IDLE-3131", reply("Answered the idle message."));
    const { thread } = await h.launch("count the plain beans");
    await held.reached;
    const session = sessionOf(thread.id);

    const message = h.emu.as(h.alice).postMessage(thread.id, "STEER-PLAIN-3030 only the red ones");
    const reacted = (emoji: string) => () =>
      h.emu.message(message.id)?.reactions.find((r) => r.emoji === emoji && r.userIds.length > 0);
    await h.emu.waitFor(reacted("⚡"), { timeoutMs: EVENT_WAIT_MS, what: "⚡ on the message" });
    held.release();
    await h.emu.waitFor(reacted("✅"), { timeoutMs: RUN_WAIT_MS, what: "✅ on the message" });
    await waitForPost(thread.id, "Counted only the red ones.");
    expect(h.model.requestsMatching("STEER-PLAIN-3030")).toHaveLength(1);
    expect(runsOf(session.id)).toBe(1);
    expect(h.emu.message(message.id)?.reactions.some((r) => r.emoji === "📥")).toBe(false);

    await h.waitForDashboard(thread.id, (d) => d.state === "idle");
    const idle = h.emu.as(h.alice).postMessage(thread.id, "PLAIN-IDLE-3131 one more");
    await h.emu.waitFor(
      () => h.emu.message(idle.id)?.reactions.find((r) => r.emoji === "📥" && r.userIds.length > 0),
      { timeoutMs: EVENT_WAIT_MS, what: "📥 on the idle message" },
    );
    await waitForPost(thread.id, "Answered the idle message.");
    expect(runsOf(session.id)).toBe(2);
  });

  it("⚡ Steer now on a queued follow-up steers the running turn with it instead; a user who is not allowed is refused privately", async () => {
    const held = heldReply("Sorting the beans. ", "Sorted every bean.");
    h.model.on("sort the slow beans", held.step);
    h.model.on("STEER-NOW-7070", reply("Sorted by colour instead."));
    const { thread } = await h.launch("sort the slow beans");
    await held.reached;
    const session = sessionOf(thread.id);

    const said = await h.command(h.alice, thread.id, "say", { prompt: "STEER-NOW-7070 sort by colour" });
    expect(answerText(said)).toContain("#2 in line");
    const ack = said.original!;
    const customId = steerNowId(ack);
    expect(customId, "the acknowledgement offers ⚡ Steer now").toBeDefined();
    const queuedPrompt = () =>
      h.app!.store.sqlite.prepare("SELECT status FROM prompts WHERE text LIKE 'STEER-NOW-7070%'").get() as {
        status: string;
      };

    const byBob = h.emu.as(h.bob).clickButton({ messageId: ack.id, customId: customId! });
    expect(privateAnswer(await byBob.waitForReply({ timeoutMs: EVENT_WAIT_MS }))).toMatch(/^🚫/);
    expect(queuedPrompt().status).toBe("queued");
    expect(steeringOf(session.id)).toEqual([]);

    const byAlice = h.emu.as(h.alice).clickButton({ messageId: ack.id, customId: customId! });
    await byAlice.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    await h.emu.waitFor(
      () => (h.emu.message(ack.id)?.content.includes("⚡ Steering now") ? true : undefined),
      {
        timeoutMs: EVENT_WAIT_MS,
        what: "the acknowledgement to say it steers now",
      },
    );
    expect(steerNowId(h.emu.message(ack.id)), "the button is gone once used").toBeUndefined();
    expect(queuedPrompt().status).toBe("cancelled");
    held.release();

    await h.emu.waitFor(
      () => (h.emu.message(ack.id)?.content.includes("⚡ Steering delivered") ? true : undefined),
      {
        timeoutMs: RUN_WAIT_MS,
        what: "the acknowledgement to say delivered",
      },
    );
    await waitForPost(thread.id, "Sorted by colour instead.");
    expect(h.model.requestsMatching("STEER-NOW-7070")).toHaveLength(1);
    expect(runsOf(session.id)).toBe(1);
  });

  it("a steer the run ends without taking (the run is cancelled mid-command) becomes a follow-up, and the reply says so", async () => {
    const gate = "never-opened";
    h.model.on("run the endless bean check", bashThenReply(gatedCommand(gate), "never"));
    h.model.on("STEER-LATE-6060", reply("Handled the late steer as a follow-up."));
    const { thread } = await h.launch("run the endless bean check");
    await waitForCommand(thread.id);
    const session = sessionOf(thread.id);

    const steered = await h.command(h.alice, thread.id, "steer", {
      prompt: "STEER-LATE-6060 and check the lid",
    });
    await waitForLease(session.id, "STEER-LATE-6060");
    await h.command(h.alice, thread.id, "cancel");

    await waitForAnswer(steered.id, "became a follow-up prompt");
    await waitForPost(thread.id, "Handled the late steer as a follow-up.");
    const prompts = h
      .app!.store.sqlite.prepare("SELECT source FROM prompts WHERE session_id = ? ORDER BY position")
      .all(session.id) as { source: string }[];
    expect(prompts.map((p) => p.source)).toEqual(["reaction", "steer"]);
    expect(runsOf(session.id)).toBe(2);
    // Exactly once: the follow-up's request carries the words in one user message only.
    const last = h.model.requestsMatching("STEER-LATE-6060").at(-1)!;
    const carrying = (last.messages ?? []).filter(
      (m) => m.role === "user" && contentText(m.content).includes("STEER-LATE-6060"),
    );
    expect(carrying).toHaveLength(1);
  });

  it("a steer leased by a run when the bot restarts reaches the model exactly once after the restart, as a follow-up said in the thread", async () => {
    const gate = "never-opened-either";
    h.model.on("run the bean check before the restart", bashThenReply(gatedCommand(gate), "never"));
    h.model.on("STEER-RESTART-9090", reply("Handled the steer after the restart."));
    const { thread } = await h.launch("run the bean check before the restart");
    await waitForCommand(thread.id);
    const sessionId = sessionOf(thread.id).id;

    await h.command(h.alice, thread.id, "steer", { prompt: "STEER-RESTART-9090 then rest" });
    await waitForLease(sessionId, "STEER-RESTART-9090");
    await h.app!.stop({ graceMs: 0 });
    await h.startApp();

    await waitForPost(thread.id, "Handled the steer after the restart.");
    await waitForPost(thread.id, "became a follow-up prompt");
    const requests = h.model.requestsMatching("STEER-RESTART-9090");
    const userMessagesCarrying = requests
      .at(-1)!
      .messages!.filter((m) => m.role === "user" && contentText(m.content).includes("STEER-RESTART-9090"));
    expect(userMessagesCarrying).toHaveLength(1);
    const rows = steeringOf(sessionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.delivered_at).not.toBeNull();
    const followUps = h
      .app!.store.sqlite.prepare(
        "SELECT count(*) AS n FROM prompts WHERE session_id = ? AND source = 'steer'",
      )
      .get(sessionId) as { n: number };
    expect(followUps.n).toBe(1);
  });
});

describe("steering with plain messages queued (OMPCORD_PLAIN_MESSAGES=queue, the default)", () => {
  let h: BotHarness;

  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a plain message queued while a run is in flight gets 📥 and a ⚡ Steer now reply; pressing it steers the running turn", async () => {
    const held = heldReply("Weighing the beans. ", "Weighed every bean.");
    h.model.on("weigh the slow beans", held.step);
    h.model.on("PLAIN-NOW-4545", reply("Weighed only the green ones."));
    const { thread } = await h.launch("weigh the slow beans");
    await held.reached;
    const session = h.app!.store.getSessionByThread(thread.id)!;

    const message = h.emu.as(h.alice).postMessage(thread.id, "PLAIN-NOW-4545 only the green ones");
    const offer = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.referencedMessageId === message.id,
      { timeoutMs: EVENT_WAIT_MS },
    );
    expect(h.emu.message(message.id)?.reactions.some((r) => r.emoji === "📥")).toBe(true);
    expect(offer.content).toContain("#2 in line");
    const customId = steerNowId(offer);
    expect(customId, "the reply offers ⚡ Steer now").toBeDefined();

    await h.emu
      .as(h.alice)
      .clickButton({ messageId: offer.id, customId: customId! })
      .waitForReply({ timeoutMs: EVENT_WAIT_MS });
    await h.emu.waitFor(
      () => (h.emu.message(offer.id)?.content.includes("⚡ Steering now") ? true : undefined),
      {
        timeoutMs: EVENT_WAIT_MS,
        what: "the offer to say it steers now",
      },
    );
    held.release();
    await h.emu.waitFor(
      () => (h.emu.message(offer.id)?.content.includes("⚡ Steering delivered") ? true : undefined),
      { timeoutMs: RUN_WAIT_MS, what: "the offer to say delivered" },
    );
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Weighed only the green ones."),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(h.model.requestsMatching("PLAIN-NOW-4545")).toHaveLength(1);
    const runs = h
      .app!.store.sqlite.prepare("SELECT count(*) AS n FROM runs WHERE session_id = ?")
      .get(session.id);
    expect(runs).toEqual({ n: 1 });
  });
});
