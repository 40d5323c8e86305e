// THREAD_DELETE: a deleted session thread ends its session (run cancelled, queue dropped, rows kept).

import type { AnyThreadChannel } from "discord.js";
import type { BotContext } from "../context.js";

export async function onThreadDelete(ctx: BotContext, thread: AnyThreadChannel): Promise<void> {
  await endSessionOfVanishedThread(ctx, thread.id);
}

/** Also used when an edit finds the thread gone (the delete event may have been missed while offline). */
export async function endSessionOfVanishedThread(ctx: BotContext, threadId: string): Promise<void> {
  const session = ctx.sessions.byThread(threadId);
  if (!session || session.stoppedAt !== null) return;
  ctx.logger.info({ sessionId: session.id, threadId }, "session thread deleted; stopping the session");
  await ctx.sessions.stop(session.id, undefined);
  ctx.dashboards.detach(session.id);
}
