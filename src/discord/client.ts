// The discord.js client ompcord logs in with: the intents and partials of SPEC §9, no mention ever
// parsed by default, and an optional API base (the local emulator in tests and playgrounds).

import { Client, DefaultRestOptions, GatewayIntentBits, Partials, type RESTOptions } from "discord.js";
import { type Clock, systemClock } from "../clock.js";
import type { Config } from "../config/index.js";
import { RequestBudget } from "../dashboard/live/pacing.js";

export const BOT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.MessageContent,
] as const;

// Reactions arrive for messages sent before the bot started, which it never cached.
export const BOT_PARTIALS = [Partials.Message, Partials.Channel, Partials.Reaction] as const;

/**
 * discord.js counts the global limit (50/s) in one-second windows opened by its own first request, Discord
 * in windows opened by the first request it receives: request latency jitter carries a request or two
 * from the end of one client window into the next server window, which then holds 51 and answers 429.
 * Staying a little under the limit absorbs that (50 dashboards flooding at once drew a global 429).
 */
export const REST_GLOBAL_REQUESTS_PER_SECOND = 45;

/**
 * The pace requests leave the bot at, one every 1000/45 ms at most. discord.js's limiter above lets a
 * whole window's worth go at once when its window opens; when launches, dashboards and posts together
 * ask for more than that (50 launches at once), every second starts with such a burst, and a burst
 * that Discord counts a little early or late (a busy CPU on either side) fills its window past 50: a
 * global 429 with nothing else wrong. Spaced requests cannot pile up at a window's edge.
 */
export const REST_STEADY_REQUESTS_PER_SECOND = 45;

/** Interaction callbacks and follow-ups: exempt from the global limit, and due within 3 s. */
const UNPACED_ROUTE = /\/(interactions|webhooks)\//;

/** discord.js's network call, with every bot request waiting for its place in a steady pace first. */
export function steadyRequests(
  options: { requestsPerSecond?: number; send?: RESTOptions["makeRequest"]; clock?: Clock } = {},
): RESTOptions["makeRequest"] {
  const {
    requestsPerSecond = REST_STEADY_REQUESTS_PER_SECOND,
    send = DefaultRestOptions.makeRequest,
    clock = systemClock,
  } = options;
  const pace = new RequestBudget(requestsPerSecond, clock);
  return async (url, init) => {
    if (!UNPACED_ROUTE.test(url))
      await waitFor(pace.reserve(), clock, init.signal as AbortSignal | undefined);
    return send(url, init);
  };
}

/** Waits `ms` on `clock`; discord.js's request timeout is running already, and its abort ends the wait. */
function waitFor(ms: number, clock: Clock, signal: AbortSignal | undefined): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(
        Object.assign(new Error("The request was aborted while it waited for its turn"), {
          name: "AbortError",
        }),
      );
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function createDiscordClient(config: Pick<Config, "discord">): Client {
  return new Client({
    intents: [...BOT_INTENTS],
    partials: [...BOT_PARTIALS],
    // Agent output must never ping anyone: a default for every send, repeated explicitly where we send.
    allowedMentions: { parse: [] },
    rest: {
      globalRequestsPerSecond: REST_GLOBAL_REQUESTS_PER_SECOND,
      makeRequest: steadyRequests(),
      ...(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}),
    },
  });
}
