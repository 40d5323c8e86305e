// Which rules guard which action, in the order a person should hear about problems (where before who before what).

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
  promptNotEmpty,
  promptWithinLimit,
  queueNotFull,
  reactorIsAuthor,
  sessionNotStopped,
  threadIsSession,
} from "./rules.js";

/**
 * `launch`: 🚀 on a message; `new`/`say`/`cancel`/`stop`/`queue`: the `/omp` subcommands;
 * `message`: a plain message in a session thread (treated like `say`); `button`: Cancel/Stop on a dashboard.
 */
export type AccessAction = "launch" | "new" | "say" | "message" | "cancel" | "stop" | "queue" | "button";

const where = [notDirectMessage, inConfiguredGuild];
const inSession = [...where, allowedUser, threadIsSession, sessionNotStopped];
const prompt = [promptNotEmpty, promptWithinLimit];

export const ACCESS_RULES: Record<AccessAction, readonly AccessRule[]> = {
  launch: [
    ...where,
    messageFromHuman,
    allowedUser,
    inLaunchChannel,
    reactorIsAuthor,
    messageNotEmpty,
    promptWithinLimit,
  ],
  new: [...where, allowedUser, inLaunchChannel, ...prompt],
  say: [...inSession, ...prompt, queueNotFull],
  message: [...where, messageFromHuman, ...inSession.slice(where.length), ...prompt, queueNotFull],
  cancel: inSession,
  stop: inSession,
  // The queue is visible in the thread anyway, but listing it is still the bot acting for someone.
  queue: [...where, allowedUser, threadIsSession],
  button: inSession,
};

/** The first refusal among the action's rules, or `{ ok: true }`. */
export function checkAccess(action: AccessAction, facts: AccessFacts, policy: AccessPolicy): AccessResult {
  for (const rule of ACCESS_RULES[action]) {
    const result = rule(facts, policy);
    if (!result.ok) return result;
  }
  return { ok: true };
}
