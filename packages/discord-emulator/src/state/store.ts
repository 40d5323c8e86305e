// The emulated Discord world: users, guilds, channels, threads, messages, reactions, pins, commands and
// interactions. Every mutation goes through here and announces itself as a change event (records, never
// wire formats): the gateway turns them into dispatches (gateway/dispatcher.ts), the await helpers re-check.

import { EventEmitter } from "node:events";
import { type APIApplicationCommand, type APIEmbed, ChannelType, MessageType } from "discord-api-types/v10";
import { MessageFlagBits } from "../constants.js";
import type {
  AllowedMentions,
  AttachmentRecord,
  ChannelRecord,
  GuildRecord,
  InteractionRecord,
  MessageComponents,
  MessageRecord,
  UserRecord,
} from "./records.js";
import type { SerializeContext } from "./serialize.js";
import { SnowflakeGenerator } from "./snowflake.js";

export type Emoji = { id: string | null; name: string | null };

/**
 * One change to the world, announced as it happens (a new thread comes before its owner's join, as on
 * Discord's gateway). Listeners must not mutate the store: the gateway serialises the records at once.
 */
export type ChangeEvent =
  | { kind: "guildCreate"; guild: GuildRecord }
  | { kind: "channelCreate"; channel: ChannelRecord }
  | { kind: "channelUpdate"; channel: ChannelRecord }
  /** The channel or thread is already gone from `channels`. */
  | { kind: "channelDelete"; channel: ChannelRecord }
  | { kind: "threadCreate"; thread: ChannelRecord }
  | { kind: "threadMemberAdd"; thread: ChannelRecord; userId: string; joinedAt: Date }
  | { kind: "threadMemberRemove"; thread: ChannelRecord; userId: string }
  | { kind: "messageCreate"; message: MessageRecord }
  | { kind: "messageUpdate"; message: MessageRecord }
  | { kind: "messageDelete"; message: MessageRecord }
  | { kind: "reactionAdd"; message: MessageRecord; userId: string; emoji: Emoji }
  | { kind: "reactionRemove"; message: MessageRecord; userId: string; emoji: Emoji }
  | { kind: "pins"; channel: ChannelRecord; message: MessageRecord }
  | { kind: "interactionCreate"; interaction: InteractionRecord }
  /** Acknowledged, answered or followed up: for the await helpers only. */
  | { kind: "interactionUpdate"; interaction: InteractionRecord }
  /** Someone triggered the typing indicator (POST /channels/:id/typing): for the await helpers only. */
  | { kind: "typingStart"; typing: TypingRecord }
  | { kind: "closed" };

/** One typing indicator, as `POST /channels/:id/typing` started it (it shows for about 10 s). */
export interface TypingRecord {
  channelId: string;
  userId: string;
  at: Date;
}

export interface NewMessage {
  channelId: string;
  authorId: string;
  content?: string;
  embeds?: APIEmbed[];
  components?: MessageComponents;
  attachments?: AttachmentRecord[];
  flags?: number;
  type?: MessageType;
  webhookId?: string | null;
  interaction?: MessageRecord["interaction"];
  messageReference?: MessageRecord["messageReference"];
  mentionIds?: string[];
  allowedMentions?: AllowedMentions | null;
}

export interface MessagePatch {
  content?: string;
  embeds?: APIEmbed[];
  components?: MessageComponents;
  attachments?: AttachmentRecord[];
  flags?: number;
  /** Recorded as sent (null: none); each write replaces it, as Discord judges mentions per write. */
  allowedMentions?: AllowedMentions | null;
}

export interface ChannelPatch {
  name?: string;
  topic?: string | null;
  archived?: boolean;
  locked?: boolean;
  autoArchiveDuration?: number;
  invitable?: boolean;
}

const EMOJI_KEY = (emoji: Emoji) => emoji.id ?? emoji.name ?? "";

export class EmulatorStore {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** Every typing indicator started, oldest first. */
  readonly typing: TypingRecord[] = [];
  /** Application commands by scope: a guild id, or "global". */
  readonly commands = new Map<string, APIApplicationCommand[]>();
  /** Per thread: join time of each member. */
  readonly threadJoins = new Map<string, Map<string, Date>>();
  readonly bot: UserRecord;
  readonly applicationId: string;
  private readonly events = new EventEmitter();

