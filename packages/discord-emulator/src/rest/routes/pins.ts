// Pins under both the current routes (/messages/pins) and the legacy ones (/pins) discord.js still knows.

import { serializeMessage } from "../../state/serialize.js";
import { RestError } from "../errors.js";
import type { RouteContext, RouteDefinition } from "../router.js";
import { ensureNotArchived } from "./messages.js";

const MAX_PINS = 250;
const tooManyPins = () => new RestError(400, 30003, "Maximum number of pins reached (250)");

function pinned(ctx: RouteContext) {
  const channel = ctx.core.channelForBot(ctx.params.channel_id!);
  return ctx.core.store
    .channelMessages(channel.id)
    .filter((m) => m.pinned)
    .sort((a, b) => b.pinnedAt!.getTime() - a.pinnedAt!.getTime());
}

function setPin(ctx: RouteContext, value: boolean) {
  const channel = ctx.core.channelForBot(ctx.params.channel_id!);
  const message = ctx.core.messageIn(channel, ctx.params.message_id!);
  ensureNotArchived(channel);
  if (value && !message.pinned && pinned(ctx).length >= MAX_PINS) throw tooManyPins();
  ctx.core.store.setPinned(message, value, ctx.core.store.bot.id);
  return { status: 204 };
}

export const pinRoutes: RouteDefinition[] = [
  {
    method: "GET",
    path: "/channels/:channel_id/messages/pins",
    major: "channel_id",
    handle: (ctx) => {
      const limit = Math.min(Number(ctx.query.get("limit") ?? 50), 50);
      const before = ctx.query.get("before");
      const all = pinned(ctx).filter((m) => !before || m.pinnedAt!.getTime() < Date.parse(before));
      return {
        body: {
          items: all.slice(0, limit).map((m) => ({
            pinned_at: m.pinnedAt!.toISOString(),
            message: serializeMessage(m, ctx.core.store.serializeContext),
          })),
          has_more: all.length > limit,
        },
      };
    },
  },
  {
    method: "PUT",
    path: "/channels/:channel_id/messages/pins/:message_id",
    major: "channel_id",
    handle: (ctx) => setPin(ctx, true),
  },
  {
    method: "DELETE",
    path: "/channels/:channel_id/messages/pins/:message_id",
    major: "channel_id",
    handle: (ctx) => setPin(ctx, false),
  },
  {
    method: "GET",
    path: "/channels/:channel_id/pins",
    major: "channel_id",
    handle: (ctx) => ({ body: pinned(ctx).map((m) => serializeMessage(m, ctx.core.store.serializeContext)) }),
  },
  {
    method: "PUT",
    path: "/channels/:channel_id/pins/:message_id",
    major: "channel_id",
    handle: (ctx) => setPin(ctx, true),
  },
  {
    method: "DELETE",
    path: "/channels/:channel_id/pins/:message_id",
    major: "channel_id",
    handle: (ctx) => setPin(ctx, false),
  },
];
