// The dashboard's Cancel and Stop buttons: the same rules and the same flows as `/omp cancel` and
// `/omp stop`. ⚡ Steer now on a queued follow-up is handed to src/discord/steering.ts.

import type { ButtonInteraction } from "discord.js";
import { parseDashboardCustomId } from "../dashboard/index.js";
import { ACCESS_RULES, checkAccess } from "./access/index.js";
import type { BotContext } from "./context.js";
import { interactionFacts } from "./facts.js";
import { refuse } from "./replies.js";
import { buttonAnswer, cancelRun, stopSession } from "./session-actions.js";
import { handleSteerNow, parseSteerNowId } from "./steering.js";
import { stopWaiting } from "./stop-waiting.js";

export async function handleDashboardButton(ctx: BotContext, interaction: ButtonInteraction): Promise<void> {
  const steerNow = parseSteerNowId(interaction.customId);
  if (steerNow) return handleSteerNow(ctx, interaction, steerNow);
  const parsed = parseDashboardCustomId(interaction.customId);
  if (!parsed) return refuse(interaction, "This button is not one of ompcord's.");
  const session = ctx.sessions.byId(parsed.sessionId);
  if (!session || session.threadId !== interaction.channelId) {
    return refuse(interaction, "This dashboard no longer belongs to a session.");
  }
  const access = checkAccess(
    ACCESS_RULES.button,
    interactionFacts(ctx, interaction, { session }),
    ctx.policy,
  );
  if (!access.ok) return refuse(interaction, access.reason);
  const answer = buttonAnswer(interaction);
  if (parsed.action === "cancel") return cancelRun(ctx, interaction, session, answer);
  if (parsed.action === "stopwait") return stopWaiting(ctx, interaction, session, answer);
  return stopSession(ctx, interaction, session, answer);
}
