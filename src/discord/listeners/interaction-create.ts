// INTERACTION_CREATE: `/omp` subcommands and dashboard buttons; an unexpected error still gets an answer.

import type { Interaction } from "discord.js";
import { answerAutocomplete } from "../autocomplete.js";
import { handleDashboardButton } from "../buttons.js";
import { runSubcommand } from "../commands/index.js";
import type { BotContext } from "../context.js";
import { handleDecisionInteraction, isDecisionCustomId } from "../decision-interactions.js";
import { refuse } from "../replies.js";

export async function onInteractionCreate(ctx: BotContext, interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    // An answer that cannot be given (the 3 s passed, the interaction vanished) is only logged.
    await answerAutocomplete(ctx, interaction).catch((error: unknown) =>
      ctx.logger.warn({ err: error, interactionId: interaction.id }, "autocomplete answer failed"),
    );
    return;
  }
  if (
    (interaction.isButton() || interaction.isStringSelectMenu() || interaction.isModalSubmit()) &&
    isDecisionCustomId(interaction.customId)
  ) {
    await handleDecisionInteraction(ctx, interaction).catch((error: unknown) =>
      ctx.logger.error({ err: error, interactionId: interaction.id }, "decision interaction failed"),
    );
    return;
  }
  if (!interaction.isChatInputCommand() && !interaction.isButton()) return;
  const log = ctx.logger.child({
    interactionId: interaction.id,
    userId: interaction.user.id,
    channelId: interaction.channelId,
  });
  try {
    if (interaction.isButton()) await handleDashboardButton(ctx, interaction);
    else await runSubcommand(ctx, interaction);
  } catch (error) {
    log.error({ err: error }, "interaction failed");
    await refuse(interaction, "Something went wrong on ompcord's side; the details are in its log.").catch(
      (replyError: unknown) => log.warn({ err: replyError }, "could not report the failure to the user"),
    );
  }
}
