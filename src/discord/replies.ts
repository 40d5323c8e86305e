// Answers to interactions: refusals and private notes are ephemeral, nothing ever pings anyone.

import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  MessageFlags,
} from "discord.js";

type Answerable = ChatInputCommandInteraction | ButtonInteraction;

export const NO_MENTIONS = { parse: [] } as const;

/** Told privately to whoever asks to cancel a run that another cancel (or its own end) beat. */
export const ALREADY_ENDING = "That run had already finished or was being cancelled.";

/** Replies privately, whether or not the interaction was already acknowledged. */
export async function replyPrivately(
  interaction: Answerable,
  content: string,
  extra: Omit<InteractionReplyOptions, "content" | "flags"> = {},
): Promise<void> {
  const options = { ...extra, content, allowedMentions: NO_MENTIONS };
  if (interaction.deferred && !interaction.ephemeral && interaction.isChatInputCommand()) {
    // A public deferral cannot turn private: say it in the public reply is wrong, so drop it and follow up.
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ ...options, flags: MessageFlags.Ephemeral });
  } else if (interaction.deferred || interaction.replied) {
    await interaction.followUp({ ...options, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ ...options, flags: MessageFlags.Ephemeral });
  }
}

/** A refusal a person reads: polite, specific, private. */
export function refuse(interaction: Answerable, reason: string): Promise<void> {
  return replyPrivately(interaction, `🚫 ${reason}`);
}
