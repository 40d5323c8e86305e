// `/omp cancel`: stop the running prompt (SIGTERM, then SIGKILL to the whole tree); the queue goes on.

import type { ChatInputCommandInteraction } from "discord.js";
import { countOf } from "../../format/index.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { ALREADY_ENDING, NO_MENTIONS, refuse, replyPrivately } from "../replies.js";

export async function cancelCommand(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const access = checkAccess("cancel", interactionFacts(ctx, interaction), ctx.sessions.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const session = ctx.sessions.byThread(interaction.channelId)!;
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
  const waiting = ctx.store.countQueued(session.id);
  // Decided before the first await: with no await since the check above, this cancel is the first, and
  // one arriving meanwhile (a Cancel click, another /omp cancel) sees `cancelling` and is told privately.
  // Only the winner's reply is public, because only it announces something to the thread.
  const cancelling = ctx.sessions.cancel(session.id);
  await interaction.deferReply();
  if (!(await cancelling)) return replyPrivately(interaction, ALREADY_ENDING);
  const next =
    waiting > 0 ? ` ${countOf(waiting, "queued prompt")} ${waiting === 1 ? "goes" : "go"} on.` : "";
  await interaction.editReply({
    content: `⏹ Run cancelled by <@${interaction.user.id}>.${next}`,
    allowedMentions: NO_MENTIONS,
  });
}
