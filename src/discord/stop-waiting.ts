// The dashboard's Stop waiting button, shown while a run sleeps until the model's usage limit resets: the
// run ends as cancelled, through the one cancel flow (same rules as Cancel). A click after the wait is
// over (a dashboard not repainted yet) cancels nothing: the run is working again.

import type { ButtonInteraction } from "discord.js";
import type { SessionRow } from "../store/index.js";
import type { BotContext } from "./context.js";
import { replyPrivately } from "./replies.js";
import { type Answer, cancelRun } from "./session-actions.js";

export const NOT_WAITING =
  "This run is no longer waiting for a usage limit: it is working again. Use Cancel to stop it.";

export async function stopWaiting(
  ctx: BotContext,
  interaction: ButtonInteraction,
  session: SessionRow,
  answer: Answer,
): Promise<void> {
  const running = ctx.sessions.snapshot(session.id).running;
  if (running && !running.cancelling && running.usageWait === undefined) {
    return replyPrivately(interaction, NOT_WAITING);
  }
  return cancelRun(ctx, interaction, session, answer);
}
