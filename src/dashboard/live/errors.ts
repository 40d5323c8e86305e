// The typed error a DashboardSink throws when there is nothing left to paint on.

/** The thread or the dashboard message no longer exists: the controller stops and reports it once. */
export class DashboardGoneError extends Error {
  override readonly name = "DashboardGoneError";
  /** Which one disappeared, for the log line. */
  readonly what: "thread" | "message";

  constructor(what: "thread" | "message", options?: { cause?: unknown }) {
    super(
      what === "thread"
        ? "The session's thread no longer exists"
        : "The session's dashboard message no longer exists",
      options,
    );
    this.what = what;
  }
}

/** True for a DashboardGoneError, also one from another copy of this module (tests, bundles). */
export function isDashboardGone(error: unknown): error is DashboardGoneError {
  return (
    error instanceof DashboardGoneError || (error instanceof Error && error.name === "DashboardGoneError")
  );
}

/**
 * What a failed thread write means for the outbox:
 * - `gone`: the thread no longer exists; nothing more can be posted there.
 * - `permanent`: Discord refused this message and would refuse it again (a 4xx: invalid body, missing
 *   access, a file too large); only a different message can land.
 * - `transient`: the request may land later (5xx, network, a timeout, a 429 discord.js gave back).
 */
export type DeliveryFailure = "gone" | "permanent" | "transient";

/** Discord's error code for a request body too large (413 on uploads). */
const REQUEST_TOO_LARGE = 40005;

function numberField(error: unknown, field: "status" | "code"): number | undefined {
  if (typeof error !== "object" || error === null || !(field in error)) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === "number" ? value : undefined;
}

/** Reads discord.js's DiscordAPIError (status + code) and HTTPError (status) by shape, fakes too. */
export function classifyDeliveryError(error: unknown): DeliveryFailure {
  if (isDashboardGone(error)) return error.what === "thread" ? "gone" : "permanent";
  const status = numberField(error, "status");
  const code = numberField(error, "code");
  if (status === 413 || code === REQUEST_TOO_LARGE) return "permanent";
  if (status === undefined || status === 429 || status === 408 || status >= 500) return "transient";
  return status >= 400 ? "permanent" : "transient";
}

/**
 * A short account of a failed request for logs and for people: status, Discord's code and message.
 * Never the request body (discord.js errors carry it, files included).
 */
export function describeDeliveryError(error: unknown): string {
  const status = numberField(error, "status");
  const code = numberField(error, "code");
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/\s+/g, " ").trim().slice(0, 200);
  const head = status === undefined ? "" : `${status} `;
  const tail = code === undefined || code === 0 || message.includes(String(code)) ? "" : ` (code ${code})`;
  return `${head}${message || "no message"}${tail}`.trim();
}
