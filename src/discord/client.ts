// The discord.js client ompcord logs in with: the intents and partials of SPEC §9, no mention ever
// parsed by default, and an optional API base (the local emulator in tests and playgrounds).

import { Client, GatewayIntentBits, Partials } from "discord.js";
import type { Config } from "../config/index.js";

export const BOT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.MessageContent,
] as const;

// Reactions arrive for messages sent before the bot started, which it never cached.
export const BOT_PARTIALS = [Partials.Message, Partials.Channel, Partials.Reaction] as const;

export function createDiscordClient(config: Pick<Config, "discord">): Client {
  return new Client({
    intents: [...BOT_INTENTS],
    partials: [...BOT_PARTIALS],
    // Agent output must never ping anyone: a default for every send, repeated explicitly where we send.
    allowedMentions: { parse: [] },
    ...(config.discord.apiUrl ? { rest: { api: config.discord.apiUrl } } : {}),
  });
}
