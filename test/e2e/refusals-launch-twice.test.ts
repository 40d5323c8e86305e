// A 🚀 launch happens once per message (SPEC §1): a double click, a second reactor, a reaction while the
// first launch is still in flight, and a reaction after a restart each start nothing twice — one
// thread, one session row, one prompt, one model conversation.

import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type BotHarness,
  EVENT_WAIT_MS,
  LAUNCH_EMOJI,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";

describe("a 🚀 launch happens once per message", () => {
  let h: BotHarness;
  let carol: string;

  beforeAll(async () => {
    h = await startBotHarness({ moreAllowedUsers: ["carol"] });
    carol = h.allowedUsers.carol!;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Threads started from `message`, sessions launched by it, and the model requests of its prompt. */
  const launchesOf = (message: MessageView, prompt: string) => {
    const sessions = h
      .app!.store.sqlite.prepare("SELECT id FROM sessions WHERE launch_message_id = ?")
      .all(message.id) as { id: string }[];
    const prompts = h
      .app!.store.sqlite.prepare("SELECT count(*) AS n FROM prompts WHERE text = ?")
      .get(prompt) as { n: number };
    return {
      threads: h.emu.threads().filter((t) => t.starterMessageId === message.id || t.id === message.id).length,
      sessions: sessions.length,
      prompts: prompts.n,
      // The first request of a conversation holds the prompt and no assistant turn yet.
      conversations: h.model.requests.filter(
        (r) =>
          (r.messages ?? []).some((m) => m.role === "user" && JSON.stringify(m.content).includes(prompt)) &&
          !(r.messages ?? []).some((m) => m.role === "assistant"),
      ).length,
    };
  };

  /** Waits for the run of `prompt` to post `answer` in `threadId`. */
  const answered = (threadId: string, answer: string) =>
    h.emu.waitForMessage((m) => m.channelId === threadId && m.content.includes(answer), {
      timeoutMs: RUN_WAIT_MS,
    });

  /** Lets everything the gateway delivered so far be handled: the bot answers a command after it. */
  const drain = async () => {
    await h.command(h.alice, h.world.channelId, "queue");
  };

  it("a double click (react, unreact, react) starts one session", async () => {
    const prompt = "double click test";
    h.model.on(prompt, reply("Once."));
    const actor = h.emu.as(h.alice);
    const message = actor.postMessage(h.world.channelId, prompt);
    actor.react(h.world.channelId, message.id, LAUNCH_EMOJI);
    actor.unreact(h.world.channelId, message.id, LAUNCH_EMOJI);
    actor.react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const thread = await h.emu.waitForThread((t) => t.starterMessageId === message.id || t.id === message.id);
    await answered(thread.id, "Once.");
    await drain();
    expect(launchesOf(message, prompt)).toEqual({ threads: 1, sessions: 1, prompts: 1, conversations: 1 });
  });

  it("a second reactor (an allowed user, not the author) starts nothing more", async () => {
    const prompt = "two reactors test";
    h.model.on(prompt, reply("Still once."));
    const message = h.emu.as(h.alice).postMessage(h.world.channelId, prompt);
    h.emu.as(h.alice).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    h.emu.as(carol).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const thread = await h.emu.waitForThread((t) => t.starterMessageId === message.id || t.id === message.id);
    await answered(thread.id, "Still once.");
    await drain();
    expect(launchesOf(message, prompt)).toEqual({ threads: 1, sessions: 1, prompts: 1, conversations: 1 });
  });

  it("a reaction while the first launch is still in flight starts nothing more", async () => {
    const prompt = "in flight test";
    h.model.on(prompt, reply("No twins."));
    const actor = h.emu.as(h.alice);
    const message = actor.postMessage(h.world.channelId, prompt);
    // Slow Discord: thread creation, dashboard and pin take a while, so the second 🚀 arrives while the
    // first launch is between its thread and its session row.
    h.emu.faults.setLatency(300);
    try {
      actor.react(h.world.channelId, message.id, LAUNCH_EMOJI);
      // The thread exists but the dashboard is not pinned yet: the launch is half done.
      const thread = await h.emu.waitForThread(
        (t) => t.starterMessageId === message.id || t.id === message.id,
        { timeoutMs: EVENT_WAIT_MS },
      );
      expect(h.emu.pins(thread.id)).toEqual([]);
      actor.unreact(h.world.channelId, message.id, LAUNCH_EMOJI);
      actor.react(h.world.channelId, message.id, LAUNCH_EMOJI);
      await answered(thread.id, "No twins.");
    } finally {
      h.emu.faults.clear();
    }
    await drain();
    expect(launchesOf(message, prompt)).toEqual({ threads: 1, sessions: 1, prompts: 1, conversations: 1 });
  });

  it("a reaction after a restart on an already-launched message starts nothing more", async () => {
    const prompt = "restart test";
    h.model.on(prompt, reply("Before the restart."));
    const { thread, message } = await h.launch(prompt);
    await answered(thread.id, "Before the restart.");
    await h.waitForDashboard(thread.id, (d) => d.state === "idle");

    await h.app!.stop({ graceMs: 0 });
    await h.startApp();
    const actor = h.emu.as(h.alice);
    actor.unreact(h.world.channelId, message.id, LAUNCH_EMOJI);
    actor.react(h.world.channelId, message.id, LAUNCH_EMOJI);
    h.emu.as(carol).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    await drain();
    // The new process has no in-memory guard for it: only the store and Discord's thread can stop it.
    await vi.waitFor(() => expect(h.logText()).toMatch(/ompcord ready[\s\S]*ompcord ready/), {
      timeout: EVENT_WAIT_MS,
    });
    expect(launchesOf(message, prompt)).toEqual({ threads: 1, sessions: 1, prompts: 1, conversations: 1 });
    expect(h.emu.messages(h.world.channelId).filter((m) => m.referencedMessageId === message.id)).toEqual([]);
  });
});
