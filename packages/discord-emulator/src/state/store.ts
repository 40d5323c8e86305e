// The emulated Discord world: users, guilds, channels, threads, messages, reactions, pins, commands and
// interactions. Every mutation goes through here, so the gateway dispatch and the change notifications the
// await helpers listen to come from one place.

import { EventEmitter } from "node:events";
import {
  type APIApplicationCommand,
  type APIEmbed,
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageType,
} from "discord-api-types/v10";
import { MessageFlagBits } from "../constants.js";
import { guildCreatePayload } from "./guild-payload.js";
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
import {
  type SerializeContext,
  serializeChannel,
  serializeMember,
  serializeMessage,
  serializeThreadMember,
} from "./serialize.js";
import { SnowflakeGenerator } from "./snowflake.js";

/** A gateway event the store wants delivered; the gateway filters it per session by intents. */
export interface DispatchRequest {
  t: GatewayDispatchEvents;
  d: Record<string, unknown>;
  guildId: string | null;
  /** The intent a session needs to receive it; null for events every session gets. */
  intent: number | null;
  /** For message payloads: who wrote it and who it mentions, to apply the Message Content rule. */
  messageAuthorId?: string;
  messageMentionIds?: string[];
}

export type ChangeEvent =
  | { kind: "messageCreate"; message: MessageRecord }
  | { kind: "messageUpdate"; message: MessageRecord }
  | { kind: "messageDelete"; message: MessageRecord }
  | { kind: "reaction"; message: MessageRecord }
  | { kind: "pins"; channel: ChannelRecord; message: MessageRecord }
  | { kind: "channel"; channel: ChannelRecord }
  | { kind: "interaction"; interaction: InteractionRecord }
  | { kind: "closed" };

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

const EMOJI_KEY = (emoji: { id: string | null; name: string | null }) => emoji.id ?? emoji.name ?? "";

export class EmulatorStore {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** Application commands by scope: a guild id, or "global". */
  readonly commands = new Map<string, APIApplicationCommand[]>();
  /** Per thread: join time of each member. */
  readonly threadJoins = new Map<string, Map<string, Date>>();
  readonly bot: UserRecord;
  readonly applicationId: string;
  private readonly events = new EventEmitter();

  constructor(botName = "ompcord") {
    this.events.setMaxListeners(0);
    this.bot = this.createUser({ username: botName, bot: true });
    // Discord bots' application id equals their user id for modern applications.
    this.applicationId = this.bot.id;
  }

  get serializeContext(): SerializeContext {
    return { users: this.users, botUserId: this.bot.id, channels: this.channels };
  }

  onDispatch(listener: (request: DispatchRequest) => void): () => void {
    this.events.on("dispatch", listener);
    return () => this.events.off("dispatch", listener);
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.events.on("change", listener);
    return () => this.events.off("change", listener);
  }

