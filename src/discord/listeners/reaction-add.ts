// MESSAGE_REACTION_ADD: the 🚀 launch of SPEC §1. A double click, a second reactor, a reaction during
// an in-flight launch or after a restart on a launched message start nothing twice: the LaunchGuard for
// this process, the unique launch-message key in the database across restarts.

import {
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  ThreadAutoArchiveDuration,
  type User,
} from "discord.js";
import { writeInWindow } from "../../dashboard/live/index.js";
import { threadName } from "../../format/index.js";
import { ACCESS_RULES, checkAccess, type RefusalCode } from "../access/index.js";
import type { BotContext } from "../context.js";
import { NO_MENTIONS } from "../replies.js";

/** Launches refused without a notice under the message. */
const SILENT_REFUSALS: ReadonlySet<RefusalCode> = new Set(["shutting_down", "wrong_guild", "direct_message"]);

/** A refusal notice under a message is public: it goes away on its own. */
const REFUSAL_NOTICE_MS = 15_000;

/** Unicode emoji compare without variation selectors; custom emoji (`<:name:id>` or an id) by id. */
export function isLaunchEmoji(
  emoji: { id: string | null; name: string | null },
  configured: string,
): boolean {
  const customId = configured.match(/(\d{17,20})>?$/)?.[1];
  if (customId) return emoji.id === customId;
  const plain = (text: string | null) => (text ?? "").replace(/\uFE0F/g, "");
  return emoji.id === null && plain(emoji.name) === plain(configured);
}

export async function onReactionAdd(
  ctx: BotContext,
  reactionOrPartial: MessageReaction | PartialMessageReaction,
  user: User | PartialUser,
): Promise<void> {
  if (user.bot || !isLaunchEmoji(reactionOrPartial.emoji, ctx.config.discord.launchEmoji)) return;
  const messageId = reactionOrPartial.message.id;
  // Known launches end here, before any request: the second click of a double click, later reactors.
  if (ctx.launches.inFlight(messageId) || ctx.sessions.byLaunchMessage(messageId)) return;
  ctx.launches.begin(messageId);
  const log = ctx.logger.child({ messageId, userId: user.id });
  try {
    const reaction = reactionOrPartial.partial ? await reactionOrPartial.fetch() : reactionOrPartial;
    const message = reaction.message.partial ? await reaction.message.fetch() : reaction.message;
    const access = checkAccess(
      ACCESS_RULES.launch,
      {
        shuttingDown: !ctx.accepting,
        guildId: message.guildId,
        channelId: message.channelId,
        userId: user.id,
        messageAuthorId: message.author.id,
        messageAuthorIsBot: message.author.bot,
        prompt: message.content,
        dayCapRefusal: ctx.spend?.dayRefusal(message.channelId),
      },
      ctx.policy,
    );
    if (!access.ok) {
      log.info({ code: access.code }, "launch refused");
      // No public notice during shutdown, nor for reactions where the bot does not serve: nothing to learn.
      if (!SILENT_REFUSALS.has(access.code)) {
        await noticeOnce(ctx, message, user.id, access.reason);
      }
      return;
    }
    if (message.hasThread || !message.inGuild()) {
      await noticeOnce(
        ctx,
        message,
        user.id,
        "This message already has a thread, so it cannot start a session.",
      );
      return;
    }
    const name = threadName("Run", ctx.redact(message.content));
    const thread = await message.startThread({
      name,
      autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
    });
    await ctx.sessions.launch({
      threadId: thread.id,
      guildId: message.guildId,
      parentChannelId: message.channelId,
      launchMessageId: message.id,
      name,
      createdBy: user.id,
      prompt: message.content,
      source: "reaction",
    });
  } catch (error) {
    log.error({ err: error }, "launch by reaction failed");
  } finally {
    ctx.launches.end(messageId);
  }
}

async function noticeOnce(
  ctx: BotContext,
  message: {
    id: string;
    channelId: string;
    reply: (options: {
      content: string;
      allowedMentions: typeof NO_MENTIONS;
    }) => Promise<{ delete: () => Promise<unknown> }>;
  },
  userId: string,
  reason: string,
): Promise<void> {
  if (!ctx.launches.firstRefusal(message.id, userId)) return;
  try {
    // In the launch channel, not a thread, but Discord's shared write limit is per channel all the same.
    const notice = await writeInWindow(ctx.writes.for(message.channelId), () =>
      message.reply({ content: `<@${userId}> 🚫 ${reason}`, allowedMentions: NO_MENTIONS }),
    );
    setTimeout(() => void notice.delete().catch(() => undefined), REFUSAL_NOTICE_MS).unref();
  } catch (error) {
    ctx.logger.warn({ err: error, messageId: message.id }, "could not post the refusal notice");
  }
}
