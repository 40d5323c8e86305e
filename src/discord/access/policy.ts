// The access policy every check runs against: the configured ids and limits, read from the config once.

import type { Config } from "../../config/index.js";
import type { AccessPolicy } from "./rules.js";

export function accessPolicy(config: Pick<Config, "discord" | "limits">): AccessPolicy {
  return {
    guildId: config.discord.guildId,
    allowedUserIds: config.discord.allowedUserIds,
    launchChannelIds: config.discord.launchChannelIds,
    promptMaxChars: config.limits.promptMaxChars,
    queueDepthMax: config.limits.queueDepthMax,
  };
}
