// Approval cards and questions into Discord (the DecisionCards port of src/approvals/desk.ts): posted and
// edited in the thread's shared write window like every other write of the bot. An edit never sends
// `files`: discord.js turns `files: []` into `attachments: []`, which would remove what the post attached.

import { AttachmentBuilder, type Client } from "discord.js";
import type { CardMessage } from "../approvals/card.js";
import type { DecisionCards } from "../approvals/desk.js";
import { type ThreadWriteWindows, writeInWindow } from "../dashboard/live/index.js";

export class DiscordDecisionCards implements DecisionCards {
  readonly #client: Client;
  readonly #writes: Pick<ThreadWriteWindows, "for">;

  constructor(client: Client, writes: Pick<ThreadWriteWindows, "for">) {
    this.#client = client;
    this.#writes = writes;
  }

  async post(threadId: string, message: CardMessage): Promise<string> {
    const thread = await this.#thread(threadId);
    const sent = await writeInWindow(this.#writes.for(threadId), () =>
      thread.send({
        content: message.content,
        embeds: message.embeds,
        components: message.components,
        allowedMentions: message.allowedMentions,
        ...(message.files.length > 0
          ? {
              files: message.files.map(
                (file) => new AttachmentBuilder(Buffer.from(file.text), { name: file.name }),
              ),
            }
          : {}),
      }),
    );
    return sent.id;
  }

  async edit(threadId: string, messageId: string, message: CardMessage): Promise<void> {
    const thread = await this.#thread(threadId);
    await writeInWindow(this.#writes.for(threadId), () =>
      thread.messages.edit(messageId, {
        content: message.content,
        embeds: message.embeds,
        components: message.components,
        allowedMentions: message.allowedMentions,
      }),
    );
  }

  async ping(threadId: string, userId: string, content: string): Promise<void> {
    const thread = await this.#thread(threadId);
    await writeInWindow(this.#writes.for(threadId), () =>
      thread.send({ content, allowedMentions: { parse: [], users: [userId] } }),
    );
  }

  async #thread(threadId: string) {
    const channel = await this.#client.channels.fetch(threadId);
    if (!channel?.isThread()) throw new Error(`channel ${threadId} is not a thread`);
    return channel;
  }
}
