// Defaults and limits of the sidecar API (SPEC §4), named once.

/** Loopback only: the API is for omp processes on this machine, never for the network. */
export const SIDECAR_DEFAULT_HOST = "127.0.0.1";
/** Telemetry events are small; anything larger is a bug or an attack, refused before it is parsed. */
export const SIDECAR_DEFAULT_BODY_LIMIT = 64 * 1024;
export const SIDECAR_LIMITS = {
  sessionIdChars: 200,
  eventTypeChars: 100,
} as const;
/** Prefix of every metric the bot defines (default process metrics keep prom-client's names). */
export const METRIC_PREFIX = "ompcord_";
