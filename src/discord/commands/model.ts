// `/omp model model:<name>`: the session's later runs use another model; the run going now keeps its own.

import { inSession, notShuttingDown } from "../access/index.js";
import { NO_MENTIONS, refuse } from "../replies.js";
import { defineSubcommand, OMP_OPTIONS } from "./define.js";

export const model = defineSubcommand({
  name: "model",
  describe: (sub) =>
    sub
      .setDescription("Switch the model this session's next runs use")
      .addStringOption((option) =>
        option
          .setName(OMP_OPTIONS.model)
          .setDescription("The model, as omp names it (start typing to search)")
          .setRequired(true)
          .setAutocomplete(true),
      ),
  access: [notShuttingDown, ...inSession],
  session: true,
  async run(ctx, interaction, session) {
    const choice = await ctx.launchChoices.resolveModel(
      interaction.options.getString(OMP_OPTIONS.model, true),
    );
    if (!choice.ok) return refuse(interaction, choice.reason);
    if (choice.model === undefined)
      return refuse(interaction, "Name a model: start typing in `model` to search.");
    const running = ctx.sessions.snapshot(session.id).running !== undefined;
    ctx.sessions.setModel(session.id, choice.model);
    const when = running
      ? "from the next run on (the one going now keeps its model)"
      : "from the next run on";
    await interaction.reply({
      content: `🧠 Model set to \`${choice.model}\` ${when}.`,
      allowedMentions: NO_MENTIONS,
    });
  },
});
