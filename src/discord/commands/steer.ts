// `/omp steer prompt:<text>`: talk to the agent while it works. The text goes into the running turn (the
// agent reads it at its next step); the reply says "queued", then "delivered" once the agent took it, or
// that it became a follow-up when the run ended first. With no run in flight it is refused.

import { inSession, notShuttingDown, prompt, queueNotFull } from "../access/index.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { editingWatcher, NOTHING_TO_STEER, quoteText, steerTexts } from "../steering.js";
import { defineSubcommand, OMP_OPTIONS } from "./define.js";

export const steer = defineSubcommand({
  name: "steer",
  describe: (sub, limits) =>
    sub
      .setDescription("Tell the running agent something now; it reads it at its next step")
      .addStringOption((option) =>
        option
          .setName(OMP_OPTIONS.prompt)
          .setDescription("What the agent should hear while it works")
          .setRequired(true)
          .setMaxLength(limits.promptMaxChars),
      ),
  // The rules of `/omp say`: a steer that comes too late becomes a follow-up in the same queue.
  access: [notShuttingDown, ...inSession, ...prompt, queueNotFull],
  session: true,
  async run(ctx, interaction, session) {
    const text = interaction.options.getString(OMP_OPTIONS.prompt, true);
    const quote = quoteText(ctx, text);
    const edit = (content: string) => interaction.editReply({ content, allowedMentions: NO_MENTIONS });
    // A terminal mirror's agent runs on its owner's machine: the mirror takes the steer, only from them.
    const mirror = ctx.mirrors?.inThread(interaction.channelId);
    if (mirror) {
      const steered = ctx.mirrors!.steer(mirror.mirrorId, interaction.user.id, text);
      if (!steered.ok) return refuse(interaction, steered.message);
      await interaction.reply({ content: steerTexts.queued(quote), allowedMentions: NO_MENTIONS });
      return;
    }
    const result = ctx.steering.steer(
      { sessionId: session.id, authorId: interaction.user.id, text },
      editingWatcher(ctx, { sessionId: session.id, quote, edit }),
    );
    if (result.kind === "idle") return refuse(interaction, NOTHING_TO_STEER);
    const content =
      result.kind === "queued" ? steerTexts.queued(quote) : steerTexts.followUp(quote, result.position);
    await interaction.reply({ content, allowedMentions: NO_MENTIONS });
  },
});
