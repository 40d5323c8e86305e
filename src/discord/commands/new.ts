// `/omp new prompt:<text> [name] [model] [project]`: a standalone thread `Session: <name or first words>`
// running the prompt, with the model and in the project chosen (judged by `resolveLaunchChoice`).

import { ChannelType, ThreadAutoArchiveDuration } from "discord.js";
import { DISCORD_LIMITS, threadName } from "../../format/index.js";
import {
  allowedUser,
  inLaunchChannel,
  notShuttingDown,
  prompt,
  where,
  withinDayCap,
} from "../access/index.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { defineSubcommand, OMP_OPTIONS } from "./define.js";

/** A session name becomes part of a thread name (100 chars with its `Session: ` prefix). */
const SESSION_NAME_MAX = DISCORD_LIMITS.threadName - "Session: ".length;

export const newSession = defineSubcommand({
  name: "new",
  describe: (sub, limits) =>
    sub
      .setDescription("Start a new agent session in a thread and run a first prompt")
      .addStringOption((option) =>
        option
          .setName(OMP_OPTIONS.prompt)
          .setDescription("What the agent should do")
          .setRequired(true)
          .setMaxLength(limits.promptMaxChars),
      )
      .addStringOption((option) =>
        option
          .setName(OMP_OPTIONS.name)
          .setDescription("A name for the session thread (default: the prompt's first words)")
          .setRequired(false)
          .setMaxLength(SESSION_NAME_MAX),
      )
      .addStringOption((option) =>
        option
          .setName(OMP_OPTIONS.model)
          .setDescription("The model for this session's runs (default: the configured one)")
          .setRequired(false)
          .setAutocomplete(true),
      )
      .addStringOption((option) =>
        option
          .setName(OMP_OPTIONS.project)
          .setDescription("A configured project to work in (default: the channel's directory)")
          .setRequired(false)
          .setAutocomplete(true),
      ),
  access: [notShuttingDown, ...where, allowedUser, inLaunchChannel, ...prompt, withinDayCap],
  async run(ctx, interaction) {
    const text = interaction.options.getString(OMP_OPTIONS.prompt, true);
    const name = interaction.options.getString(OMP_OPTIONS.name)?.trim() || undefined;
    const channel = interaction.channel;
    if (!channel || channel.type !== ChannelType.GuildText) {
      return refuse(
        interaction,
        "Start sessions in a text channel; inside a session thread, use `/omp say`.",
      );
    }
    // Judged before anything is made, so a refusal leaves no thread behind and stays private.
    const choice = await ctx.launchChoices.resolve({
      channelId: channel.id,
      model: interaction.options.getString(OMP_OPTIONS.model) ?? undefined,
      project: interaction.options.getString(OMP_OPTIONS.project) ?? undefined,
    });
    if (!choice.ok) return refuse(interaction, choice.reason);
    await interaction.deferReply();
    const title = threadName("Session", ctx.redact(name ?? text));
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
      model: choice.model ?? null,
      project: choice.project?.name ?? null,
      prompt: text,
      source: "new",
    });
    await interaction.editReply({
      content: `🚀 Session started in <#${thread.id}>.`,
      allowedMentions: NO_MENTIONS,
    });
  },
});
