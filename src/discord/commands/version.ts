// `/omp version`: the bot's, omp's and Node's versions, the pid and the uptime; a private reply.

import { MessageFlags } from "discord.js";
import { versionEmbed } from "../embeds.js";
import { NO_MENTIONS } from "../replies.js";
import { defineSubcommand } from "./define.js";

export const version = defineSubcommand({
  name: "version",
  describe: (sub) => sub.setDescription("Show the bot, omp and Node.js versions"),
  access: [],
  async run(ctx, interaction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const { version } = await ctx.health.ompVersion();
    const embed = versionEmbed({
      botVersion: ctx.version,
      ompVersion: version,
      nodeVersion: process.version,
      pid: process.pid,
      uptimeMs: Date.now() - ctx.startedAt.getTime(),
    });
    await interaction.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
  },
});
