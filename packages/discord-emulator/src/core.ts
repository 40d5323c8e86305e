// The pieces every REST route and control call shares: the store, settings, rate limiter, faults, counters,
// uploaded files, and the lookups that answer Discord's 404/403 codes.

import type { RestCounters } from "./control/counters.js";
import type { RestFaults } from "./faults/faults.js";
import type { RateLimiter } from "./ratelimit/limiter.js";
import type { UploadedFile } from "./rest/body.js";
import { missingAccess, unknownChannel, unknownMessage } from "./rest/errors.js";
import type { AttachmentRecord, ChannelRecord, MessageRecord } from "./state/records.js";
import type { EmulatorStore } from "./state/store.js";

export interface EmulatorSettings {
  botToken: string;
  interactionCallbackDeadlineMs: number;
  interactionTokenLifetimeMs: number;
}

export class EmulatorCore {
  /** `http://127.0.0.1:<port>`; set once listening. */
  baseUrl = "";
  gatewayUrl = "";
  readonly attachments = new Map<string, AttachmentRecord>();

  constructor(
    readonly store: EmulatorStore,
    readonly settings: EmulatorSettings,
    readonly limiter: RateLimiter,
    readonly faults: RestFaults,
    readonly counters: RestCounters,
  ) {}

  /** A channel the bot may use: 404 10003 when unknown, 403 50001 when hidden from the bot. */
  channelForBot(id: string): ChannelRecord {
    const channel = this.store.channels.get(id);
    if (!channel) throw unknownChannel();
    if (channel.hiddenFromBot) throw missingAccess();
    return channel;
  }

  /** A live (not deleted, not ephemeral) message of that channel, or 404 10008. */
  messageIn(channel: ChannelRecord, id: string): MessageRecord {
    const message = this.store.messages.get(id);
    if (!message || message.channelId !== channel.id || message.deletedAt || message.ephemeral)
      throw unknownMessage();
    return message;
  }

  /** Stores uploaded bytes as attachments served at `<baseUrl>/attachments/...`. */
  storeFile(channelId: string, file: UploadedFile, entry: { filename?: unknown; description?: unknown }) {
    const id = this.store.ids.next();
    const filename = typeof entry.filename === "string" && entry.filename ? entry.filename : file.filename;
    const record: AttachmentRecord = {
      id,
      filename,
      contentType: file.contentType,
      description: typeof entry.description === "string" ? entry.description : null,
      bytes: file.bytes,
      url: `${this.baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
    };
    this.attachments.set(id, record);
    return record;
  }
}
