// The dashboards' way into Discord (the DashboardThreads port of src/dashboard/bridge.ts) through
// discord.js: posting and pinning a dashboard message, editing it, posting what the outbox delivers.
// Discord's "unknown channel/message" answers become DashboardGoneError; every other error keeps
// discord.js's shape, so the outbox can tell a refusal from a transient failure.

import { AttachmentBuilder, type Client, DiscordAPIError, RESTJSONErrorCodes } from "discord.js";
import type { DashboardThreads } from "../dashboard/bridge.js";
import { DashboardGoneError, type DashboardSink, type ThreadMessage } from "../dashboard/live/index.js";
import type { DashboardPayload } from "../dashboard/render.js";

export class DiscordDashboardThreads implements DashboardThreads {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async postDashboard(threadId: string, payload: DashboardPayload): Promise<string> {
    const thread = await fetchThread(this.#client, threadId);
    const message = await thread.send(payload);
    return message.id;
  }

  async pin(threadId: string, messageId: string): Promise<void> {
    const thread = await fetchThread(this.#client, threadId);
    await thread.messages.pin(messageId);
  }

  sink(threadId: string, messageId: string): DashboardSink {
    return new ThreadDashboardSink(this.#client, threadId, messageId);
  }

  async typing(threadId: string): Promise<void> {
    const thread = await fetchThread(this.#client, threadId);
    await thread.sendTyping();
  }

  async post(threadId: string, message: ThreadMessage): Promise<void> {
    const thread = await fetchThread(this.#client, threadId);
    const files = message.files?.map((file) =>
      "path" in file
        ? new AttachmentBuilder(file.path, { name: file.name })
        : new AttachmentBuilder(file.data, { name: file.name }),
    );
    try {
      await thread.send({
        content: message.content,
        files,
        allowedMentions: { parse: [] },
        // A reply to a message deleted meanwhile still lands, as a plain message.
        ...(message.replyTo ? { reply: { messageReference: message.replyTo, failIfNotExists: false } } : {}),
      });
    } catch (error) {
      throw gone(error);
    }
  }
}

async function fetchThread(client: Client, threadId: string) {
  try {
    const channel = await client.channels.fetch(threadId);
    if (!channel?.isThread()) throw new DashboardGoneError("thread");
    return channel;
  } catch (error) {
    throw gone(error);
  }
}

/** One thread's dashboard message, edited through discord.js. */
class ThreadDashboardSink implements DashboardSink {
  readonly #client: Client;
  readonly #threadId: string;
  readonly #messageId: string;

  constructor(client: Client, threadId: string, messageId: string) {
    this.#client = client;
    this.#threadId = threadId;
    this.#messageId = messageId;
  }

  async edit(payload: DashboardPayload): Promise<void> {
    const thread = await fetchThread(this.#client, this.#threadId);
    try {
      await thread.messages.edit(this.#messageId, payload);
    } catch (error) {
      if (
        error instanceof DiscordAPIError &&
        error.code === RESTJSONErrorCodes.InvalidActionOnArchivedThread
      ) {
        // Someone archived a live session's thread by hand: reopen it so the dashboard keeps working.
        await thread.setArchived(false, "ompcord session still active").catch(() => undefined);
      }
      throw gone(error);
    }
  }
}

function gone(error: unknown): unknown {
  if (!(error instanceof DiscordAPIError)) return error;
  if (error.code === RESTJSONErrorCodes.UnknownChannel)
    return new DashboardGoneError("thread", { cause: error });
  if (error.code === RESTJSONErrorCodes.UnknownMessage)
    return new DashboardGoneError("message", { cause: error });
  return error;
}
