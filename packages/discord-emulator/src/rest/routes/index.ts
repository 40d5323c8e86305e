// The whole REST surface, one file per resource.

import { Router } from "../router.js";
import { channelRoutes } from "./channels.js";
import { commandRoutes } from "./commands.js";
import { guildRoutes } from "./guilds.js";
import { interactionRoutes } from "./interactions.js";
import { messageRoutes } from "./messages.js";
import { metaRoutes } from "./meta.js";
import { pinRoutes } from "./pins.js";
import { reactionRoutes } from "./reactions.js";
import { threadRoutes } from "./threads.js";

export function restRouter(): Router {
  return new Router().add(
    ...metaRoutes,
    ...commandRoutes,
    ...guildRoutes,
    ...channelRoutes,
    ...messageRoutes,
    ...threadRoutes,
    ...reactionRoutes,
    ...pinRoutes,
    ...interactionRoutes,
  );
}
