// Stopping a session from the command or the dashboard button: cancel, drop the queue, paint the
// dashboard's final state, then archive the thread. The rows stay as history.

import { countOf } from "../format/index.js";
import type { SessionRow } from "../store/index.js";
import type { BotContext } from "./context.js";

export function stoppedMessage(by: string, dropped: number): string {
  const queue =
    dropped > 0 ? ` ${countOf(dropped, "queued prompt")} ${dropped === 1 ? "was" : "were"} dropped.` : "";
  return `⏹ Session stopped by <@${by}>.${queue} The thread is archived; its history stays.`;
}

/** Everything but the announcement; returns how many queued prompts were dropped. */
export async function stopSession(ctx: BotContext, session: SessionRow, by: string): Promise<number> {
  const dropped = await ctx.sessions.stop(session.id, by);
  await ctx.dashboards.settle(session.id);
  return dropped;
}

export async function archiveSessionThread(ctx: BotContext, session: SessionRow): Promise<void> {
  try {
    const thread = await ctx.client.channels.fetch(session.threadId);
    if (thread?.isThread()) await thread.setArchived(true, "ompcord session stopped");
  } catch (error) {
    ctx.logger.warn(
      { err: error, sessionId: session.id, threadId: session.threadId },
      "could not archive the thread",
    );
  }
}
