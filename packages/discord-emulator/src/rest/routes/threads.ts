// Threads: from a message, standalone, archived listing, and thread members.

import { ChannelType } from "discord-api-types/v10";
import { memberPayload } from "../../state/guild-payload.js";
import type { ChannelRecord } from "../../state/records.js";
import { serializeChannel, serializeThreadMember } from "../../state/serialize.js";
import { validateThreadName } from "../../validation/message.js";
import { assertValid, RestError, threadAlreadyCreated, unknownChannel, unknownMember } from "../errors.js";
import type { RouteContext, RouteDefinition } from "../router.js";

function threadOf(ctx: RouteContext): ChannelRecord {
  const channel = ctx.core.channelForBot(ctx.params.channel_id!);
  if (!channel.thread) throw unknownChannel();
  return channel;
}

const threadMemberPayload = (ctx: RouteContext, thread: ChannelRecord, userId: string) => {
  const joinedAt = ctx.core.store.threadJoins.get(thread.id)?.get(userId) ?? new Date();
  return {
    ...serializeThreadMember(thread.id, userId, joinedAt),
    ...(ctx.query.get("with_member") === "true"
      ? { member: memberPayload(ctx.core.store, thread.guildId, userId) }
      : {}),
  };
};

const userIdOf = (ctx: RouteContext) =>
  ctx.params.user_id === undefined ? ctx.core.store.bot.id : ctx.params.user_id;

export const threadRoutes: RouteDefinition[] = [
  {
    method: "POST",
    path: "/channels/:channel_id/messages/:message_id/threads",
    major: "channel_id",
    handle: (ctx) => {
      const { core, params, body } = ctx;
      const parent = core.channelForBot(params.channel_id!);
      const message = core.messageIn(parent, params.message_id!);
      assertValid(validateThreadName(body.name));
      if (parent.thread) throw new RestError(400, 50024, "Cannot execute action on this channel type");
      if (message.threadId) throw threadAlreadyCreated();
      const thread = core.store.createThread({
        parentId: parent.id,
        name: body.name as string,
        ownerId: core.store.bot.id,
        type:
          parent.type === ChannelType.GuildAnnouncement
            ? ChannelType.AnnouncementThread
            : ChannelType.PublicThread,
        ...(typeof body.auto_archive_duration === "number"
          ? { autoArchiveDuration: body.auto_archive_duration }
          : {}),
        starterMessage: message,
      });
      return { status: 201, body: serializeChannel(thread) };
    },
  },
  {
    method: "POST",
    path: "/channels/:channel_id/threads",
    major: "channel_id",
    handle: (ctx) => {
      const { core, params, body } = ctx;
      const parent = core.channelForBot(params.channel_id!);
      assertValid(validateThreadName(body.name));
      if (parent.thread) throw new RestError(400, 50024, "Cannot execute action on this channel type");
      const type =
        body.type === ChannelType.PublicThread || body.type === ChannelType.AnnouncementThread
          ? body.type
          : ChannelType.PrivateThread;
      const thread = core.store.createThread({
        parentId: parent.id,
        name: body.name as string,
        ownerId: core.store.bot.id,
        type,
        ...(typeof body.auto_archive_duration === "number"
          ? { autoArchiveDuration: body.auto_archive_duration }
          : {}),
        ...(typeof body.invitable === "boolean" ? { invitable: body.invitable } : {}),
      });
      return { status: 201, body: serializeChannel(thread) };
    },
  },
  {
    method: "GET",
    path: "/channels/:channel_id/threads/archived/public",
    major: "channel_id",
    handle: (ctx) => {
      const parent = ctx.core.channelForBot(ctx.params.channel_id!);
      const threads = [...ctx.core.store.channels.values()].filter(
        (c) => c.parentId === parent.id && c.thread?.archived && c.type !== ChannelType.PrivateThread,
      );
      return { body: { threads: threads.map(serializeChannel), members: [], has_more: false } };
    },
  },
  ...(
    ["/channels/:channel_id/thread-members/@me", "/channels/:channel_id/thread-members/:user_id"] as const
  ).flatMap((path): RouteDefinition[] => [
    {
      method: "PUT",
      path,
      major: "channel_id",
      handle: (ctx) => {
        const thread = threadOf(ctx);
        const userId = userIdOf(ctx);
        if (!ctx.core.store.requireGuild(thread.guildId).members.has(userId)) throw unknownMember();
        ctx.core.store.addThreadMember(thread, userId);
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      path,
      major: "channel_id",
      handle: (ctx) => {
        ctx.core.store.removeThreadMember(threadOf(ctx), userIdOf(ctx));
        return { status: 204 };
      },
    },
  ]),
  {
    method: "GET",
    path: "/channels/:channel_id/thread-members/:user_id",
    major: "channel_id",
    handle: (ctx) => {
      const thread = threadOf(ctx);
      if (!thread.thread!.memberIds.has(ctx.params.user_id!)) throw unknownMember();
      return { body: threadMemberPayload(ctx, thread, ctx.params.user_id!) };
    },
  },
  {
    method: "GET",
    path: "/channels/:channel_id/thread-members",
    major: "channel_id",
    handle: (ctx) => {
      const thread = threadOf(ctx);
      return { body: [...thread.thread!.memberIds].map((id) => threadMemberPayload(ctx, thread, id)) };
    },
  },
];
