// `/omp status`: uptime, gateway latency, runs, sessions, what the threads are owed, and the health
// checks; read-only, allowed anywhere in the guild, a private reply.

import { MessageFlags } from "discord.js";
import { statusEmbed } from "../embeds.js";
import { NO_MENTIONS } from "../replies.js";
import { defineSubcommand } from "./define.js";

export const status = defineSubcommand({
  name: "status",
  describe: (sub) => sub.setDescription("Show uptime, gateway latency, runs, sessions and health"),
  access: [],
  async run(ctx, interaction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // Counted before the checks, which may take seconds (an uncached `omp --version`).
    const { runs, sessionsActive } = ctx.sessions.stats();
    const delivery = ctx.dashboards.deliveryStatus();
    const checks = await ctx.health.run();
    const embed = statusEmbed({
      uptimeMs: Date.now() - ctx.startedAt.getTime(),
      gatewayPingMs: ctx.client.ws.ping,
      runs,
      sessions: { active: sessionsActive },
      checks,
      delivery,
    });
    await interaction.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
  },
});
