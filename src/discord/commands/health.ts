// `/omp health`: each check ✅/❌ with a reason a person can act on; read-only, a private reply.

import { MessageFlags } from "discord.js";
import { healthEmbed } from "../embeds.js";
import { NO_MENTIONS } from "../replies.js";
import { defineSubcommand } from "./define.js";

export const health = defineSubcommand({
  name: "health",
  describe: (sub) => sub.setDescription("Check Discord, the database, the omp binary and the sidecar API"),
  access: [],
  async run(ctx, interaction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply({
      embeds: [healthEmbed(await ctx.health.run())],
      allowedMentions: NO_MENTIONS,
    });
  },
});
