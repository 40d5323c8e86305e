// Turns discord.js objects into the plain facts the access rules judge (src/discord/access).

import type { ButtonInteraction, ChatInputCommandInteraction } from "discord.js";
import type { AccessFacts } from "./access/index.js";
import type { BotContext } from "./context.js";

export function interactionFacts(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  prompt?: string,
): AccessFacts {
  return {
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
    prompt,
    ...ctx.sessions.sessionFacts(interaction.channelId),
  };
}
