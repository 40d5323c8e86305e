// `/omp queue`: the running prompt and the waiting ones, in order, with who queued them (private).

import { type ChatInputCommandInteraction, MessageFlags } from "discord.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { queueEmbed } from "../embeds.js";
import { interactionFacts } from "../facts.js";
import { NO_MENTIONS, refuse } from "../replies.js";

export async function queueCommand(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const access = checkAccess("queue", interactionFacts(ctx, interaction), ctx.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const session = ctx.sessions.byThread(interaction.channelId)!;
  const snapshot = ctx.sessions.snapshot(session.id);
  const running = snapshot.running && {
    text: ctx.redact(snapshot.running.prompt.text),
    authorId: snapshot.running.prompt.authorId,
    startedAt: snapshot.running.startedAt,
  };
  const waiting = snapshot.waiting.map(({ prompt }) => ({
    text: ctx.redact(prompt.text),
    authorId: prompt.authorId,
  }));
  await interaction.reply({
    embeds: [queueEmbed({ running, waiting, now: new Date() })],
    flags: MessageFlags.Ephemeral,
    allowedMentions: NO_MENTIONS,
  });
}
