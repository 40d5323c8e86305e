// Tasks over HTTP, Discord side (issue 14): a task is launched like `/omp new`, by the named token's
// Discord user and under the same rules (shutdown, allowed user, launch channel, prompt), in a thread that
// says which token started it. The sidecar's `TasksPort` is this, wired by the app.

import { ChannelType, ThreadAutoArchiveDuration } from "discord.js";
import { threadName } from "../format/index.js";
import type {
  NamedPrincipal,
  TaskLaunchResult,
  TaskRefusal,
  TaskReport,
  TaskRequest,
  TasksPort,
} from "../sidecar/index.js";
import type { RunRow, SessionRow } from "../store/index.js";
import {
  type AccessRule,
  allowedUser,
  checkAccess,
  inLaunchChannel,
  notShuttingDown,
  prompt,
  type RefusalCode,
} from "./access/index.js";
import type { BotContext } from "./context.js";

/** The rules of `/omp new`, less the ones about where an interaction happened (there is none). */
const TASK_RULES: readonly AccessRule[] = [notShuttingDown, allowedUser, inLaunchChannel, ...prompt];

/** What a refusal of the access rules is over HTTP. */
function statusOf(code: RefusalCode): TaskRefusal["status"] {
  if (code === "shutting_down") return 503;
  if (code === "prompt_empty" || code === "prompt_too_long") return 400;
  return 403;
}

/** What the task report reads from the store. */
export interface TaskStoreReads {
  getSession(id: string): SessionRow | undefined;
  countQueued(sessionId: string): number;
  runs(sessionId: string): RunRow[];
  answerSince(sessionId: string, since: Date): string | null;
}

export function threadUrl(guildId: string, threadId: string): string {
  return `https://discord.com/channels/${guildId}/${threadId}`;
}

const refusal = (status: TaskRefusal["status"], code: string, message: string): TaskRefusal => ({
  ok: false,
  status,
  code,
  message,
});

export function createTasks(ctx: BotContext, options: { reads: TaskStoreReads }): TasksPort {
  return {
    async launch(request: TaskRequest): Promise<TaskLaunchResult> {
      const userId = request.requester.discordUserId;
      const access = checkAccess(
        TASK_RULES,
        {
          shuttingDown: !ctx.accepting,
          guildId: ctx.config.discord.guildId,
          channelId: request.channelId,
          userId,
          prompt: request.prompt,
        },
        ctx.policy,
      );
      if (!access.ok) return refusal(statusOf(access.code), access.code, access.reason);
      // The same judgement as `/omp new`, in the same words: a model or project this channel may not use
      // is refused before anything is made.
      const chosen = await ctx.launchChoices.resolve({
        model: request.model,
        project: request.project,
        channelId: request.channelId,
      });
      if (!chosen.ok) {
        return refusal(chosen.code === "models_unavailable" ? 503 : 400, chosen.code, chosen.reason);
      }
      const channel = await ctx.client.channels.fetch(request.channelId).catch(() => null);
      if (
        !channel ||
        channel.type !== ChannelType.GuildText ||
        channel.guildId !== ctx.config.discord.guildId
      ) {
        return refusal(
          403,
          "unknown_channel",
          "The bot cannot open a thread in that channel: it is not a text channel of this server the bot can see. Check the id and the bot's permissions there.",
        );
      }
      const title = threadName("Session", ctx.redact(request.name ?? request.prompt));
      const thread = await channel.threads.create({
        name: title,
        type: ChannelType.PublicThread,
        autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
        reason: `ompcord task by token ${request.requester.name}`,
      });
      const session = await ctx.sessions.launch({
        threadId: thread.id,
        guildId: channel.guildId,
        parentChannelId: channel.id,
        name: title,
        createdBy: userId,
        model: chosen.model ?? null,
        project: chosen.project?.name ?? null,
        prompt: request.prompt,
        source: "task",
      });
      // Who started it, in the thread: a task has no message or command a person can see.
      ctx.outbox.enqueue({ threadId: thread.id, sessionId: session.id }, [
        {
          kind: "note",
          message: {
            content: `🔑 Started over the API by the token \`${request.requester.name}\` of <@${userId}>.`,
            allowedMentions: { parse: [] },
          },
        },
      ]);
      ctx.logger.info(
        { sessionId: session.id, token: request.requester.name, user: userId },
        "task started over the API",
      );
      return { ok: true, sessionId: session.id, threadUrl: threadUrl(channel.guildId, thread.id) };
    },

    report(sessionId: string, requester: NamedPrincipal): TaskReport | TaskRefusal {
      // A token of someone taken off the allowed list reads nothing more.
      if (!ctx.policy.allowedUserIds.includes(requester.discordUserId)) {
        return refusal(
          403,
          "user_not_allowed",
          "The token's Discord user is not on this bot's list of allowed users (DISCORD_ALLOWED_USERS).",
        );
      }
      const session = options.reads.getSession(sessionId);
      if (!session) {
        return refusal(
          404,
          "unknown_session",
          "No ompcord session has that id. Use the session_id POST /api/tasks answered.",
        );
      }
      const runs = options.reads.runs(sessionId);
      const finished = runs.filter((run) => run.endedAt !== null).at(-1);
      return {
        sessionId,
        name: session.name,
        state: session.stoppedAt ? "stopped" : session.state,
        threadUrl: threadUrl(session.guildId, session.threadId),
        createdBy: session.createdBy,
        createdAt: session.createdAt,
        queued: options.reads.countQueued(sessionId),
        runs: runs.map((run) => ({
          number: run.runNumber,
          startedAt: run.startedAt,
          endedAt: run.endedAt,
          outcome: run.outcome,
          tokens: run.tokens,
          cost: run.cost,
        })),
        answer: finished ? options.reads.answerSince(sessionId, finished.startedAt) : null,
      };
    },
  };
}
