// Turns the emulator's records into the payloads Discord's API and gateway carry (discord-api-types shapes).

import {
  type APIAttachment,
  type APIChannel,
  type APIGuildMember,
  type APIMessage,
  type APIRole,
  type APIThreadChannel,
  type APIThreadMember,
  type APIUser,
  ChannelType,
  type RoleFlags,
  type ThreadMemberFlags,
  type UserFlags,
} from "discord-api-types/v10";
import { ALL_PERMISSIONS } from "../constants.js";
import type { ChannelRecord, GuildRecord, MessageRecord, ReactionRecord, UserRecord } from "./records.js";

export function serializeUser(user: UserRecord): APIUser {
  return {
    id: user.id,
    username: user.username,
    global_name: user.globalName,
    discriminator: "0",
    avatar: null,
    ...(user.bot ? { bot: true } : {}),
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
  };
}

export function serializeMember(user: UserRecord, joinedAt: Date, withUser = true): APIGuildMember {
  return {
    ...(withUser ? { user: serializeUser(user) } : {}),
    nick: null,
    avatar: null,
    roles: [],
    joined_at: joinedAt.toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  } as unknown as APIGuildMember;
}

/** The @everyone role: its id is the guild's id, as on Discord. */
export function everyoneRole(guild: GuildRecord): APIRole {
  return {
    id: guild.id,
    name: "@everyone",
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: 0,
    permissions: ALL_PERMISSIONS,
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
}

export function serializeChannel(channel: ChannelRecord): APIChannel {
  const base = {
    id: channel.id,
    guild_id: channel.guildId,
    name: channel.name,
    type: channel.type,
    last_message_id: channel.lastMessageId,
    flags: 0,
  };
  if (channel.thread) {
    const t = channel.thread;
    const thread: APIThreadChannel = {
      ...base,
      type: channel.type as ChannelType.PublicThread,
      parent_id: channel.parentId,
      owner_id: t.ownerId,
      rate_limit_per_user: 0,
      message_count: channel.messageCount,
      total_message_sent: channel.messageCount,
      member_count: Math.min(t.memberIds.size, 50),
      thread_metadata: {
        archived: t.archived,
        locked: t.locked,
        auto_archive_duration: t.autoArchiveDuration,
        archive_timestamp: t.archiveTimestamp.toISOString(),
        create_timestamp: t.createTimestamp.toISOString(),
        ...(channel.type === ChannelType.PrivateThread ? { invitable: t.invitable } : {}),
      },
      applied_tags: [],
    } as APIThreadChannel;
    return thread;
  }
  return {
    ...base,
    type: channel.type as ChannelType.GuildText,
    position: channel.position,
    parent_id: channel.parentId,
    topic: channel.topic,
    nsfw: false,
    rate_limit_per_user: 0,
    permission_overwrites: [],
    last_pin_timestamp: channel.lastPinTimestamp?.toISOString() ?? null,
    default_auto_archive_duration: 1440,
  } as APIChannel;
}

export function serializeThreadMember(threadId: string, userId: string, joinedAt: Date): APIThreadMember {
  return {
    id: threadId,
    user_id: userId,
    join_timestamp: joinedAt.toISOString(),
    flags: 0 as ThreadMemberFlags,
  };
}

export function serializeAttachment(att: MessageRecord["attachments"][number]): APIAttachment {
  return {
    id: att.id,
    filename: att.filename,
    size: att.bytes.length,
    url: att.url,
    proxy_url: att.url,
    ...(att.contentType ? { content_type: att.contentType } : {}),
    ...(att.description ? { description: att.description } : {}),
  };
}

function serializeReactions(reactions: Map<string, ReactionRecord>, viewerId: string) {
  return [...reactions.values()]
    .filter((r) => r.userIds.size > 0)
    .map((r) => ({
      emoji: r.emoji,
      count: r.userIds.size,
      count_details: { burst: 0, normal: r.userIds.size },
      me: r.userIds.has(viewerId),
      me_burst: false,
      burst_colors: [],
    }));
}

export interface SerializeContext {
  users: Map<string, UserRecord>;
  botUserId: string;
  channels: Map<string, ChannelRecord>;
}

export function serializeMessage(message: MessageRecord, ctx: SerializeContext): APIMessage {
  const author = ctx.users.get(message.authorId);
  const thread = message.threadId ? ctx.channels.get(message.threadId) : undefined;
  const payload = {
    id: message.id,
    channel_id: message.channelId,
    author: author
      ? serializeUser(author)
      : { id: message.authorId, username: "unknown", discriminator: "0" },
    content: message.content,
    timestamp: message.createdAt.toISOString(),
    edited_timestamp: message.editedAt?.toISOString() ?? null,
    tts: false,
    mention_everyone: false,
    mentions: message.mentionIds.flatMap((id) => {
      const u = ctx.users.get(id);
      return u ? [serializeUser(u)] : [];
    }),
    mention_roles: [],
    attachments: message.attachments.map(serializeAttachment),
    embeds: message.embeds,
    components: message.components,
    reactions: serializeReactions(message.reactions, ctx.botUserId),
    pinned: message.pinned,
    type: message.type,
    flags: message.flags,
    ...(message.webhookId ? { webhook_id: message.webhookId, application_id: message.webhookId } : {}),
    ...(message.interaction
      ? {
          interaction_metadata: {
            id: message.interaction.id,
            type: message.interaction.type,
            user: serializeUser(ctx.users.get(message.interaction.userId)!),
            authorizing_integration_owners: {},
          },
        }
      : {}),
    ...(message.messageReference
      ? {
          message_reference: {
            type: 0,
            message_id: message.messageReference.messageId,
            channel_id: message.messageReference.channelId,
            ...(message.messageReference.guildId ? { guild_id: message.messageReference.guildId } : {}),
          },
        }
      : {}),
    ...(thread ? { thread: serializeChannel(thread) } : {}),
  };
  return payload as APIMessage;
}
