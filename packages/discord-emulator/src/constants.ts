// Every limit, timing and code the emulator enforces, named once so tests and docs can quote them.

/** Discord's documented message and embed limits (SPEC §9). */
export const MessageLimits = {
  contentMaxChars: 2000,
  embedsMax: 10,
  embedTitleMaxChars: 256,
  embedDescriptionMaxChars: 4096,
  embedFieldsMax: 25,
  embedFieldNameMaxChars: 256,
  embedFieldValueMaxChars: 1024,
  embedFooterTextMaxChars: 2048,
  embedAuthorNameMaxChars: 256,
  embedsTotalMaxChars: 6000,
  threadNameMaxChars: 100,
  componentsRowsMax: 5,
} as const;

/**
 * Discord's limits on message components and modals. Sources: discord-api-types 0.38 (`payloads/v10/
 * message.d.ts`, `_interactions/responses.d.ts`: select custom id ≤ 100, placeholder ≤ 150, min_values
 * 0–25, max_values ≤ 25, options ≤ 25 with label/value/description ≤ 100; text input label ≤ 45; modal
 * custom id ≤ 100 and 1–5 components; label component label ≤ 45, description ≤ 100), @discordjs/builders
 * 1.15 (modal title 1–45; text input min_length 0–4000, max_length 1–4000, value ≤ 4000, placeholder ≤ 100;
 * button label ≤ 80), and twilight-validate's component rules (max_values at least 1).
 */
export const ComponentLimits = {
  rowButtonsMax: 5,
  customIdMaxChars: 100,
  buttonLabelMaxChars: 80,
  selectOptionsMin: 1,
  selectOptionsMax: 25,
  selectOptionTextMaxChars: 100,
  selectPlaceholderMaxChars: 150,
  selectMinValuesMax: 25,
  selectMaxValuesMin: 1,
  selectMaxValuesMax: 25,
  modalTitleMaxChars: 45,
  modalComponentsMin: 1,
  modalComponentsMax: 5,
  textInputLabelMaxChars: 45,
  textInputPlaceholderMaxChars: 100,
  textInputValueMaxChars: 4000,
  labelDescriptionMaxChars: 100,
  textDisplayMaxChars: 4000,
} as const;

/** At most `limit` requests per window of `windowMs`, the window opened by its first request. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Rate limits as Discord applies them to a bot (per route and major parameter unless said otherwise). */
export interface RateLimitRules {
  /** POST /channels/:id/messages, per channel; advertised in X-RateLimit-* headers. */
  messageCreate: RateLimitRule;
  /** PATCH /channels/:id/messages/:id, per channel; advertised in X-RateLimit-* headers. */
  messageEdit: RateLimitRule;
  /**
   * Writes (creates + edits) per channel, shared across routes and NOT advertised in headers: Discord's
   * "write rate limit" (429 with scope `shared`, code 20028). This is why a client that obeys the headers
   * still meets a 429 when it mixes sends and edits in one channel.
   */
  channelWrite: RateLimitRule;
  /** Every other route, per route and major parameter. */
  defaultRoute: RateLimitRule;
  /**
   * All requests authorised with the bot token (interaction callbacks and webhooks are exempt), counted in
   * fixed windows as discord.js counts them.
   */
  global: RateLimitRule;
}

export const DEFAULT_RATE_LIMITS: RateLimitRules = {
  messageCreate: { limit: 5, windowMs: 5_000 },
  messageEdit: { limit: 5, windowMs: 5_000 },
  channelWrite: { limit: 5, windowMs: 5_000 },
  defaultRoute: { limit: 50, windowMs: 1_000 },
  global: { limit: 50, windowMs: 1_000 },
};

/** How early a request may arrive for the next global window (see FixedWindow). */
export const GLOBAL_WINDOW_JITTER_MS = 50;

/** Interaction timing (SPEC §9). */
export const InteractionTiming = {
  /** The initial callback must arrive within this time of INTERACTION_CREATE. */
  callbackDeadlineMs: 3_000,
  /** After that, the token works on the webhook routes for this long. */
  tokenLifetimeMs: 15 * 60_000,
} as const;

/**
 * How long a wait (`waitForMessage`, `waitForReply` …) lasts when the caller gives no `timeoutMs`. Waits
 * end when their condition holds, so the ceiling costs time only on failure; it is generous because the
 * bot under test may share a loaded machine.
 */
export const DEFAULT_WAIT_MS = 30_000;

/** Gateway timing and buffers. */
export const GatewayDefaults = {
  /** Discord sends 41250; tests can shorten it through options. */
  heartbeatIntervalMs: 41_250,
  /** How long a disconnected session can still be resumed. */
  resumeWindowMs: 120_000,
  /** Dispatches kept per session for replay on RESUME. */
  replayBufferSize: 5_000,
  apiVersion: 10,
} as const;

/** Message flags the emulator acts on. */
export const MessageFlagBits = {
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressEmbeds: 1 << 2,
  SuppressNotifications: 1 << 12,
} as const;

/** Permission bits granted to every member of an emulated guild (administrator keeps checks simple). */
export const ALL_PERMISSIONS = "2251799813685247";

/** The `DISCORD_EPOCH` Discord snowflakes count from. */
export const DISCORD_EPOCH = 1_420_070_400_000n;
