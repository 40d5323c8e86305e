// Channel fetch and edit (rename; archive, lock, auto-archive for threads) and typing.

import { serializeChannel } from "../../state/serialize.js";
import type { ChannelPatch } from "../../state/store.js";
import { validateThreadName } from "../../validation/message.js";
import { assertValid } from "../errors.js";
import type { RouteDefinition } from "../router.js";

export const channelRoutes: RouteDefinition[] = [
  {
    method: "GET",
    path: "/channels/:channel_id",
    major: "channel_id",
    handle: ({ core, params }) => ({ body: serializeChannel(core.channelForBot(params.channel_id!)) }),
  },
  {
    method: "PATCH",
    path: "/channels/:channel_id",
    major: "channel_id",
    handle: ({ core, params, body }) => {
      const channel = core.channelForBot(params.channel_id!);
      if (body.name !== undefined) assertValid(validateThreadName(body.name));
      const patch: ChannelPatch = {};
      if (typeof body.name === "string") patch.name = body.name;
      if (body.topic !== undefined) patch.topic = (body.topic as string | null) ?? null;
      if (typeof body.archived === "boolean") patch.archived = body.archived;
      if (typeof body.locked === "boolean") patch.locked = body.locked;
      if (typeof body.auto_archive_duration === "number")
        patch.autoArchiveDuration = body.auto_archive_duration;
      if (typeof body.invitable === "boolean") patch.invitable = body.invitable;
      return { body: serializeChannel(core.store.updateChannel(channel, patch)) };
    },
  },
  {
    method: "POST",
    path: "/channels/:channel_id/typing",
    major: "channel_id",
    handle: ({ core, params }) => {
      const channel = core.channelForBot(params.channel_id!);
      core.store.recordTyping(channel.id, core.store.bot.id);
      return { status: 204 };
    },
  },
];
