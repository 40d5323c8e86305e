// Gateway dispatches from the world's changes: each store event becomes the payload Discord would send,
// or none (ephemeral messages, interaction updates and channels hidden from the bot never reach the
// gateway). The gateway server then filters each dispatch per session by intent and Message Content.

import { GatewayDispatchEvents, GatewayIntentBits } from "discord-api-types/v10";
import { ALL_PERMISSIONS } from "../constants.js";
import { guildCreatePayload, memberPayload } from "../state/guild-payload.js";
import type { InteractionRecord, MessageRecord } from "../state/records.js";
import { serializeChannel, serializeMessage, serializeThreadMember } from "../state/serialize.js";
import type { ChangeEvent, EmulatorStore } from "../state/store.js";

/** A gateway event to deliver; the gateway filters it per session by intents. */
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

type Payload = Record<string, unknown>;

/** The dispatch a change makes, built now from the records as they are (or undefined: none). */
export function dispatchOf(store: EmulatorStore, event: ChangeEvent): DispatchRequest | undefined {
  const guilds = GatewayIntentBits.Guilds;
  switch (event.kind) {
    case "guildCreate":
      // A guild made while a client is connected arrives as the bot "joining" it.
      return {
        t: GatewayDispatchEvents.GuildCreate,
        d: guildCreatePayload(store, event.guild.id),
        guildId: event.guild.id,
        intent: guilds,
      };
    case "channelCreate": {
      const { channel } = event;
      if (channel.hiddenFromBot) return undefined;
      return {
        t: GatewayDispatchEvents.ChannelCreate,
        d: serializeChannel(channel) as unknown as Payload,
        guildId: channel.guildId,
        intent: guilds,
      };
    }
    case "channelUpdate": {
      const { channel } = event;
      return {
        t: channel.thread ? GatewayDispatchEvents.ThreadUpdate : GatewayDispatchEvents.ChannelUpdate,
        d: serializeChannel(channel) as unknown as Payload,
        guildId: channel.guildId,
        intent: guilds,
      };
    }
    case "channelDelete": {
      const { channel } = event;
      const d = channel.thread
        ? { id: channel.id, guild_id: channel.guildId, parent_id: channel.parentId, type: channel.type }
        : serializeChannel(channel);
      return {
        t: channel.thread ? GatewayDispatchEvents.ThreadDelete : GatewayDispatchEvents.ChannelDelete,
        d: d as unknown as Payload,
        guildId: channel.guildId,
        intent: guilds,
      };
    }
    case "threadCreate":
      return {
        t: GatewayDispatchEvents.ThreadCreate,
        d: { ...(serializeChannel(event.thread) as unknown as Payload), newly_created: true },
        guildId: event.thread.guildId,
        intent: guilds,
      };
    case "threadMemberAdd": {
      const { thread, userId, joinedAt } = event;
      return {
        t: GatewayDispatchEvents.ThreadMembersUpdate,
        d: {
          id: thread.id,
          guild_id: thread.guildId,
          member_count: thread.thread?.memberIds.size ?? 0,
          added_members: [
            {
              ...serializeThreadMember(thread.id, userId, joinedAt),
              member: memberPayload(store, thread.guildId, userId),
            },
          ],
        },
        guildId: thread.guildId,
        intent: guilds,
      };
    }
    case "threadMemberRemove": {
      const { thread, userId } = event;
      return {
        t: GatewayDispatchEvents.ThreadMembersUpdate,
        d: {
          id: thread.id,
          guild_id: thread.guildId,
          member_count: thread.thread?.memberIds.size ?? 0,
          removed_member_ids: [userId],
        },
        guildId: thread.guildId,
        intent: guilds,
      };
    }
    case "messageCreate":
      return event.message.ephemeral
        ? undefined
        : messageDispatch(store, GatewayDispatchEvents.MessageCreate, event.message);
    case "messageUpdate":
      return event.message.ephemeral
        ? undefined
        : messageDispatch(store, GatewayDispatchEvents.MessageUpdate, event.message);
    case "messageDelete": {
      const { message } = event;
      if (message.ephemeral) return undefined;
      return {
        t: GatewayDispatchEvents.MessageDelete,
        d: { id: message.id, channel_id: message.channelId, guild_id: message.guildId },
        guildId: message.guildId,
        intent: GatewayIntentBits.GuildMessages,
      };
    }
    case "reactionAdd": {
      const { message, userId, emoji } = event;
      return {
        t: GatewayDispatchEvents.MessageReactionAdd,
        d: {
          user_id: userId,
          channel_id: message.channelId,
          message_id: message.id,
          guild_id: message.guildId,
          member: message.guildId ? memberPayload(store, message.guildId, userId) : undefined,
          emoji,
          message_author_id: message.authorId,
          burst: false,
          burst_colors: [],
          type: 0,
        },
        guildId: message.guildId,
        intent: GatewayIntentBits.GuildMessageReactions,
      };
    }
    case "reactionRemove": {
      const { message, userId, emoji } = event;
      return {
        t: GatewayDispatchEvents.MessageReactionRemove,
        d: {
          user_id: userId,
          channel_id: message.channelId,
          message_id: message.id,
          guild_id: message.guildId,
          emoji,
          burst: false,
          type: 0,
        },
        guildId: message.guildId,
        intent: GatewayIntentBits.GuildMessageReactions,
      };
    }
    case "pins": {
      const { channel } = event;
      return {
        t: GatewayDispatchEvents.ChannelPinsUpdate,
        d: {
          guild_id: channel.guildId,
          channel_id: channel.id,
          last_pin_timestamp: channel.lastPinTimestamp?.toISOString() ?? null,
        },
        guildId: channel.guildId,
        intent: guilds,
      };
    }
    case "interactionCreate":
      return {
        t: GatewayDispatchEvents.InteractionCreate,
        d: interactionCreatePayload(store, event.interaction),
        guildId: event.interaction.guildId,
        intent: null,
      };
    case "interactionUpdate":
    // TYPING_START needs the typing intents, which a bot like ompcord does not ask for.
    case "typingStart":
    case "closed":
      return undefined;
  }
}

