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

/**
 * discord.js counts the global limit (50/s) in one-second windows opened by its own first request, Discord
 * in windows opened by the first request it receives: request latency jitter carries a request or two
 * from the end of one client window into the next server window, which then holds 51 and answers 429.
 * Staying a little under the limit absorbs that (50 dashboards flooding at once drew a global 429).
 */
export const REST_GLOBAL_REQUESTS_PER_SECOND = 45;

export function createDiscordClient(config: Pick<Config, "discord">): Client {
  return new Client({
    intents: [...BOT_INTENTS],
    partials: [...BOT_PARTIALS],
    // Agent output must never ping anyone: a default for every send, repeated explicitly where we send.
    allowedMentions: { parse: [] },
    rest: {
      globalRequestsPerSecond: REST_GLOBAL_REQUESTS_PER_SECOND,
      ...(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}),
    },
  });
}
