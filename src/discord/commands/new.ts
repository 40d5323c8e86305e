// `/omp new prompt:<text> [name]`: a standalone thread `Session: <name or first words>` running the prompt.

import { ChannelType, type ChatInputCommandInteraction, ThreadAutoArchiveDuration } from "discord.js";
import { threadName } from "../../format/index.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { OMP_OPTIONS } from "./definition.js";

export async function newCommand(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const prompt = interaction.options.getString(OMP_OPTIONS.prompt, true);
  const name = interaction.options.getString(OMP_OPTIONS.name)?.trim() || undefined;
  const access = checkAccess("new", interactionFacts(ctx, interaction, prompt), ctx.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const channel = interaction.channel;
  if (!channel || channel.type !== ChannelType.GuildText) {
    return refuse(interaction, "Start sessions in a text channel; inside a session thread, use `/omp say`.");
  }
  await interaction.deferReply();
  const title = threadName("Session", ctx.redact(name ?? prompt));
  const thread = await channel.threads.create({
    name: title,
    type: ChannelType.PublicThread,
    autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
    reason: `ompcord session for ${interaction.user.tag}`,
  });
  await ctx.sessions.launch({
    threadId: thread.id,
    guildId: channel.guildId,
    parentChannelId: channel.id,
    name: title,
    createdBy: interaction.user.id,
    prompt,
    source: "new",
  });
  await interaction.editReply({
    content: `🚀 Session started in <#${thread.id}>.`,
    allowedMentions: NO_MENTIONS,
  });
}
