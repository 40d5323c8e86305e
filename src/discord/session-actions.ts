// Cancel and stop as a person asks for them, from `/omp cancel` and `/omp stop` or from the dashboard's
// buttons: one flow each, whichever way they came. Only how the interaction is answered differs.

import type { ButtonInteraction, ChatInputCommandInteraction } from "discord.js";
import { countOf } from "../format/index.js";
import type { SessionRow } from "../store/index.js";
import type { BotContext } from "./context.js";
import { ALREADY_ENDING, NO_MENTIONS, replyPrivately } from "./replies.js";

/** How the interaction is answered: a command replies, a button click updates its message and follows up. */
export interface Answer {
  /** Acknowledges within Discord's 3 s while the work goes on. */
  defer(): Promise<unknown>;
  /** The public announcement, once deferred. */
  announce(content: string): Promise<unknown>;
}

/** A slash command's answer: a public reply, deferred, then edited. */
export function commandAnswer(interaction: ChatInputCommandInteraction): Answer {
  return {
    defer: () => interaction.deferReply(),
    announce: (content) => interaction.editReply({ content, allowedMentions: NO_MENTIONS }),
  };
}

/** A dashboard button's answer: the click acknowledged without a reply, then a message in the thread. */
export function buttonAnswer(interaction: ButtonInteraction): Answer {
  return {
    defer: () => interaction.deferUpdate(),
    announce: (content) => interaction.followUp({ content, allowedMentions: NO_MENTIONS }),
  };
}

export function stoppedMessage(by: string, dropped: number): string {
  const queue =
    dropped > 0 ? ` ${countOf(dropped, "queued prompt")} ${dropped === 1 ? "was" : "were"} dropped.` : "";
  return `⏹ Session stopped by <@${by}>.${queue} The thread is archived; its history stays.`;
}

/** Cancels the session's running prompt (SIGTERM, then SIGKILL to the whole tree); the queue goes on. */
export async function cancelRun(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  session: SessionRow,
  answer: Answer,
): Promise<void> {
  const snapshot = ctx.sessions.snapshot(session.id);
  const running = snapshot.running;
  if (!running) {
    return replyPrivately(
      interaction,
      snapshot.waitingForSlot
        ? "Nothing is running yet: the next prompt is waiting for a free run slot. `/omp stop` drops it with the rest of the queue."
        : "Nothing is running in this session right now.",
    );
  }
  if (running.cancelling) return replyPrivately(interaction, ALREADY_ENDING);
  // Counted before the cancel: once the run ends, the next prompt starts at once and is no longer waiting.
  const waiting = snapshot.waiting.length;
  // Decided before the first await: with no await since the check above, this cancel is the first, and
  // one arriving meanwhile (a Cancel click, another /omp cancel) sees `cancelling` and is told privately.
  // Only the winner's answer is public, because only it announces something to the thread.
  const cancelling = ctx.sessions.cancel(session.id);
  await answer.defer();
  if (!(await cancelling)) return replyPrivately(interaction, ALREADY_ENDING);
  const next =
    waiting > 0 ? ` ${countOf(waiting, "queued prompt")} ${waiting === 1 ? "goes" : "go"} on.` : "";
  await answer.announce(`⏹ Run cancelled by <@${interaction.user.id}>.${next}`);
}

/** Cancels, drops the queue, marks the session stopped, announces it, then archives the thread; rows stay. */
export async function stopSession(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  session: SessionRow,
  answer: Answer,
  options: { deleteFiles?: boolean } = {},
): Promise<void> {
  // Started before the first await: the session is marked stopped at once, so a second stop (a double
  // click, a /omp stop) arriving meanwhile meets "stopped" in its access check instead of stopping and
  // announcing a second time.
  const stopping = ctx.sessions.stop(session.id, interaction.user.id);
  const [, dropped] = await Promise.all([answer.defer(), stopping]);
  // The run has ended by now (stop waits for it): nothing writes into the files any more.
  const files = options.deleteFiles ? deleteFilesMessage(ctx, session.id) : "";
  await answer.announce(`${stoppedMessage(interaction.user.id, dropped)}${files}`);
  await ctx.sessions.archiveThread(session.id);
}

/** Deletes the stopped session's own files and says what happened, as a line of the stop announcement. */
function deleteFilesMessage(ctx: BotContext, sessionId: string): string {
  if (!ctx.sessionFiles) return "";
  try {
    const { removed, refused } = ctx.sessionFiles.remove(sessionId);
    ctx.logger.info({ sessionId, removed, refused }, "session files deleted on stop");
    if (refused.length > 0) {
      // The reasons name paths on the host: they go to the log, not into the thread.
      return `\n⚠️ ${countOf(refused.length, "directory", "directories")} of this session failed the path check and ${refused.length === 1 ? "was" : "were"} left alone; the bot's log says why.`;
    }
    return `\n🗑 This session's files were deleted (${countOf(removed.length, "directory", "directories")}: transcripts and the omp session).`;
  } catch (error) {
    ctx.logger.error({ err: error, sessionId }, "could not delete the session's files");
    return "\n⚠️ This session's files could not all be deleted; the bot's log says why.";
  }
}