  /**
   * @param historyLimit versions kept per message: the first and the newest. Unlimited by default
   * (tests read whole histories); a long-lived emulator (the playground) caps it, or every edit of a
   * dashboard stays in memory for good.
   */
  constructor(
    botName = "ompcord",
    private readonly historyLimit = Number.POSITIVE_INFINITY,
  ) {
    this.events.setMaxListeners(0);
    this.bot = this.createUser({ username: botName, bot: true });
    // Discord bots' application id equals their user id for modern applications.
    this.applicationId = this.bot.id;
  }

  get serializeContext(): SerializeContext {
    return { users: this.users, botUserId: this.bot.id, channels: this.channels };
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.events.on("change", listener);
    return () => this.events.off("change", listener);
  }

  private changed(event: ChangeEvent): void {
    this.events.emit("change", event);
  }

  // ── users, guilds, channels ────────────────────────────────────────────────────────────────────

  createUser(input: { username: string; globalName?: string; bot?: boolean }): UserRecord {
    const user: UserRecord = {
      id: this.ids.next(),
      username: input.username,
      globalName: input.globalName ?? null,
      bot: input.bot ?? false,
    };
    this.users.set(user.id, user);
    for (const guild of this.guilds.values()) guild.members.set(user.id, new Date());
    return user;
  }

  /** A guild with the bot in it. Users created before or after are members too (keeps tests short). */
  createGuild(input: { name: string; ownerId?: string }): GuildRecord {
    const guild: GuildRecord = {
      id: this.ids.next(),
      name: input.name,
      ownerId: input.ownerId ?? this.bot.id,
      createdAt: new Date(),
      members: new Map([...this.users.keys()].map((id) => [id, new Date()])),
    };
    this.guilds.set(guild.id, guild);
    this.changed({ kind: "guildCreate", guild });
    return guild;
  }

  createChannel(input: {
    guildId: string;
    name: string;
    type?: ChannelType;
    parentId?: string | null;
    topic?: string | null;
    hiddenFromBot?: boolean;
  }): ChannelRecord {
    this.requireGuild(input.guildId);
    const channel: ChannelRecord = {
      id: this.ids.next(),
      guildId: input.guildId,
      name: input.name,
      type: input.type ?? ChannelType.GuildText,
      parentId: input.parentId ?? null,
      topic: input.topic ?? null,
      position: [...this.channels.values()].filter((c) => c.guildId === input.guildId).length,
      hiddenFromBot: input.hiddenFromBot ?? false,
      lastMessageId: null,
      lastPinTimestamp: null,
      messageCount: 0,
      thread: null,
    };
    this.channels.set(channel.id, channel);
    this.changed({ kind: "channelCreate", channel });
    return channel;
  }

  requireGuild(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw new Error(`Unknown guild ${id}: create it with createGuild() first`);
    return guild;
  }

  requireUser(id: string): UserRecord {
    const user = this.users.get(id);
    if (!user) throw new Error(`Unknown user ${id}: create it with createUser() first`);
    return user;
  }

