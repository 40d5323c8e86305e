// Opening a session in a fresh thread, shared by 🚀 and `/omp new`: session row, pinned dashboard,
// first prompt queued. Thread creation itself stays with the caller (from a message, or standalone).

import type { ThreadChannel } from "discord.js";
import type { PromptSource, SessionRow } from "../store/index.js";
import type { BotContext } from "./context.js";

export interface SessionLaunch {
  thread: ThreadChannel;
  guildId: string;
  parentChannelId: string;
  launchMessageId?: string | null;
  name: string;
  createdBy: string;
  prompt: string;
  source: PromptSource;
}

export async function openSessionInThread(ctx: BotContext, launch: SessionLaunch): Promise<SessionRow> {
  const session = ctx.sessions.open({
    guildId: launch.guildId,
    parentChannelId: launch.parentChannelId,
    threadId: launch.thread.id,
    launchMessageId: launch.launchMessageId ?? null,
    name: launch.name,
    createdBy: launch.createdBy,
  });
  await ctx.dashboards.open(session, {
    prompt: launch.prompt,
    authorId: launch.createdBy,
    waitingForSlot: ctx.scheduler.slotWait(session.id),
  });
  ctx.sessions.queue({
    sessionId: session.id,
    authorId: launch.createdBy,
    text: launch.prompt,
    source: launch.source,
  });
  ctx.logger.info(
    { sessionId: session.id, threadId: launch.thread.id, source: launch.source, createdBy: launch.createdBy },
    "session opened",
  );
  return session;
}
