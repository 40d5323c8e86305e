// `/omp queue`: the running prompt and the waiting ones, in order, with who queued them (private).

import { MessageFlags } from "discord.js";
import { allowedUser, threadIsSession, where } from "../access/index.js";
import { DECISIONS_SHOWN, decisionsEmbed } from "../decisions-embed.js";
import { queueEmbed } from "../embeds.js";
import { NO_MENTIONS } from "../replies.js";
import { defineSubcommand } from "./define.js";

export const queue = defineSubcommand({
  name: "queue",
  describe: (sub) => sub.setDescription("Show the running prompt and the waiting ones, in order"),
  // The queue is visible in the thread anyway, but listing it is still the bot acting for someone. It
  // changes nothing, so it is answered during shutdown too, and a stopped session still lists its history.
  access: [...where, allowedUser, threadIsSession],
  session: true,
  async run(ctx, interaction, session) {
    const snapshot = ctx.sessions.snapshot(session.id);
    const running = snapshot.running && {
      text: ctx.redact(snapshot.running.prompt.text),
      authorId: snapshot.running.prompt.authorId,
      startedAt: snapshot.running.startedAt,
    };
    const waiting = snapshot.waiting.map(({ prompt }) => ({
      text: ctx.redact(prompt.text),
      authorId: prompt.authorId,
    }));
    await interaction.reply({
      embeds: [
        queueEmbed({ running, waiting, now: new Date() }),
        ...decisionsEmbed(ctx.decisions?.recent(session.id, DECISIONS_SHOWN) ?? []),
      ],
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
  },
});
