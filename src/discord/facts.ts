// Turns discord.js objects into the plain facts the access rules judge (src/discord/access).

import type { ButtonInteraction, ChatInputCommandInteraction } from "discord.js";
import type { AccessFacts } from "./access/index.js";
import type { BotContext } from "./context.js";

/** The session part of the facts for a channel: none when it is not a session thread. */
export function sessionFacts(
  ctx: BotContext,
  channelId: string,
): Pick<AccessFacts, "session" | "queueDepth"> {
  const session = ctx.sessions.byThread(channelId);
  if (!session) return { session: null, queueDepth: 0 };
  return { session: { stopped: session.stoppedAt !== null }, queueDepth: ctx.sessions.depth(session.id) };
}

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
    ...sessionFacts(ctx, interaction.channelId),
  };
}
