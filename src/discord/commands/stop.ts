// `/omp stop`: cancel, drop the queue, mark the session stopped, archive the thread; rows stay.

import type { ChatInputCommandInteraction } from "discord.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { refuse } from "../replies.js";
import { commandAnswer, stopSession } from "../session-actions.js";

export async function stopCommand(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const access = checkAccess("stop", interactionFacts(ctx, interaction), ctx.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const session = ctx.sessions.byThread(interaction.channelId)!;
  await stopSession(ctx, interaction, session, commandAnswer(interaction));
}
