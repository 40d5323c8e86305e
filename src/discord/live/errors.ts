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
