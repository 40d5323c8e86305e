// What keeps one 🚀 from launching twice within this process, and one person's refusals from filling a
// channel with notices. Built by the app and held on the BotContext: an in-process restart (the test
// harness makes them) starts with a fresh one. Across restarts the database's unique launch-message key
// does the first job.

/** How many (message, person) refusals are remembered so each is noticed once. */
export const REFUSALS_REMEMBERED = 1000;

export class LaunchGuard {
  readonly #inFlight = new Set<string>();
  readonly #refused = new Set<string>();
  readonly #refusalsRemembered: number;

  constructor(options: { refusalsRemembered?: number } = {}) {
    this.#refusalsRemembered = options.refusalsRemembered ?? REFUSALS_REMEMBERED;
  }

  /** The launch of a message started: reactions on it start nothing until it ends. */
  begin(messageId: string): void {
    this.#inFlight.add(messageId);
  }

  /** The launch of a message ended, however it went. */
  end(messageId: string): void {
    this.#inFlight.delete(messageId);
  }

  /** A launch of this message is under way (the second click of a double click). */
  inFlight(messageId: string): boolean {
    return this.#inFlight.has(messageId);
  }

  /**
   * True the first time this person is refused on this message. Remembered only to keep one person from
   * filling a channel with notices: past the limit the oldest are forgotten first.
   */
  firstRefusal(messageId: string, userId: string): boolean {
    const key = `${messageId}:${userId}`;
    if (this.#refused.has(key)) return false;
    this.#refused.add(key);
    if (this.#refused.size > this.#refusalsRemembered)
      this.#refused.delete(this.#refused.values().next().value!);
    return true;
  }
}
