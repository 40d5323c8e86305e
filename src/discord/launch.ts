// Opening a session in a fresh thread, shared by 🚀 and `/omp new`: session row, pinned dashboard,
// first prompt queued. Thread creation itself stays with the caller (from a message, or standalone).

import type { ThreadChannel } from "discord.js";
import { initialDashboardView, reduceDashboard, renderDashboard } from "../dashboard/index.js";
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
  const log = ctx.logger.child({ sessionId: session.id, threadId: launch.thread.id });
  // The first paint already shows the prompt as next to run (starting, or waiting for a global run
  // slot): the prompt is queued right after the dashboard exists, so "ready for prompts" would be false.
  const view = reduceDashboard(initialDashboardView({ sessionId: session.id, sessionName: session.name }), {
    type: "pending",
    prompt: ctx.redact(launch.prompt),
    authorId: launch.createdBy,
    waitingForSlot: ctx.scheduler.slotWait(session.id),
  });
  const dashboard = await launch.thread.send(renderDashboard(view, new Date()));
  ctx.sessions.setDashboardMessage(session.id, dashboard.id);
  try {
    await dashboard.pin();
  } catch (error) {
    // A missing Pin Messages permission should not stop the run: the dashboard is still the first message.
    log.warn({ err: error }, "could not pin the dashboard; grant the bot Pin Messages");
  }
  ctx.dashboards.attach(session, dashboard.id, view, { justPosted: true });
  ctx.sessions.queue({
    sessionId: session.id,
    authorId: launch.createdBy,
    text: launch.prompt,
    source: launch.source,
  });
  log.info({ source: launch.source, createdBy: launch.createdBy }, "session opened");
  return session;
}
