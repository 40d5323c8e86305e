// The session lifecycle's way into Discord (the SessionThreads port of src/sessions/ports.ts) through
// discord.js: whether a session's thread still exists, and archiving it when the session stops.

import { type Client, DiscordAPIError } from "discord.js";
import type { Logger } from "../log.js";
import type { SessionThreads } from "../sessions/ports.js";

export class DiscordSessionThreads implements SessionThreads {
  readonly #client: Client;
  readonly #logger: Logger;

  constructor(client: Client, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  /** Asks Discord, not the cache: a thread deleted while the bot was away may still be cached. */
  async exists(threadId: string): Promise<boolean> {
    try {
      const thread = await this.#client.channels.fetch(threadId, { force: true });
      return thread?.isThread() ?? false;
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status === 404) return false;
      throw error;
    }
  }

  /** Archives a stopped session's thread; a failure (a missing permission) is logged, not thrown. */
  async archive(threadId: string): Promise<void> {
    try {
      const thread = await this.#client.channels.fetch(threadId);
      if (thread?.isThread()) await thread.setArchived(true, "ompcord session stopped");
    } catch (error) {
      this.#logger.warn({ err: error, threadId }, "could not archive the thread");
    }
  }
}
