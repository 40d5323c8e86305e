// MESSAGE_CREATE: a plain message from an allowed user in a session thread queues like `/omp say`
// (OMPCORD_PLAIN_MESSAGES). Everyone else's chat in the thread is left alone. A refusal is a reply the
// bot owes the thread (through the outbox); the 📥 acknowledgement books its write in the thread's window.

import type { Message } from "discord.js";
import { writeInWindow } from "../../dashboard/live/index.js";
import { ACCESS_RULES, checkAccess, isBlankText } from "../access/index.js";
import type { BotContext } from "../context.js";
import { sessionFacts } from "../facts.js";

/** Acknowledges a queued message without adding noise to the thread. */
const QUEUED_REACTION = "📥";

export async function onMessageCreate(ctx: BotContext, message: Message): Promise<void> {
  if (!ctx.config.discord.plainMessagesQueue || message.author.bot || message.system) return;
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
    ctx.sessions.queue({
      sessionId: session.id,
      authorId: message.author.id,
      text: message.content,
      source: "message",
    });
    await writeInWindow(ctx.writes.for(message.channelId), () => message.react(QUEUED_REACTION));
  } catch (error) {
    ctx.logger.warn(
      { err: error, sessionId: session.id, messageId: message.id },
      "could not queue a thread message",
    );
  }
}
