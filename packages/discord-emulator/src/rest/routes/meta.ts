// Who the bot is and where the gateway lives: users/@me, applications/@me, gateway(/bot).

import { serializeUser } from "../../state/serialize.js";
import { unknownUser } from "../errors.js";
import type { RouteDefinition } from "../router.js";

export const metaRoutes: RouteDefinition[] = [
  {
    method: "GET",
    path: "/gateway",
    auth: "none",
    handle: ({ core }) => ({ body: { url: core.gatewayUrl } }),
  },
  {
    method: "GET",
    path: "/gateway/bot",
    handle: ({ core }) => ({
      body: {
        url: core.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      },
    }),
  },
  {
    method: "GET",
    path: "/users/@me",
    handle: ({ core }) => ({
      body: { ...serializeUser(core.store.bot), verified: true, mfa_enabled: false },
    }),
  },
  {
    method: "GET",
    path: "/users/:user_id",
    handle: ({ core, params }) => {
      const user = core.store.users.get(params.user_id!);
      if (!user) throw unknownUser();
      return { body: serializeUser(user) };
    },
  },
  {
    method: "GET",
    path: "/applications/@me",
    handle: ({ core }) => ({ body: applicationPayload(core.store.applicationId, core.store.bot) }),
  },
  {
    method: "GET",
    path: "/oauth2/applications/@me",
    handle: ({ core }) => ({ body: applicationPayload(core.store.applicationId, core.store.bot) }),
  },
];

function applicationPayload(id: string, bot: Parameters<typeof serializeUser>[0]) {
  return {
    id,
    name: bot.username,
    icon: null,
    description: "ompcord on the local Discord emulator",
    bot_public: false,
    bot_require_code_grant: false,
    verify_key: "0".repeat(64),
    flags: 0,
    bot: serializeUser(bot),
    owner: serializeUser(bot),
    team: null,
    summary: "",
    tags: [],
    approximate_guild_count: 1,
  };
}
