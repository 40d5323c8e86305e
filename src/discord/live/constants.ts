// Every number the live dashboard controller paces itself by, named once (SPEC §1 cadence, SPEC §9 budget).

/** Discord's global limit for one bot, all routes together (SPEC §9). */
export const GLOBAL_REQUESTS_PER_SECOND = 50;

/**
 * The share of the global budget the dashboards (edits and run-end posts) may use together. The other
 * 10/s stay free for interactions, thread creation, pins and discord.js's own retries.
 */
export const DASHBOARD_REQUESTS_PER_SECOND = 40;

/** SPEC §1: never more than one edit per second per dashboard, however quiet the others are. */
export const MIN_EDIT_INTERVAL_MS = 1000;

/**
 * Discord counts message sends and edits in one channel together (its write limit, which no header
 * announces): 5 per 5 s. A thread's dashboard edits and run-end posts stay within it, with a margin so
 * that request latency never lands a sixth write in one of Discord's windows.
 */
export const CHANNEL_WRITES_PER_WINDOW = 5;
export const CHANNEL_WRITE_WINDOW_MS = 5_000;
export const CHANNEL_WRITE_MARGIN_MS = 250;

/**
 * While a run is busy but quiet (a long tool, a model thinking), the dashboard is repainted this long
 * after its last edit, so its elapsed time moves and people can tell a working agent from a stuck one.
 */
export const HEARTBEAT_MS = 15_000;

/** A failed edit is tried again this many times before the dashboard waits for a newer state. */
export const EDIT_RETRIES = 2;

/** A failed post (answer, failure note) is tried again this many times, then given up with a warning. */
export const POST_RETRIES = 1;

/** First pause after a failed request; doubled for each failure in a row, up to `RETRY_DELAY_MAX_MS`. */
export const RETRY_DELAY_MS = 1000;
export const RETRY_DELAY_MAX_MS = 15_000;

/** A run's answer longer than this many messages is posted as its first part plus `answer.md`. */
export const MAX_ANSWER_MESSAGES = 5;

/** Discord's default upload limit for a bot's message; a bigger transcript is not attached. */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

/** The part of a run's error shown in the thread; the transcript and the logs hold the rest. */
export const ERROR_NOTE_CHARS = 500;