  requireChannel(id: string): ChannelRecord {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`Unknown channel ${id}: create it with createChannel() first`);
    return channel;
  }

  requireMessage(id: string): MessageRecord {
    const message = this.messages.get(id);
    if (!message || message.deletedAt) throw new Error(`Unknown message ${id}`);
    return message;
  }

  channelMessages(channelId: string, options: { includeDeleted?: boolean; includeEphemeral?: boolean } = {}) {
    return [...this.messages.values()].filter(
      (m) =>
        m.channelId === channelId &&
        (options.includeDeleted || !m.deletedAt) &&
        (options.includeEphemeral || !m.ephemeral),
    );
  }

  threadsOf(guildId: string): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId && c.thread);
  }

  // ── messages ───────────────────────────────────────────────────────────────────────────────────

  createMessage(input: NewMessage, options: { ephemeral?: boolean } = {}): MessageRecord {
    const channel = this.requireChannel(input.channelId);
    const now = new Date();
    const flags = input.flags ?? 0;
    const message: MessageRecord = {
      id: this.ids.next(now.getTime()),
      channelId: channel.id,
      guildId: channel.guildId,
      authorId: input.authorId,
      type: input.type ?? MessageType.Default,
      content: input.content ?? "",
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      attachments: input.attachments ?? [],
      flags,
      createdAt: now,
      editedAt: null,
      pinned: false,
      pinnedAt: null,
      deletedAt: null,
      history: [],
      reactions: new Map(),
      mentionIds: input.mentionIds ?? [],
      allowedMentions: input.allowedMentions ?? null,
      webhookId: input.webhookId ?? null,
      interaction: input.interaction ?? null,
      messageReference: input.messageReference ?? null,
      threadId: null,
      ephemeral: options.ephemeral ?? (flags & MessageFlagBits.Ephemeral) !== 0,
    };
    message.history.push(this.versionOf(message, now));
    this.messages.set(message.id, message);
    if (!message.ephemeral) {
      channel.lastMessageId = message.id;
      if (channel.thread) channel.messageCount += 1;
    }
    this.changed({ kind: "messageCreate", message });
    return message;
  }

  editMessage(message: MessageRecord, patch: MessagePatch): MessageRecord {
    const now = new Date();
    if (patch.content !== undefined) message.content = patch.content;
    if (patch.embeds !== undefined) message.embeds = patch.embeds;
    if (patch.components !== undefined) message.components = patch.components;
    if (patch.attachments !== undefined) message.attachments = patch.attachments;
    if (patch.flags !== undefined) message.flags = patch.flags;
    message.allowedMentions = patch.allowedMentions ?? null;
    message.editedAt = now;
    message.history.push(this.versionOf(message, now));
    // The first version stays: it is what the message was created as.
    if (message.history.length > this.historyLimit) message.history.splice(1, 1);
    this.changed({ kind: "messageUpdate", message });
    return message;
  }

  deleteMessage(message: MessageRecord): void {
    message.deletedAt = new Date();
    this.changed({ kind: "messageDelete", message });
  }

  private versionOf(message: MessageRecord, at: Date) {
    return {
      content: message.content,
      embeds: structuredClone(message.embeds),
      components: structuredClone(message.components),
      attachmentIds: message.attachments.map((a) => a.id),
      flags: message.flags,
      allowedMentions: structuredClone(message.allowedMentions),
      at,
    };
  }

  // ── reactions and pins ─────────────────────────────────────────────────────────────────────────

  /** Returns false when the user had already reacted (Discord answers 204 and dispatches nothing). */
  addReaction(message: MessageRecord, userId: string, emoji: Emoji): boolean {
    const key = EMOJI_KEY(emoji);
    const reaction = message.reactions.get(key) ?? { emoji, userIds: new Set<string>() };
    message.reactions.set(key, reaction);
    if (reaction.userIds.has(userId)) return false;
    reaction.userIds.add(userId);
    this.changed({ kind: "reactionAdd", message, userId, emoji });
    return true;
  }

  removeReaction(message: MessageRecord, userId: string, emoji: Emoji): boolean {
    const reaction = message.reactions.get(EMOJI_KEY(emoji));
    if (!reaction?.userIds.delete(userId)) return false;
    this.changed({ kind: "reactionRemove", message, userId, emoji: reaction.emoji });
    return true;
  }

  setPinned(message: MessageRecord, pinned: boolean, byUserId: string): void {
    if (message.pinned === pinned) return;
    const channel = this.requireChannel(message.channelId);
    message.pinned = pinned;
    message.pinnedAt = pinned ? new Date() : null;
    const pinnedTimes = this.channelMessages(channel.id)
      .filter((m) => m.pinned && m.pinnedAt)
      .map((m) => m.pinnedAt!.getTime());
    channel.lastPinTimestamp = pinnedTimes.length > 0 ? new Date(Math.max(...pinnedTimes)) : null;
    this.changed({ kind: "pins", channel, message });
    if (pinned) {
      // Discord posts "<user> pinned a message" as a system message referencing the pinned one.
      this.createMessage({
        channelId: channel.id,
        authorId: byUserId,
        type: MessageType.ChannelPinnedMessage,
        messageReference: { messageId: message.id, channelId: channel.id, guildId: channel.guildId },
      });
    }
  }

  // ── threads and channel edits ──────────────────────────────────────────────────────────────────

  createThread(input: {
    parentId: string;
    name: string;
    ownerId: string;
    type?: ChannelType.PublicThread | ChannelType.PrivateThread | ChannelType.AnnouncementThread;
    autoArchiveDuration?: number;
    starterMessage?: MessageRecord;
    invitable?: boolean;
  }): ChannelRecord {
    const parent = this.requireChannel(input.parentId);
    const now = new Date();
    const thread: ChannelRecord = {
      // A thread started from a message shares the message's id, as on Discord.
      id: input.starterMessage?.id ?? this.ids.next(now.getTime()),
      guildId: parent.guildId,
      name: input.name,
      type: input.type ?? ChannelType.PublicThread,
      parentId: parent.id,
      topic: null,
      position: 0,
      hiddenFromBot: parent.hiddenFromBot,
      lastMessageId: null,
      lastPinTimestamp: null,
      messageCount: 0,
      thread: {
        ownerId: input.ownerId,
        archived: false,
        locked: false,
        autoArchiveDuration: input.autoArchiveDuration ?? 1440,
        archiveTimestamp: now,
        createTimestamp: now,
        invitable: input.invitable ?? true,
        memberIds: new Set(),
        starterMessageId: input.starterMessage?.id ?? null,
      },
    };
    this.channels.set(thread.id, thread);
    this.threadJoins.set(thread.id, new Map());
    if (input.starterMessage) {
      input.starterMessage.threadId = thread.id;
    }
    this.changed({ kind: "threadCreate", thread });
    this.addThreadMember(thread, input.ownerId);
    return thread;
  }

  addThreadMember(thread: ChannelRecord, userId: string): void {
    if (!thread.thread || thread.thread.memberIds.has(userId)) return;
    thread.thread.memberIds.add(userId);
    const joinedAt = new Date();
    this.threadJoins.get(thread.id)?.set(userId, joinedAt);
    this.changed({ kind: "threadMemberAdd", thread, userId, joinedAt });
  }

  removeThreadMember(thread: ChannelRecord, userId: string): void {
    if (!thread.thread?.memberIds.delete(userId)) return;
    this.threadJoins.get(thread.id)?.delete(userId);
    this.changed({ kind: "threadMemberRemove", thread, userId });
  }

  updateChannel(channel: ChannelRecord, patch: ChannelPatch): ChannelRecord {
    if (patch.name !== undefined) channel.name = patch.name;
    if (patch.topic !== undefined) channel.topic = patch.topic;
    const t = channel.thread;
    if (t) {
      if (patch.archived !== undefined && patch.archived !== t.archived) {
        t.archived = patch.archived;
        t.archiveTimestamp = new Date();
      }
      if (patch.locked !== undefined) t.locked = patch.locked;
      if (patch.autoArchiveDuration !== undefined) t.autoArchiveDuration = patch.autoArchiveDuration;
      if (patch.invitable !== undefined) t.invitable = patch.invitable;
    }
    this.changed({ kind: "channelUpdate", channel });
    return channel;
  }

  /** Deletes a channel or thread as a moderator would: REST answers 404 for it from now on. */
  deleteChannel(channel: ChannelRecord): void {
    this.channels.delete(channel.id);
    this.changed({ kind: "channelDelete", channel });
  }

  // ── interactions ───────────────────────────────────────────────────────────────────────────────

  recordInteraction(record: InteractionRecord): void {
    this.interactions.set(record.id, record);
    this.changed({ kind: "interactionCreate", interaction: record });
  }

  interactionChanged(record: InteractionRecord): void {
    this.changed({ kind: "interactionUpdate", interaction: record });
  }

  recordTyping(channelId: string, userId: string): void {
    const typing = { channelId, userId, at: new Date() };
    this.typing.push(typing);
    this.changed({ kind: "typingStart", typing });
  }

  /** The emulator is closing: pending waits end now instead of at their timeouts. */
  close(): void {
    this.changed({ kind: "closed" });
  }
}
