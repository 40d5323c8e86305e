// Reactions: the bot's own add/remove, removing someone's, listing who reacted, clearing.

import { serializeUser } from "../../state/serialize.js";
import { unknownEmoji } from "../errors.js";
import type { RouteContext, RouteDefinition } from "../router.js";
import { ensureNotArchived } from "./messages.js";

/** `🚀` or `name:id` (custom emoji), URL-decoded by the router. */
export function parseEmoji(text: string): { id: string | null; name: string | null } {
  const custom = /^<?a?:?([\w~]+):(\d+)>?$/.exec(text);
  if (custom) return { id: custom[2]!, name: custom[1]! };
  if (!text || /^[\w\s]+$/.test(text)) throw unknownEmoji();
  return { id: null, name: text };
}

const target = (ctx: RouteContext) => {
  const channel = ctx.core.channelForBot(ctx.params.channel_id!);
  const message = ctx.core.messageIn(channel, ctx.params.message_id!);
  if (ctx.method !== "GET") ensureNotArchived(channel);
  return message;
};

const base = "/channels/:channel_id/messages/:message_id/reactions";

export const reactionRoutes: RouteDefinition[] = [
  {
    method: "PUT",
    path: `${base}/:emoji/@me`,
    major: "channel_id",
    handle: (ctx) => {
      ctx.core.store.addReaction(target(ctx), ctx.core.store.bot.id, parseEmoji(ctx.params.emoji!));
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    path: `${base}/:emoji/@me`,
    major: "channel_id",
    handle: (ctx) => {
      ctx.core.store.removeReaction(target(ctx), ctx.core.store.bot.id, parseEmoji(ctx.params.emoji!));
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    path: `${base}/:emoji/:user_id`,
    major: "channel_id",
    handle: (ctx) => {
      ctx.core.store.removeReaction(target(ctx), ctx.params.user_id!, parseEmoji(ctx.params.emoji!));
      return { status: 204 };
    },
  },
  {
    method: "GET",
    path: `${base}/:emoji`,
    major: "channel_id",
    handle: (ctx) => {
      const message = target(ctx);
      const emoji = parseEmoji(ctx.params.emoji!);
      const reaction = message.reactions.get(emoji.id ?? emoji.name ?? "");
      const users = [...(reaction?.userIds ?? [])].flatMap((id) => {
        const u = ctx.core.store.users.get(id);
        return u ? [serializeUser(u)] : [];
      });
      return { body: users.slice(0, Number(ctx.query.get("limit") ?? 25)) };
    },
  },
  {
    method: "DELETE",
    path: `${base}/:emoji`,
    major: "channel_id",
    handle: (ctx) => {
      const message = target(ctx);
      const emoji = parseEmoji(ctx.params.emoji!);
      const reaction = message.reactions.get(emoji.id ?? emoji.name ?? "");
      for (const userId of [...(reaction?.userIds ?? [])])
        ctx.core.store.removeReaction(message, userId, emoji);
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    path: base,
    major: "channel_id",
    handle: (ctx) => {
      const message = target(ctx);
      for (const reaction of [...message.reactions.values()]) {
        for (const userId of [...reaction.userIds])
          ctx.core.store.removeReaction(message, userId, reaction.emoji);
      }
      return { status: 204 };
    },
  },
];
