// Every number the live dashboard controller paces itself by, named once (SPEC §1 cadence, SPEC §9 budget).

/**
 * The share of Discord's global limit for one bot (50 requests/s, all routes together, SPEC §9) that the
 * dashboards (edits and run-end posts) may use together. The other 10/s stay free for interactions,
 * thread creation, pins and discord.js's own retries.
 */
export const DASHBOARD_REQUESTS_PER_SECOND = 40;

/** SPEC §1: never more than one edit per second per dashboard, however quiet the others are. */
export const MIN_EDIT_INTERVAL_MS = 1000;

/**
 * Discord counts message sends and edits in one channel together (its write limit, which no header
 * announces): 5 per 5 s. Every write the bot makes into a thread (dashboard edits, answers, notes,
 * replies, reactions) books a place in that thread's ThreadWriteWindow. A write holds its place while in
 * flight and for the window after it settled (Discord saw it at the latest then), plus a margin for
 * clock granularity: however late a request leaves or however long it queues, no sixth write reaches
 * one of Discord's windows.
 */
export const CHANNEL_WRITES_PER_WINDOW = 5;
export const CHANNEL_WRITE_WINDOW_MS = 5_000;
export const CHANNEL_WRITE_MARGIN_MS = 250;
/** Writes into one thread go one at a time: a post and an edit never race, messages keep their order. */
export const CHANNEL_WRITES_IN_FLIGHT = 1;

/**
 * While a run is busy but quiet (a long tool, a model thinking), the dashboard is repainted this long
 * after its last edit, so its elapsed time moves and people can tell a working agent from a stuck one.
 */
export const HEARTBEAT_MS = 15_000;

/** A failed edit is tried again this many times before the dashboard waits for a newer state. */
export const EDIT_RETRIES = 2;

/**
 * How long the outbox keeps retrying a thread whose messages meet transient errors (5xx, network, a 429
 * discord.js did not absorb) before it marks the message undeliverable and `/omp status` names it.
 * Discord's API incidents mostly clear within minutes and sometimes take a quarter of an hour; 20
 * minutes rides those out, and a person waiting for an answer learns within the same half hour that it
 * will not come (the transcript on the host still holds it). Counted from the thread's first failure in
 * a row; a restart starts the count again, since the outage may have been the bot's own.
 */
export const OUTBOX_RETRY_FOR_MS = 20 * 60_000;

/** Pause before the outbox's next attempt at a thread: doubled per failure in a row, up to the max. */
export const OUTBOX_RETRY_DELAY_MS = 1000;
export const OUTBOX_RETRY_DELAY_MAX_MS = 30_000;

/**
 * A message with files whose upload failed this many times in a row is posted without them (the note
 * then names where the transcript is on the host): a server that refuses uploads but takes plain
 * messages must not hold the run's closing note for the whole retry time. Each attempt is discord.js's
 * four requests.
 */
export const OUTBOX_UPLOAD_ATTEMPTS = 3;

/** `/omp status` lists messages that became undeliverable within this long, newest first. */
export const OUTBOX_STATUS_WINDOW_MS = 24 * 60 * 60_000;

/** First pause after a failed request; doubled for each failure in a row, up to `RETRY_DELAY_MAX_MS`. */
export const RETRY_DELAY_MS = 1000;
export const RETRY_DELAY_MAX_MS = 15_000;

/** A run's answer longer than this many messages is posted as its first part plus `answer.md`. */
export const MAX_ANSWER_MESSAGES = 5;

/** Discord's default upload limit for a bot's message; a bigger transcript is not attached. */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

/** The part of a run's error shown in the thread; the transcript and the logs hold the rest. */
export const ERROR_NOTE_CHARS = 500;
