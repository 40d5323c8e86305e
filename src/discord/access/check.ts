// How rules are composed: in the order a person should hear about problems (shutdown, then where, then
// who, then what), from the groups below. The slash subcommands declare their own lists
// (src/discord/commands/); the other ways in are listed here.

import {
  type AccessFacts,
  type AccessPolicy,
  type AccessResult,
  type AccessRule,
  allowedUser,
  inConfiguredGuild,
  inLaunchChannel,
  messageFromHuman,
  messageNotEmpty,
  notDirectMessage,
  notShuttingDown,
  promptNotEmpty,
  promptWithinLimit,
  queueNotFull,
  reactorIsAuthor,
  sessionNotStopped,
  threadIsSession,
  withinDayCap,
} from "./rules.js";

/** Where: in the configured guild, never a DM. */
export const where: readonly AccessRule[] = [notDirectMessage, inConfiguredGuild];
/** An allowed user, in a session thread whose session still takes work. */
export const inSession: readonly AccessRule[] = [...where, allowedUser, threadIsSession, sessionNotStopped];
/** A prompt a person could read, within the length limit. */
export const prompt: readonly AccessRule[] = [promptNotEmpty, promptWithinLimit];

/**
 * The ways in that are not slash subcommands. `launch`: 🚀 on a message; `message`: a plain message in
 * a session thread (treated like `/omp say`); `button`: Cancel/Stop on a dashboard. Each changes
 * something, so each is refused once shutdown began.
 */
export const ACCESS_RULES = {
  launch: [
    notShuttingDown,
    ...where,
    messageFromHuman,
    allowedUser,
    inLaunchChannel,
    reactorIsAuthor,
    messageNotEmpty,
    promptWithinLimit,
    withinDayCap,
  ],
  message: [
    notShuttingDown,
    ...where,
    messageFromHuman,
    ...inSession.slice(where.length),
    ...prompt,
    queueNotFull,
    withinDayCap,
  ],
  button: [notShuttingDown, ...inSession],
} satisfies Record<string, readonly AccessRule[]>;

/** The first refusal among `rules`, or `{ ok: true }`. */
export function checkAccess(
  rules: readonly AccessRule[],
  facts: AccessFacts,
  policy: AccessPolicy,
): AccessResult {
  for (const rule of rules) {
    const result = rule(facts, policy);
    if (!result.ok) return result;
  }
  return { ok: true };
}