  private dispatch(request: DispatchRequest): void {
    this.events.emit("dispatch", request);
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
    // A guild made while a client is connected arrives as the bot "joining" it.
    this.dispatch({
      t: GatewayDispatchEvents.GuildCreate,
      d: guildCreatePayload(this, guild.id),
      guildId: guild.id,
      intent: GatewayIntentBits.Guilds,
    });
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
    if (!channel.hiddenFromBot) {
      this.dispatch({
        t: GatewayDispatchEvents.ChannelCreate,
        d: serializeChannel(channel) as unknown as Record<string, unknown>,
        guildId: channel.guildId,
        intent: GatewayIntentBits.Guilds,
      });
    }
    this.changed({ kind: "channel", channel });
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

  memberPayload(guildId: string, userId: string, withUser = true) {
    const guild = this.requireGuild(guildId);
    const user = this.requireUser(userId);
    return serializeMember(user, guild.members.get(userId) ?? guild.createdAt, withUser);
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
      const d = {
        ...serializeMessage(message, this.serializeContext),
        guild_id: channel.guildId,
        member: this.memberPayload(channel.guildId, message.authorId, false),
      };
      this.dispatch({
        t: GatewayDispatchEvents.MessageCreate,
        d: d as unknown as Record<string, unknown>,
        guildId: channel.guildId,
        intent: GatewayIntentBits.GuildMessages,
        messageAuthorId: message.authorId,
        messageMentionIds: message.mentionIds,
      });
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
    if (!message.ephemeral) {
      this.dispatch({
        t: GatewayDispatchEvents.MessageUpdate,
        d: {
          ...serializeMessage(message, this.serializeContext),
          guild_id: message.guildId,
          member: this.memberPayload(message.guildId!, message.authorId, false),
        } as unknown as Record<string, unknown>,
        guildId: message.guildId,
        intent: GatewayIntentBits.GuildMessages,
        messageAuthorId: message.authorId,
        messageMentionIds: message.mentionIds,
      });
    }
    this.changed({ kind: "messageUpdate", message });
    return message;
  }

  deleteMessage(message: MessageRecord): void {
    message.deletedAt = new Date();
    if (!message.ephemeral) {
      this.dispatch({
        t: GatewayDispatchEvents.MessageDelete,
        d: { id: message.id, channel_id: message.channelId, guild_id: message.guildId },
        guildId: message.guildId,
        intent: GatewayIntentBits.GuildMessages,
      });
    }
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
  addReaction(
    message: MessageRecord,
    userId: string,
    emoji: { id: string | null; name: string | null },
  ): boolean {
    const key = EMOJI_KEY(emoji);
    const reaction = message.reactions.get(key) ?? { emoji, userIds: new Set<string>() };
    message.reactions.set(key, reaction);
    if (reaction.userIds.has(userId)) return false;
    reaction.userIds.add(userId);
    this.dispatch({
      t: GatewayDispatchEvents.MessageReactionAdd,
      d: {
        user_id: userId,
        channel_id: message.channelId,
        message_id: message.id,
        guild_id: message.guildId,
        member: message.guildId ? this.memberPayload(message.guildId, userId) : undefined,
        emoji,
        message_author_id: message.authorId,
        burst: false,
        burst_colors: [],
        type: 0,
      },
      guildId: message.guildId,
      intent: GatewayIntentBits.GuildMessageReactions,
    });
    this.changed({ kind: "reaction", message });
    return true;
  }

  removeReaction(
    message: MessageRecord,
    userId: string,
    emoji: { id: string | null; name: string | null },
  ): boolean {
    const reaction = message.reactions.get(EMOJI_KEY(emoji));
    if (!reaction?.userIds.delete(userId)) return false;
    this.dispatch({
      t: GatewayDispatchEvents.MessageReactionRemove,
      d: {
        user_id: userId,
        channel_id: message.channelId,
        message_id: message.id,
        guild_id: message.guildId,
        emoji: reaction.emoji,
        burst: false,
        type: 0,
      },
      guildId: message.guildId,
      intent: GatewayIntentBits.GuildMessageReactions,
    });
    this.changed({ kind: "reaction", message });
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
    this.dispatch({
      t: GatewayDispatchEvents.ChannelPinsUpdate,
      d: {
        guild_id: channel.guildId,
        channel_id: channel.id,
        last_pin_timestamp: channel.lastPinTimestamp?.toISOString() ?? null,
      },
      guildId: channel.guildId,
      intent: GatewayIntentBits.Guilds,
    });
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
    this.dispatch({
      t: GatewayDispatchEvents.ThreadCreate,
      d: { ...(serializeChannel(thread) as unknown as Record<string, unknown>), newly_created: true },
      guildId: thread.guildId,
      intent: GatewayIntentBits.Guilds,
    });
    this.addThreadMember(thread, input.ownerId);
    this.changed({ kind: "channel", channel: thread });
    return thread;
  }

  addThreadMember(thread: ChannelRecord, userId: string): void {
    if (!thread.thread || thread.thread.memberIds.has(userId)) return;
    thread.thread.memberIds.add(userId);
    const joinedAt = new Date();
    this.threadJoins.get(thread.id)?.set(userId, joinedAt);
    this.dispatch({
      t: GatewayDispatchEvents.ThreadMembersUpdate,
      d: {
        id: thread.id,
        guild_id: thread.guildId,
        member_count: thread.thread.memberIds.size,
        added_members: [
          {
            ...serializeThreadMember(thread.id, userId, joinedAt),
            member: this.memberPayload(thread.guildId, userId),
          },
        ],
      },
      guildId: thread.guildId,
      intent: GatewayIntentBits.Guilds,
    });
  }

  removeThreadMember(thread: ChannelRecord, userId: string): void {
    if (!thread.thread?.memberIds.delete(userId)) return;
    this.threadJoins.get(thread.id)?.delete(userId);
    this.dispatch({
      t: GatewayDispatchEvents.ThreadMembersUpdate,
      d: {
        id: thread.id,
        guild_id: thread.guildId,
        member_count: thread.thread.memberIds.size,
        removed_member_ids: [userId],
      },
      guildId: thread.guildId,
      intent: GatewayIntentBits.Guilds,
    });
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
    this.dispatch({
      t: t ? GatewayDispatchEvents.ThreadUpdate : GatewayDispatchEvents.ChannelUpdate,
      d: serializeChannel(channel) as unknown as Record<string, unknown>,
      guildId: channel.guildId,
      intent: GatewayIntentBits.Guilds,
    });
    this.changed({ kind: "channel", channel });
    return channel;
  }

  /** Deletes a channel or thread as a moderator would: REST answers 404 for it from now on. */
  deleteChannel(channel: ChannelRecord): void {
    this.channels.delete(channel.id);
    const d = channel.thread
      ? { id: channel.id, guild_id: channel.guildId, parent_id: channel.parentId, type: channel.type }
      : serializeChannel(channel);
    this.dispatch({
      t: channel.thread ? GatewayDispatchEvents.ThreadDelete : GatewayDispatchEvents.ChannelDelete,
      d: d as unknown as Record<string, unknown>,
      guildId: channel.guildId,
      intent: GatewayIntentBits.Guilds,
    });
    this.changed({ kind: "channel", channel });
  }

  // ── interactions ───────────────────────────────────────────────────────────────────────────────

  recordInteraction(record: InteractionRecord, payload: Record<string, unknown>): void {
    this.interactions.set(record.id, record);
    this.dispatch({
      t: GatewayDispatchEvents.InteractionCreate,
      d: payload,
      guildId: record.guildId,
      intent: null,
    });
    this.changed({ kind: "interaction", interaction: record });
  }

  interactionChanged(record: InteractionRecord): void {
    this.changed({ kind: "interaction", interaction: record });
  }

  /** The emulator is closing: pending waits end now instead of at their timeouts. */
  close(): void {
    this.changed({ kind: "closed" });
  }
}
