// `/omp status`, `/omp health`, `/omp version`: read-only, allowed anywhere in the guild, private replies.

import { type ChatInputCommandInteraction, MessageFlags } from "discord.js";
import { OUTBOX_STATUS_WINDOW_MS } from "../../dashboard/live/index.js";
import type { BotContext } from "../context.js";
import { healthEmbed, statusEmbed, versionEmbed } from "../embeds.js";
import { NO_MENTIONS } from "../replies.js";

export async function statusCommand(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  // Counted before the checks, which may take seconds (an uncached `omp --version`).
  const runs = ctx.scheduler.stats();
  const stats = ctx.store.stats();
  const undeliverable = ctx.store.undeliverableOutbox(new Date(Date.now() - OUTBOX_STATUS_WINDOW_MS));
  const checks = await ctx.health.run();
  const embed = statusEmbed({
    uptimeMs: Date.now() - ctx.startedAt.getTime(),
    gatewayPingMs: ctx.client.ws.ping,
    runs,
    sessions: { active: stats.sessionsActive },
    checks,
    delivery: {
      pending: ctx.store.countPendingOutbox(),
      undeliverable: {
        total: undeliverable.total,
        windowMs: OUTBOX_STATUS_WINDOW_MS,
        recent: undeliverable.rows.map((row) => ({
          threadId: row.threadId,
          kind: row.kind,
          reason: row.lastError ?? "no reason recorded",
          at: row.settledAt ?? row.createdAt,
        })),
      },
    },
  });
  await interaction.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
}

export async function healthCommand(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await interaction.editReply({
    embeds: [healthEmbed(await ctx.health.run())],
    allowedMentions: NO_MENTIONS,
  });
}

export async function versionCommand(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
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
}
