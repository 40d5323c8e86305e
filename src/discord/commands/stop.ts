// `/omp stop [delete_files]`: cancel, drop the queue, mark the session stopped, archive the thread; rows
// stay. With `delete_files:true` the session's own files (transcripts, omp session) are deleted too.

import { inSession, notShuttingDown } from "../access/index.js";
import { commandAnswer, stopSession } from "../session-actions.js";
import { defineSubcommand, OMP_OPTIONS } from "./define.js";

export const stop = defineSubcommand({
  name: "stop",
  describe: (sub) =>
    sub
      .setDescription("Cancel, drop the queue and archive this session (history is kept)")
      .addBooleanOption((option) =>
        option
          .setName(OMP_OPTIONS.deleteFiles)
          .setDescription("Also delete this session's transcripts and omp session files")
          .setRequired(false),
      ),
  access: [notShuttingDown, ...inSession],
  session: true,
  run: (ctx, interaction, session) =>
    stopSession(ctx, interaction, session, commandAnswer(interaction), {
      deleteFiles: interaction.options.getBoolean(OMP_OPTIONS.deleteFiles) ?? false,
    }),
});
