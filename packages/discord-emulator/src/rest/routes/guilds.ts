// Guild, member, role, channel and active-thread fetches.

import { guildPayload, memberPayload } from "../../state/guild-payload.js";
import { everyoneRole, serializeChannel } from "../../state/serialize.js";
import { unknownGuild, unknownMember } from "../errors.js";
import type { RouteContext, RouteDefinition } from "../router.js";

function guildOf(ctx: RouteContext) {
  const guild = ctx.core.store.guilds.get(ctx.params.guild_id!);
  if (!guild) throw unknownGuild();
  return guild;
}

const visibleChannels = (ctx: RouteContext, guildId: string) =>
  [...ctx.core.store.channels.values()].filter((c) => c.guildId === guildId && !c.hiddenFromBot);

export const guildRoutes: RouteDefinition[] = [
  {
    method: "GET",
    path: "/guilds/:guild_id",
    major: "guild_id",
    handle: (ctx) => {
      const guild = guildOf(ctx);
      return {
        body: {
          ...guildPayload(guild),
          approximate_member_count: guild.members.size,
        },
      };
    },
  },
  {
    method: "GET",
    path: "/guilds/:guild_id/channels",
    major: "guild_id",
    handle: (ctx) => ({
      body: visibleChannels(ctx, guildOf(ctx).id)
        .filter((c) => !c.thread)
        .map(serializeChannel),
    }),
  },
  {
    method: "GET",
    path: "/guilds/:guild_id/threads/active",
    major: "guild_id",
    handle: (ctx) => {
      const threads = visibleChannels(ctx, guildOf(ctx).id).filter((c) => c.thread && !c.thread.archived);
      return { body: { threads: threads.map(serializeChannel), members: [] } };
    },
  },
  {
    method: "GET",
    path: "/guilds/:guild_id/roles",
    major: "guild_id",
    handle: (ctx) => ({ body: [everyoneRole(guildOf(ctx))] }),
  },
  {
    method: "GET",
    path: "/guilds/:guild_id/members/:user_id",
    major: "guild_id",
    handle: (ctx) => {
      const guild = guildOf(ctx);
      if (!guild.members.has(ctx.params.user_id!)) throw unknownMember();
      return { body: memberPayload(ctx.core.store, guild.id, ctx.params.user_id!) };
    },
  },
  {
    method: "GET",
    path: "/guilds/:guild_id/members",
    major: "guild_id",
    handle: (ctx) => {
      const guild = guildOf(ctx);
      const limit = Math.min(Number(ctx.query.get("limit") ?? 1), 1000);
      const after = BigInt(ctx.query.get("after") ?? "0");
      const ids = [...guild.members.keys()].filter((id) => BigInt(id) > after).slice(0, limit);
      return { body: ids.map((id) => memberPayload(ctx.core.store, guild.id, id)) };
    },
  },
];
