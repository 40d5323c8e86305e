// `/omp cancel`: stop the running prompt (SIGTERM, then SIGKILL to the whole tree); the queue goes on.

import { inSession, notShuttingDown } from "../access/index.js";
import { cancelRun, commandAnswer } from "../session-actions.js";
import { defineSubcommand } from "./define.js";

export const cancel = defineSubcommand({
  name: "cancel",
  describe: (sub) => sub.setDescription("Cancel the running prompt; queued prompts still run"),
  access: [notShuttingDown, ...inSession],
  session: true,
  run: (ctx, interaction, session) => cancelRun(ctx, interaction, session, commandAnswer(interaction)),
});
