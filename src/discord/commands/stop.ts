// `/omp stop`: cancel, drop the queue, mark the session stopped, archive the thread; rows stay.

import { inSession, notShuttingDown } from "../access/index.js";
import { commandAnswer, stopSession } from "../session-actions.js";
import { defineSubcommand } from "./define.js";

export const stop = defineSubcommand({
  name: "stop",
  describe: (sub) => sub.setDescription("Cancel, drop the queue and archive this session (history is kept)"),
  access: [notShuttingDown, ...inSession],
  session: true,
  run: (ctx, interaction, session) => stopSession(ctx, interaction, session, commandAnswer(interaction)),
});
