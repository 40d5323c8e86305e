// `/omp cancel`: stop the running prompt (SIGTERM, then SIGKILL to the whole tree); the queue goes on.

import type { ChatInputCommandInteraction } from "discord.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { countOf } from "../format/index.js";
import { NO_MENTIONS, refuse, replyPrivately } from "../replies.js";

export async function cancelCommand(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const access = checkAccess("cancel", interactionFacts(ctx, interaction), ctx.sessions.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const session = ctx.sessions.byThread(interaction.channelId)!;
  if (!ctx.sessions.snapshot(session.id).running) {
    return replyPrivately(interaction, "Nothing is running in this session right now.");
  }
  await interaction.deferReply();
  // Counted before the cancel: once the run ends, the next prompt starts at once and is no longer waiting.
  const waiting = ctx.store.countQueued(session.id);
  const cancelled = await ctx.sessions.cancel(session.id);
  const next =
    waiting > 0 ? ` ${countOf(waiting, "queued prompt")} ${waiting === 1 ? "goes" : "go"} on.` : "";
  await interaction.editReply({
    content: cancelled
      ? `⏹ Run cancelled by <@${interaction.user.id}>.${next}`
      : "That run had already finished or was being cancelled.",
    allowedMentions: NO_MENTIONS,
  });
}