function messageDispatch(
  store: EmulatorStore,
  t: GatewayDispatchEvents.MessageCreate | GatewayDispatchEvents.MessageUpdate,
  message: MessageRecord,
): DispatchRequest {
  return {
    t,
    d: {
      ...serializeMessage(message, store.serializeContext),
      guild_id: message.guildId,
      member: memberPayload(store, message.guildId!, message.authorId, false),
    } as unknown as Payload,
    guildId: message.guildId,
    intent: GatewayIntentBits.GuildMessages,
    messageAuthorId: message.authorId,
    messageMentionIds: message.mentionIds,
  };
}

/** INTERACTION_CREATE as Discord sends it for a user in a guild channel (every permission granted). */
function interactionCreatePayload(store: EmulatorStore, interaction: InteractionRecord): Payload {
  const channel = store.requireChannel(interaction.channelId);
  const message = interaction.messageId ? store.messages.get(interaction.messageId) : undefined;
  return {
    id: interaction.id,
    application_id: interaction.applicationId,
    type: interaction.type,
    token: interaction.token,
    version: 1,
    data: interaction.data,
    guild_id: channel.guildId,
    guild: { id: channel.guildId, locale: "en-US", features: [] },
    channel_id: channel.id,
    channel: serializeChannel(channel),
    member: { ...memberPayload(store, channel.guildId, interaction.userId), permissions: ALL_PERMISSIONS },
    app_permissions: ALL_PERMISSIONS,
    locale: "en-US",
    guild_locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: { "0": channel.guildId },
    context: 0,
    attachment_size_limit: 26_214_400,
    ...(message ? { message: serializeMessage(message, store.serializeContext) } : {}),
  };
}
