// `/omp stop`: cancel, drop the queue, mark the session stopped, archive the thread; rows stay.

import type { ChatInputCommandInteraction } from "discord.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { archiveSessionThread, stoppedMessage, stopSession } from "../stop-session.js";

export async function stopCommand(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const access = checkAccess("stop", interactionFacts(ctx, interaction), ctx.sessions.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const session = ctx.sessions.byThread(interaction.channelId)!;
  // Started before the first await: the session is marked stopped at once, so a second /omp stop (or a
  // Stop click) arriving meanwhile is refused instead of stopping and announcing twice.
  const stopping = stopSession(ctx, session, interaction.user.id);
  const [, dropped] = await Promise.all([interaction.deferReply(), stopping]);
  await interaction.editReply({
    content: stoppedMessage(interaction.user.id, dropped),
    allowedMentions: NO_MENTIONS,
  });
  await archiveSessionThread(ctx, session);
}
