// `/omp cancel`: stop the running prompt (SIGTERM, then SIGKILL to the whole tree); the queue goes on.

import type { ChatInputCommandInteraction } from "discord.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { refuse } from "../replies.js";
import { cancelRun, commandAnswer } from "../session-actions.js";

export async function cancelCommand(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const access = checkAccess("cancel", interactionFacts(ctx, interaction), ctx.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const session = ctx.sessions.byThread(interaction.channelId)!;
  await cancelRun(ctx, interaction, session, commandAnswer(interaction));
}
