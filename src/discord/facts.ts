// Turns discord.js objects into the plain facts the access rules judge (src/discord/access).

import type { ButtonInteraction, ChatInputCommandInteraction } from "discord.js";
import type { SessionRow } from "../store/index.js";
import type { AccessFacts } from "./access/index.js";
import type { BotContext } from "./context.js";

/** Whether the bot still takes work, and the session part of the facts (none outside a session thread). */
export function sessionFacts(
  ctx: BotContext,
  session: SessionRow | undefined,
): Pick<AccessFacts, "shuttingDown" | "session" | "queueDepth" | "dayCapRefusal"> {
  const shuttingDown = !ctx.accepting;
  if (!session) return { shuttingDown, session: null, queueDepth: 0 };
  return {
    shuttingDown,
    session: { stopped: session.stoppedAt !== null },
    queueDepth: ctx.sessions.depth(session.id),
    // A session's runs count against its launch channel's caps.
    dayCapRefusal: ctx.spend?.dayRefusal(session.parentChannelId),
  };
}

/** The facts of a slash command or a button click in the channel of `session` (when it has one). */
export function interactionFacts(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  { session, prompt }: { session: SessionRow | undefined; prompt?: string | undefined },
): AccessFacts {
  return {
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
    prompt,
    ...(session ? {} : { dayCapRefusal: ctx.spend?.dayRefusal(interaction.channelId) }),
    ...sessionFacts(ctx, session),
  };
}
