// Terminal mirrors' threads (src/sessions/mirrors.ts) through discord.js: each mirror gets a public
// thread in the home channel (DISCORD_CHANNEL_ID), where the bot's other sessions live too.

import { ChannelType, type Client, ThreadAutoArchiveDuration } from "discord.js";
import type { MirrorThreads } from "../sessions/mirrors.js";

export class DiscordMirrorThreads implements MirrorThreads {
  readonly #client: Client;
  readonly #channelId: string;

  constructor(client: Client, channelId: string) {
    this.#client = client;
    this.#channelId = channelId;
  }

  async create(name: string, reason: string) {
    const channel = await this.#client.channels.fetch(this.#channelId);
    if (!channel || channel.type !== ChannelType.GuildText) {
      throw new Error(
        `The home channel ${this.#channelId} (DISCORD_CHANNEL_ID) is not a text channel the bot can see; mirrors open their threads there.`,
      );
    }
    const thread = await channel.threads.create({
      name,
      type: ChannelType.PublicThread,
      autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
      reason,
    });
    return { threadId: thread.id, guildId: channel.guildId, parentChannelId: channel.id };
  }
}
