// `/omp report [days]`: runs, failures, time, tokens and cost per UTC day from the store. A private
// reply, like /omp status and /omp health: spend is the operator's business and the figures of a busy
// bot would push the channel's conversation away; whoever wants to share them can. Allowed users only.

import { MessageFlags } from "discord.js";
import { allowedUser, where } from "../access/index.js";
import { reportEmbed } from "../embeds.js";
import { NO_MENTIONS } from "../replies.js";
import { defineSubcommand } from "./define.js";

/** The option's name, its default and its range (Discord enforces the range before we see it). */
export const REPORT_DAYS = { option: "days", default: 7, min: 1, max: 31 } as const;

export const report = defineSubcommand({
  name: "report",
  describe: (sub) =>
    sub
      .setDescription("Runs, failures, time, tokens and cost per day (UTC)")
      .addIntegerOption((option) =>
        option
          .setName(REPORT_DAYS.option)
          .setDescription(`Days to cover, today included (default ${REPORT_DAYS.default})`)
          .setMinValue(REPORT_DAYS.min)
          .setMaxValue(REPORT_DAYS.max),
      ),
  access: [...where, allowedUser],
  async run(ctx, interaction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const asked = interaction.options.getInteger(REPORT_DAYS.option) ?? REPORT_DAYS.default;
    const days = Math.min(REPORT_DAYS.max, Math.max(REPORT_DAYS.min, asked));
    await interaction.editReply({
      embeds: [reportEmbed(ctx.sessions.usage(days))],
      allowedMentions: NO_MENTIONS,
    });
  },
});
