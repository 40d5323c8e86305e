// THREAD_DELETE: a deleted session thread ends its session (run cancelled, queue dropped, rows kept).

import type { AnyThreadChannel } from "discord.js";
import type { BotContext } from "../context.js";

export async function onThreadDelete(ctx: BotContext, thread: AnyThreadChannel): Promise<void> {
  await ctx.sessions.threadVanished(thread.id);
}
