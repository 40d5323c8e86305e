// `/omp say prompt:<text>`: queue a follow-up in the same agent conversation.

import { inSession, notShuttingDown, prompt, queueNotFull, withinDayCap } from "../access/index.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { MIRROR_TAKES_NO_PROMPTS, quoteText, steerNowRow } from "../steering.js";
import { defineSubcommand, OMP_OPTIONS } from "./define.js";

export const say = defineSubcommand({
  name: "say",
  describe: (sub, limits) =>
    sub
      .setDescription("Queue a follow-up prompt in this session; it continues the same conversation")
      .addStringOption((option) =>
        option
          .setName(OMP_OPTIONS.prompt)
          .setDescription("The follow-up for the agent")
          .setRequired(true)
          .setMaxLength(limits.promptMaxChars),
      ),
  access: [notShuttingDown, ...inSession, ...prompt, queueNotFull, withinDayCap],
  session: true,
  async run(ctx, interaction, session) {
    const text = interaction.options.getString(OMP_OPTIONS.prompt, true);
    if (ctx.mirrors?.inThread(interaction.channelId)) return refuse(interaction, MIRROR_TAKES_NO_PROMPTS);
    const { prompt: queued, position } = ctx.sessions.queue({
      sessionId: session.id,
      authorId: interaction.user.id,
      text,
      source: "say",
    });
    const where = position <= 1 ? "runs now" : `is #${position} in line`;
    const quote = quoteText(ctx, text);
    // While a run is in flight the follow-up waits: ⚡ offers to steer the running turn with it instead.
    const components =
      position > 1 && ctx.steering.inFlight(session.id) ? [steerNowRow(session.id, queued.id)] : [];
    await interaction.reply({
      content: `📝 Queued — ${where}:\n> ${quote}`,
      components,
      allowedMentions: NO_MENTIONS,
    });
  },
});
