// Discord's hard limits (SPEC §9) and the bot's own display budgets, named once.
// Lengths are counted in UTF-16 code units, which is never less than what Discord counts.

/** Hard limits enforced by Discord's API: exceeding any of them makes the request fail with a 400. */
export const DISCORD_LIMITS = {
  messageContent: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedAuthorName: 256,
  /** All text of all embeds of one message together. */
  embedTotal: 6000,
  threadName: 100,
  customId: 100,
  /** Largest `max_length` Discord accepts on a string option. */
  stringOptionMax: 6000,
  commandDescription: 100,
} as const;

/** What the bot chooses to show; each stays well inside the hard limits above. */
export const DISPLAY_LIMITS = {
  /** Output lines the dashboard keeps for its tail. */
  dashboardTailLines: 40,
  /** One output line on the dashboard; longer lines keep their start and end. */
  dashboardLineChars: 300,
  /** The prompt excerpt shown on the dashboard. */
  dashboardPromptChars: 900,
  /** The last tool's name (and short argument) on the dashboard. */
  dashboardToolChars: 100,
  /** Far below Discord's 2048: the footer only names the session, and every character comes off the tail. */
  dashboardFooterChars: 200,
  /** A note such as the reason a run failed. */
  dashboardNoteChars: 900,
  /** One prompt in the `/omp queue` listing. */
  queuePromptChars: 200,
  /** The reason next to one health check. */
  healthReasonChars: 300,
} as const;

/** Fallback text for places where Discord rejects an empty value. */
export const EMPTY_VALUE = "—";
