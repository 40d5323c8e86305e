// `/omp say prompt:<text>`: queue a follow-up in the same agent conversation.

import type { ChatInputCommandInteraction } from "discord.js";
import { escapeMentions, stripControlCharacters, truncateEnd } from "../../format/index.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { OMP_OPTIONS } from "./definition.js";

/** How much of a queued prompt the acknowledgement quotes back. */
const QUOTE_CHARS = 300;

export async function sayCommand(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void> {
  const prompt = interaction.options.getString(OMP_OPTIONS.prompt, true);
  const access = checkAccess("say", interactionFacts(ctx, interaction, prompt), ctx.policy);
  if (!access.ok) return refuse(interaction, access.reason);
  const session = ctx.sessions.byThread(interaction.channelId)!;
  const { position } = ctx.sessions.queue({
    sessionId: session.id,
    authorId: interaction.user.id,
    text: prompt,
    source: "say",
  });
  const where = position <= 1 ? "runs now" : `is #${position} in line`;
  const quote = escapeMentions(
    truncateEnd(stripControlCharacters(ctx.redact(prompt)).replace(/\s+/g, " ").trim(), QUOTE_CHARS),
  );
  await interaction.reply({ content: `📝 Queued — ${where}:\n> ${quote}`, allowedMentions: NO_MENTIONS });
}
