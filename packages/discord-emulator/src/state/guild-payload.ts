// Guild payloads: the guild object REST returns, GUILD_CREATE's, which adds its roles, members, visible
// channels and active threads, and the guild member object REST, gateway and interactions share.

import type { GuildRecord } from "./records.js";
import { everyoneRole, serializeChannel, serializeMember } from "./serialize.js";
import type { EmulatorStore } from "./store.js";

/** A user's guild member object; `withUser: false` leaves out `user` (as in MESSAGE_CREATE's `member`). */
export function memberPayload(store: EmulatorStore, guildId: string, userId: string, withUser = true) {
  const guild = store.requireGuild(guildId);
  const user = store.requireUser(userId);
  return serializeMember(user, guild.members.get(userId) ?? guild.createdAt, withUser);
}

/** The guild object as `GET /guilds/{id}` returns it. */
export function guildPayload(guild: GuildRecord): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [everyoneRole(guild)],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
  };
}

export function guildCreatePayload(store: EmulatorStore, guildId: string): Record<string, unknown> {
  const guild = store.requireGuild(guildId);
  const channels = [...store.channels.values()].filter((c) => c.guildId === guildId && !c.hiddenFromBot);
  const members = [...guild.members.keys()].map((userId) => memberPayload(store, guildId, userId));
  return {
    ...guildPayload(guild),
    premium_subscription_count: 0,
    joined_at: guild.createdAt.toISOString(),
    large: false,
    unavailable: false,
    member_count: members.length,
    voice_states: [],
    members,
    channels: channels.filter((c) => !c.thread).map(serializeChannel),
    threads: channels.filter((c) => c.thread && !c.thread.archived).map(serializeChannel),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
