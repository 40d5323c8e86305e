// The dashboard's Cancel and Stop buttons: the same rules and effects as `/omp cancel` and `/omp stop`.

import type { ButtonInteraction } from "discord.js";
import { parseDashboardCustomId } from "../dashboard/index.js";
import { checkAccess } from "./access/index.js";
import type { BotContext } from "./context.js";
import { interactionFacts } from "./facts.js";
import { ALREADY_ENDING, NO_MENTIONS, refuse, replyPrivately } from "./replies.js";
import { archiveSessionThread, stoppedMessage, stopSession } from "./stop-session.js";

export async function handleDashboardButton(ctx: BotContext, interaction: ButtonInteraction): Promise<void> {
  const parsed = parseDashboardCustomId(interaction.customId);
  if (!parsed) return refuse(interaction, "This button is not one of ompcord's.");
  const session = ctx.sessions.byId(parsed.sessionId);
  if (!session || session.threadId !== interaction.channelId) {
    return refuse(interaction, "This dashboard no longer belongs to a session.");
  }
  if (!ctx.accepting) return refuse(interaction, "ompcord is shutting down; try again once it is back.");
  const access = checkAccess("button", interactionFacts(ctx, interaction), ctx.sessions.policy);
  if (!access.ok) return refuse(interaction, access.reason);

  if (parsed.action === "cancel") {
    const running = ctx.sessions.snapshot(session.id).running;
    if (!running) return replyPrivately(interaction, "Nothing is running in this session right now.");
    if (running.cancelling) return replyPrivately(interaction, ALREADY_ENDING);
    // Decided before the first await, as in /omp cancel: the first press announces, later ones are told
    // privately that they changed nothing.
    const cancelling = ctx.sessions.cancel(session.id);
    await interaction.deferUpdate();
    if (!(await cancelling)) return replyPrivately(interaction, ALREADY_ENDING);
    await interaction.followUp({
      content: `⏹ Run cancelled by <@${interaction.user.id}>.`,
      allowedMentions: NO_MENTIONS,
    });
    return;
  }
  // Started before the first await: the session is marked stopped at once, so a double click's second
  // press meets "stopped" in its access check instead of stopping (and announcing) a second time.
  const stopping = stopSession(ctx, session, interaction.user.id);
  const [, dropped] = await Promise.all([interaction.deferUpdate(), stopping]);
  await interaction.followUp({
    content: stoppedMessage(interaction.user.id, dropped),
    allowedMentions: NO_MENTIONS,
  });
  await archiveSessionThread(ctx, session);
}
