// MESSAGE_CREATE: a plain message from an allowed user in a session thread queues like `/omp say`, or
// steers the running turn like `/omp steer` (OMPCORD_PLAIN_MESSAGES). Everyone else's chat in the thread
// is left alone. A refusal is a reply the bot owes the thread (through the outbox); the 📥 and ⚡
// acknowledgements (and the ⚡ Steer now offer while a run is in flight) book their writes in the
// thread's window.

import type { Message } from "discord.js";
import { writeInWindow } from "../../dashboard/live/index.js";
import { ACCESS_RULES, checkAccess, isBlankText } from "../access/index.js";
import type { BotContext } from "../context.js";
import { answerQuestionByReply } from "../decision-interactions.js";
import { sessionFacts } from "../facts.js";
import { MIRROR_TAKES_NO_PROMPTS, placeInLine, quoteText, steerNowRow, steerTexts } from "../steering.js";

/** Acknowledges a queued message without adding noise to the thread. */
const QUEUED_REACTION = "📥";
/** Acknowledges a message steering the running turn; ✅ follows once the agent took it. */
const STEERING_REACTION = "⚡";
const DELIVERED_REACTION = "✅";

export async function onMessageCreate(ctx: BotContext, message: Message): Promise<void> {
  // A reply to the agent's open question answers it, whatever the plain-message setting says.
  if (await answerQuestionByReply(ctx, message)) return;
  const mode = ctx.config.discord.plainMessages;
  if (mode === "off" || message.author.bot || message.system) return;
  if (!message.inGuild() || !message.channel.isThread()) return;
  const session = ctx.sessions.byThread(message.channelId);
  if (!session || !ctx.config.discord.allowedUserIds.includes(message.author.id)) return;
  // An image or a sticker alone is conversation, not a prompt.
  if (isBlankText(message.content)) return;
  const access = checkAccess(
    ACCESS_RULES.message,
    {
      guildId: message.guildId,
      channelId: message.channelId,
      userId: message.author.id,
      messageAuthorId: message.author.id,
      messageAuthorIsBot: false,
      prompt: message.content,
      ...sessionFacts(ctx, session),
    },
    ctx.policy,
  );
  const reply = (content: string) => {
    ctx.outbox.enqueue({ threadId: message.channelId, sessionId: session.id }, [
      { kind: "reply", message: { content, allowedMentions: { parse: [] }, replyTo: message.id } },
    ]);
  };
  try {
    if (!access.ok) {
      reply(`🚫 ${access.reason}`);
      return;
    }
    const writes = ctx.writes.for(message.channelId);
    const quote = quoteText(ctx, message.content);
    const mirror = ctx.mirrors?.inThread(message.channelId);
    if (mirror) {
      // A terminal mirror runs no prompts of the bot's: its owner's message steers it in steer mode.
      if (mode !== "steer") return reply(MIRROR_TAKES_NO_PROMPTS);
      const steered = ctx.mirrors!.steer(mirror.mirrorId, message.author.id, message.content);
      if (!steered.ok) return reply(`🚫 ${steered.message}`);
      await writeInWindow(writes, () => message.react(STEERING_REACTION));
      return;
    }
    if (mode === "steer") {
      const steered = ctx.steering.steer(
        { sessionId: session.id, authorId: message.author.id, text: message.content },
        {
          delivered: () =>
            void writeInWindow(writes, () => message.react(DELIVERED_REACTION)).catch((error: unknown) =>
              ctx.logger.warn({ err: error, sessionId: session.id }, "could not mark a steer delivered"),
            ),
          becameFollowUp: (position) => reply(steerTexts.followUp(quote, position)),
        },
      );
      if (steered.kind === "queued") {
        await writeInWindow(writes, () => message.react(STEERING_REACTION));
        return;
      }
      if (steered.kind === "follow-up") {
        reply(steerTexts.followUp(quote, steered.position));
        return;
      }
      // Nothing runs: the message is the next prompt, as in queue mode.
    }
    const { prompt, position } = ctx.sessions.queue({
      sessionId: session.id,
      authorId: message.author.id,
      text: message.content,
      source: "message",
    });
    await writeInWindow(writes, () => message.react(QUEUED_REACTION));
    // It waits behind a run in flight: offer to steer that run with it instead.
    if (position > 1 && ctx.steering.inFlight(session.id)) {
      await writeInWindow(writes, () =>
        message.reply({
          content: `📥 Queued — ${placeInLine(position)}; ⚡ steers the running turn with it instead:\n> ${quote}`,
          components: [steerNowRow(session.id, prompt.id)],
          allowedMentions: { parse: [] },
        }),
      );
    }
  } catch (error) {
    ctx.logger.warn(
      { err: error, sessionId: session.id, messageId: message.id },
      "could not queue a thread message",
    );
  }
}
