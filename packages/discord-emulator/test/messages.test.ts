import {
  AttachmentBuilder,
  ChannelType,
  Events,
  type Message,
  type MessageReaction,
  type PartialMessageReaction,
  type TextChannel,
  type ThreadChannel,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, nextEvent, startHarness } from "./helpers.js";

describe("messages, reactions, threads and pins through discord.js", () => {
  let h: Harness;
  let channel: TextChannel;
  beforeAll(async () => {
    h = await startHarness();
    channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a user's message reaches the bot as messageCreate with its content", async () => {
    const received = nextEvent<[Message]>(h.client, Events.MessageCreate, (m) => m.content === "hello bot");
    const posted = h.emu.as(h.world.users.alice).postMessage(h.world.channelId, "hello bot");
    const [message] = await received;
    expect(message.id).toBe(posted.id);
    expect(message.author.id).toBe(h.world.users.alice.id);
    expect(message.channelId).toBe(h.world.channelId);
  });

  it("a user's reply reaches the bot with a reference to the message it answers, and cannot cross channels", async () => {
    const question = await channel.send("which branch?");
    const received = nextEvent<[Message]>(h.client, Events.MessageCreate, (m) => m.content === "dev please");
    const alice = h.emu.as(h.world.users.alice);
    const posted = alice.postMessage(h.world.channelId, { content: "dev please", replyTo: question.id });
    const [reply] = await received;
    expect(reply.id).toBe(posted.id);
    expect(reply.reference?.messageId).toBe(question.id);
    expect((await reply.fetchReference()).content).toBe("which branch?");
    expect(posted.referencedMessageId).toBe(question.id);
    const elsewhere = h.emu.createChannel({ guildId: h.world.guildId, name: "elsewhere" });
    expect(() => alice.postMessage(elsewhere.id, { content: "no", replyTo: question.id })).toThrow(
      /a reply stays in its channel/,
    );
  });

  it("a reaction on a message the client never cached arrives as a partial", async () => {
    const alice = h.emu.as(h.world.users.alice);
    const seen = nextEvent<[Message]>(h.client, Events.MessageCreate, (m) => m.content === "launch me");
    const posted = alice.postMessage(h.world.channelId, "launch me");
    await seen;
    // Forget it, as after a restart: the reaction must still reach the bot.
    channel.messages.cache.delete(posted.id);

    const received = nextEvent<[MessageReaction | PartialMessageReaction, { id: string }]>(
      h.client,
      Events.MessageReactionAdd,
    );
    alice.react(h.world.channelId, posted.id, "🚀");
    const [reaction, user] = await received;
    expect(reaction.message.partial).toBe(true);
    expect(reaction.emoji.name).toBe("🚀");
    expect(user.id).toBe(h.world.users.alice.id);
    const full = await reaction.message.fetch();
    expect(full.content).toBe("launch me");
    expect(full.author.id).toBe(h.world.users.alice.id);
  });

  it("startThread from a message, then messages flow both ways inside the thread", async () => {
    const posted = h.emu.as(h.world.users.alice).postMessage(h.world.channelId, "build the thing");
    const starter = await channel.messages.fetch(posted.id);
    const threadCreated = nextEvent<[ThreadChannel, boolean]>(h.client, Events.ThreadCreate);
    const thread = await starter.startThread({ name: "Run: build the thing" });
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect(thread.parentId).toBe(h.world.channelId);
    const [created, newly] = await threadCreated;
    expect(created.id).toBe(thread.id);
    expect(newly).toBe(true);
    expect(h.emu.channel(thread.id)).toMatchObject({
      isThread: true,
      name: "Run: build the thing",
      archived: false,
    });

    const botMessage = await thread.send("working on it");
    expect(h.emu.messages(thread.id).map((m) => m.content)).toContain("working on it");
    expect(botMessage.channelId).toBe(thread.id);

    const fromUser = nextEvent<[Message]>(h.client, Events.MessageCreate, (m) => m.channelId === thread.id);
    h.emu.as(h.world.users.alice).postMessage(thread.id, "also add tests");
    const [reply] = await fromUser;
    expect(reply.content).toBe("also add tests");
    expect(reply.channel.isThread()).toBe(true);
  });

  it("pin and unpin a message", async () => {
    const message = await channel.send("dashboard");
    const pinsUpdate = nextEvent(h.client, Events.ChannelPinsUpdate);
    await message.pin();
    await pinsUpdate;
    expect(h.emu.pins(h.world.channelId).map((m) => m.id)).toEqual([message.id]);
    const pins = await channel.messages.fetchPins();
    expect(pins.items.map((p) => p.message.id)).toContain(message.id);
    await message.unpin();
    expect(h.emu.pins(h.world.channelId)).toEqual([]);
    expect(h.emu.counters.requests["PUT /channels/:channel_id/messages/pins/:message_id"]).toBe(1);
  });

  it("archive and lock a thread", async () => {
    const thread = await channel.threads.create({ name: "standalone", type: ChannelType.PublicThread });
    const updated = nextEvent<[ThreadChannel, ThreadChannel]>(h.client, Events.ThreadUpdate);
    await thread.setLocked(true);
    await thread.setArchived(true);
    await updated;
    expect(h.emu.channel(thread.id)).toMatchObject({ archived: true, locked: true });
    expect(thread.archived).toBe(true);
    await thread.setName("renamed");
    expect(h.emu.channel(thread.id).name).toBe("renamed");
  });

  it("an embed edit keeps the edit history", async () => {
    const message = await channel.send({ embeds: [{ title: "Busy", color: 0x5865f2 }] });
    const updateSeen = nextEvent<[Message, Message]>(h.client, Events.MessageUpdate);
    await message.edit({ embeds: [{ title: "Idle", color: 0x2ecc71 }] });
    await updateSeen;
    const view = h.emu.message(message.id);
    expect(view.embeds[0]?.title).toBe("Idle");
    expect(view.history.map((v) => v.embeds[0]?.title)).toEqual(["Busy", "Idle"]);
    expect(view.editedAt).not.toBeNull();
    const edited = await h.emu.waitForEdit((m) => m.id === message.id && m.embeds[0]?.title === "Idle");
    expect(edited.history).toHaveLength(2);
  });

  it("a file upload is stored with its bytes", async () => {
    const bytes = Buffer.from("line 1\nline 2\n");
    const message = await channel.send({
      content: "transcript",
      files: [new AttachmentBuilder(bytes, { name: "transcript.txt" })],
    });
    expect(message.attachments.first()?.name).toBe("transcript.txt");
    const [attachment] = h.emu.message(message.id).attachments;
    expect(attachment?.size).toBe(bytes.length);
    expect(h.emu.attachmentBytes(attachment!.id).equals(bytes)).toBe(true);
    const served = await fetch(attachment!.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("removing a reaction and deleting a message reach the bot", async () => {
    const alice = h.emu.as(h.world.users.alice);
    const posted = alice.postMessage(h.world.channelId, "react to me");
    alice.react(h.world.channelId, posted.id, "🚀");
    const removed = nextEvent<[MessageReaction | PartialMessageReaction]>(
      h.client,
      Events.MessageReactionRemove,
    );
    alice.unreact(h.world.channelId, posted.id, "🚀");
    expect((await removed)[0].emoji.name).toBe("🚀");

    const own = await channel.send("short-lived");
    await own.react("👀");
    expect(h.emu.message(own.id).reactions).toEqual([{ emoji: "👀", userIds: [h.emu.botUser.id] }]);
    const deleted = nextEvent<[Message]>(h.client, Events.MessageDelete, (m) => m.id === own.id);
    await own.delete();
    await deleted;
    expect(h.emu.messages(h.world.channelId).some((m) => m.id === own.id)).toBe(false);
    expect(
      h.emu.messages(h.world.channelId, { includeDeleted: true }).find((m) => m.id === own.id)?.deleted,
    ).toBe(true);
  });

  // A fresh channel each, so that earlier sends do not use up #launch's 5-per-5-s budget.
  const freshChannel = async (name: string) =>
    (await h.client.channels.fetch(
      h.emu.createChannel({ guildId: h.world.guildId, name }).id,
    )) as TextChannel;

  it("lists and fetches messages newest first", async () => {
    const channel = await freshChannel("list");
    const a = await channel.send("list a");
    const b = await channel.send("list b");
    const listed = await channel.messages.fetch({ limit: 2, cache: false });
    expect([...listed.keys()]).toEqual([b.id, a.id]);
    const before = await channel.messages.fetch({ before: b.id, limit: 1, cache: false });
    expect([...before.keys()]).toEqual([a.id]);
  });

  it("allowed_mentions decides who a message pings", async () => {
    const alice = h.world.users.alice.id;
    const channel = await freshChannel("mentions");
    const quiet = await channel.send({ content: `<@${alice}> done`, allowedMentions: { parse: [] } });
    const loud = await channel.send({ content: `<@${alice}> done` });
    expect(h.emu.message(quiet.id).mentionIds).toEqual([]);
    expect(h.emu.message(loud.id).mentionIds).toEqual([alice]);
  });

  it("thread members can be added and are listed", async () => {
    const channel = await freshChannel("members");
    const thread = await channel.threads.create({ name: "members", type: ChannelType.PublicThread });
    await thread.members.add(h.world.users.bob.id);
    expect(h.emu.channel(thread.id).memberIds).toEqual([h.emu.botUser.id, h.world.users.bob.id]);
    const members = await thread.members.fetch({ cache: false });
    expect([...members.keys()].sort()).toEqual([h.emu.botUser.id, h.world.users.bob.id].sort());
  });

  it("an archived thread refuses edits (50083) and reopens when the bot posts", async () => {
    const channel = await freshChannel("archive");
    const thread = await channel.threads.create({ name: "to archive", type: ChannelType.PublicThread });
    const note = await thread.send("final state");
    await thread.setArchived(true);
    const error = await note.edit("too late").catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(50083);
    await thread.send("back again");
    expect(h.emu.channel(thread.id).archived).toBe(false);
  });
});
