// Channel messages: create (JSON or multipart), fetch, list, edit, delete.

import type { EmulatorCore } from "../../core.js";
import type { ChannelRecord } from "../../state/records.js";
import { serializeMessage } from "../../state/serialize.js";
import { archivedThread, cannotEditOthers, emptyMessage } from "../errors.js";
import { isEmptyMessage, messageInput } from "../message-body.js";
import type { RouteDefinition } from "../router.js";

/** Posting in an archived thread unarchives it, as on Discord; a locked one refuses. */
export function ensureWritable(core: EmulatorCore, channel: ChannelRecord): void {
  if (!channel.thread?.archived) return;
  if (channel.thread.locked) throw archivedThread();
  core.store.updateChannel(channel, { archived: false });
}

/** Changing anything in an archived thread (other than posting, which reopens it) answers 50083. */
export function ensureNotArchived(channel: ChannelRecord): void {
  if (channel.thread?.archived) throw archivedThread();
}

const ser = (core: EmulatorCore) => core.store.serializeContext;

export const messageRoutes: RouteDefinition[] = [
  {
    method: "POST",
    path: "/channels/:channel_id/messages",
    major: "channel_id",
    bucket: "messageCreate",
    channelWrite: true,
    handle: ({ core, params, body, files }) => {
      const channel = core.channelForBot(params.channel_id!);
      const { patch, mentionIds } = messageInput(core, channel.id, body, files);
      if (isEmptyMessage(patch)) throw emptyMessage();
      ensureWritable(core, channel);
      const ref = body.message_reference as { message_id?: string } | undefined;
      const replyTo = ref?.message_id ? core.messageIn(channel, ref.message_id) : undefined;
      const message = core.store.createMessage(
        {
          channelId: channel.id,
          authorId: core.store.bot.id,
          ...patch,
          flags: (patch.flags ?? 0) & ~64,
          mentionIds,
          ...(replyTo
            ? {
                type: 19,
                messageReference: { messageId: replyTo.id, channelId: channel.id, guildId: channel.guildId },
              }
            : {}),
        },
        { ephemeral: false },
      );
      return { body: serializeMessage(message, ser(core)) };
    },
  },
  {
    method: "GET",
    path: "/channels/:channel_id/messages",
    major: "channel_id",
    handle: ({ core, params, query }) => {
      const channel = core.channelForBot(params.channel_id!);
      const limit = Math.max(1, Math.min(Number(query.get("limit") ?? 50), 100));
      const all = core.store
        .channelMessages(channel.id)
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1));
      const before = query.get("before");
      const after = query.get("after");
      const around = query.get("around");
      let picked = all;
      if (before) picked = all.filter((m) => BigInt(m.id) < BigInt(before)).slice(0, limit);
      else if (after) picked = all.filter((m) => BigInt(m.id) > BigInt(after)).slice(-limit);
      else if (around) {
        const i = Math.max(
          0,
          all.findIndex((m) => BigInt(m.id) <= BigInt(around)),
        );
        picked = all.slice(
          Math.max(0, i - Math.floor(limit / 2)),
          Math.max(0, i - Math.floor(limit / 2)) + limit,
        );
      } else picked = all.slice(0, limit);
      return { body: picked.map((m) => serializeMessage(m, ser(core))) };
    },
  },
  {
    method: "GET",
    path: "/channels/:channel_id/messages/:message_id",
    major: "channel_id",
    handle: ({ core, params }) => {
      const channel = core.channelForBot(params.channel_id!);
      return { body: serializeMessage(core.messageIn(channel, params.message_id!), ser(core)) };
    },
  },
  {
    method: "PATCH",
    path: "/channels/:channel_id/messages/:message_id",
    major: "channel_id",
    bucket: "messageEdit",
    channelWrite: true,
    handle: ({ core, params, body, files }) => {
      const channel = core.channelForBot(params.channel_id!);
      const message = core.messageIn(channel, params.message_id!);
      if (message.authorId !== core.store.bot.id) throw cannotEditOthers();
      ensureNotArchived(channel);
      const { patch, mentionIds } = messageInput(core, channel.id, body, files, message);
      if (patch.flags !== undefined) patch.flags = (message.flags & ~(4 | 4096)) | (patch.flags & (4 | 4096));
      const after = {
        content: patch.content ?? message.content,
        embeds: patch.embeds ?? message.embeds,
        attachments: patch.attachments ?? message.attachments,
        components: patch.components ?? message.components,
      };
      if (isEmptyMessage(after)) throw emptyMessage();
      message.mentionIds = mentionIds;
      core.store.editMessage(message, patch);
      return { body: serializeMessage(message, ser(core)) };
    },
  },
  {
    method: "DELETE",
    path: "/channels/:channel_id/messages/:message_id",
    major: "channel_id",
    handle: ({ core, params }) => {
      const channel = core.channelForBot(params.channel_id!);
      core.store.deleteMessage(core.messageIn(channel, params.message_id!));
      return { status: 204 };
    },
  },
];
