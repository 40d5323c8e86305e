// Who and where may act (SPEC §6): people off the allowed list, other guilds, channels that are not
// launch channels, 🚀 by someone other than the author, on a bot's message or on a message without
// text. Each gets a clear answer (private for interactions) and nothing changes: no thread, no session
// row, no prompt, no run, no model request.

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
import {
  expectPrivateRefusal,
  expectUnchanged as expectWorldUnchanged,
  type World,
  worldOf,
} from "../support/refusals.js";

describe("refusals: who and where", () => {
  let h: BotHarness;
  let carol: string;
  /** A session alice launched, for the commands that need one. */
  let sessionThreadId: string;
  let dashboard: MessageView;

  const snapshot = () => worldOf(h);
  const expectUnchanged = (before: World) => expectWorldUnchanged(h, before);

  /** The public notice the bot posts under a refused 🚀 (a reply to that message). */
  const refusalNotice = (message: MessageView) =>
    h.emu.waitForMessage((m) => m.author.bot && m.referencedMessageId === message.id, {
      timeoutMs: EVENT_WAIT_MS,
    });

  beforeAll(async () => {
    h = await startBotHarness({ moreAllowedUsers: ["carol"] });
    carol = h.allowedUsers.carol!;
    h.model.on("a session to poke at", reply("Ready."));
    const launched = await h.launch("a session to poke at");
    sessionThreadId = launched.thread.id;
    await h.emu.waitForMessage((m) => m.channelId === sessionThreadId && m.content.includes("Ready."), {
      timeoutMs: RUN_WAIT_MS,
    });
    dashboard = (await h.waitForDashboard(sessionThreadId, (d) => d.state === "idle")).message;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("/omp new by a user who is not allowed is refused privately and starts nothing", async () => {
    const before = snapshot();
    const view = await h.command(h.bob, h.world.channelId, "new", { prompt: "build me a thing" });
    expectPrivateRefusal(view, /not on this bot's list of allowed users.*DISCORD_ALLOWED_USERS/);
    expectUnchanged(before);
  });

  it("/omp say by a user who is not allowed is refused privately and queues nothing", async () => {
    const before = snapshot();
    const view = await h.command(h.bob, sessionThreadId, "say", { prompt: "and another thing" });
    expectPrivateRefusal(view, /not on this bot's list of allowed users/);
    expectUnchanged(before);
  });

  it("/omp cancel and /omp stop by a user who is not allowed are refused and the session goes on", async () => {
    const before = snapshot();
    expectPrivateRefusal(await h.command(h.bob, sessionThreadId, "cancel"), /not on this bot's list/);
    expectPrivateRefusal(await h.command(h.bob, sessionThreadId, "stop"), /not on this bot's list/);
    expectUnchanged(before);
    expect(h.app!.ctx.sessions.byThread(sessionThreadId)?.stoppedAt).toBeNull();
    expect(h.emu.channel(sessionThreadId).archived).toBe(false);
  });

  it("the dashboard's Stop button clicked by a user who is not allowed is refused and stops nothing", async () => {
    const stop = dashboardButton(dashboard, "stop");
    const before = snapshot();
    const handle = h.emu.as(h.bob).clickButton({ messageId: dashboard.id, customId: stop });
    expectPrivateRefusal(await handle.waitForReply({ timeoutMs: EVENT_WAIT_MS }), /not on this bot's list/);
    expectUnchanged(before);
    expect(h.app!.ctx.sessions.byThread(sessionThreadId)?.stoppedAt).toBeNull();
  });

  it("🚀 by a user who is not allowed, on their own message, gets a notice and launches nothing", async () => {
    const before = snapshot();
    const message = h.emu.as(h.bob).postMessage(h.world.channelId, "let me in please");
    h.emu.as(h.bob).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const notice = await refusalNotice(message);
    expect(notice.content).toMatch(/not on this bot's list of allowed users/);
    expect(notice.mentionIds).toEqual([]);
    expectUnchanged(before);
  });

  it("🚀 by an allowed user on someone else's message launches nothing: only the author can launch", async () => {
    const before = snapshot();
    const message = h.emu.as(h.alice).postMessage(h.world.channelId, "alice's own idea");
    h.emu.as(carol).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const notice = await refusalNotice(message);
    expect(notice.content).toMatch(/Only the author of a message can launch it/);
    expect(notice.mentionIds).toEqual([]);
    expectUnchanged(before);
  });

  it("🚀 on a bot's message launches nothing", async () => {
    // The bot's own dashboard sits in the thread; its refusal notices in the launch channel are bot
    // messages the author of the 🚀 could reach.
    const userMessage = h.emu.as(h.bob).postMessage(h.world.channelId, "bait for a notice");
    h.emu.as(h.bob).react(h.world.channelId, userMessage.id, LAUNCH_EMOJI);
    const botMessage = await refusalNotice(userMessage);
    const before = snapshot();
    h.emu.as(h.alice).react(h.world.channelId, botMessage.id, LAUNCH_EMOJI);
    const notice = await refusalNotice(botMessage);
    expect(notice.content).toMatch(/Messages written by bots cannot be launched/);
    expectUnchanged(before);
  });

  it("🚀 on a message with only an attachment launches nothing and says the text is missing", async () => {
    const before = snapshot();
    const message = h.emu.as(h.alice).postMessage(h.world.channelId, {
      files: [{ filename: "plan.txt", bytes: "do everything" }],
    });
    h.emu.as(h.alice).react(h.world.channelId, message.id, LAUNCH_EMOJI);
    const notice = await refusalNotice(message);
    expect(notice.content).toMatch(/has no text to run/);
    expectUnchanged(before);
  });

  it("🚀 and /omp new in a channel that is not a launch channel are refused and start nothing", async () => {
    const general = h.emu.createChannel({ guildId: h.world.guildId, name: "general" });
    const before = snapshot();
    const message = h.emu.as(h.alice).postMessage(general.id, "launch from the wrong room");
    h.emu.as(h.alice).react(general.id, message.id, LAUNCH_EMOJI);
    const notice = await refusalNotice(message);
    expect(notice.content).toMatch(/can only be started in a launch channel/);
    const view = await h.command(h.alice, general.id, "new", { prompt: "from the wrong room" });
    expectPrivateRefusal(view, /can only be started in a launch channel/);
    expectUnchanged(before);
  });

  it("🚀 in another guild the bot is in launches nothing and posts nothing there", async () => {
    const other = h.emu.createGuild({ name: "someone-elses-server" });
    const channel = h.emu.createChannel({ guildId: other.id, name: "launch" });
    // The bot must have learnt of the guild before the reaction arrives (GUILD_CREATE, then the events).
    await vi.waitFor(() => expect(h.app!.ctx.client.guilds.cache.has(other.id)).toBe(true), {
      timeout: EVENT_WAIT_MS,
    });
    const before = snapshot();
    const message = h.emu.as(h.alice).postMessage(channel.id, "run this over here");
    h.emu.as(h.alice).react(channel.id, message.id, LAUNCH_EMOJI);
    await vi.waitFor(() => expect(h.logText()).toContain('"code":"wrong_guild"'), { timeout: EVENT_WAIT_MS });
    expectUnchanged(before);
    expect(h.emu.messages(channel.id).filter((m) => m.author.bot)).toEqual([]);
  });

  it("/omp is registered in the bot's guild only, and only for guild contexts: never in DMs", () => {
    const stored = [...h.emu.core.store.commands.entries()];
    expect(stored.map(([scope]) => scope)).toEqual([h.world.guildId]);
    const omp = stored[0]![1].find((c) => c.name === "omp");
    // InteractionContextType.Guild = 0; BotDM = 1 and PrivateChannel = 2 must be absent.
    expect(omp?.contexts).toEqual([0]);
  });
});

function dashboardButton(dashboard: MessageView, action: "cancel" | "stop"): string {
  const ids = dashboard.components.flatMap((row) =>
    "components" in row ? (row.components as { custom_id?: string }[]).map((c) => c.custom_id ?? "") : [],
  );
  const id = ids.find((customId) => customId.includes(action));
  if (!id) throw new Error(`The dashboard has no ${action} button; it has ${ids.join(", ")}`);
  return id;
}
