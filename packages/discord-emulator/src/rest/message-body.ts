// Turns a message create/edit body (JSON or multipart) into a store patch: limits validated, uploads
// stored, kept attachments resolved, mentions filtered by `allowed_mentions`.

import type { APIEmbed } from "discord-api-types/v10";
import { MessageFlagBits } from "../constants.js";
import type { EmulatorCore } from "../core.js";
import type {
  AllowedMentions,
  AttachmentRecord,
  MessageComponents,
  MessageRecord,
} from "../state/records.js";
import type { MessagePatch } from "../state/store.js";
import { validateMessageBody } from "../validation/message.js";
import type { UploadedFile } from "./body.js";
import { assertValid } from "./errors.js";

/** Flags a message body may set; the others are Discord's to set. */
const SETTABLE_FLAGS =
  MessageFlagBits.SuppressEmbeds | MessageFlagBits.SuppressNotifications | MessageFlagBits.Ephemeral;

export interface MessageInput {
  patch: MessagePatch;
  mentionIds: string[];
}

export function parseMentions(content: string, allowed: unknown): string[] {
  const found = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!);
  if (!allowed || typeof allowed !== "object") return [...new Set(found)];
  const a = allowed as { parse?: string[]; users?: string[] };
  if (a.parse?.includes("users")) return [...new Set(found)];
  return [...new Set(found.filter((id) => a.users?.includes(id)))];
}

export function messageInput(
  core: EmulatorCore,
  channelId: string,
  body: Record<string, unknown>,
  files: UploadedFile[],
  existing?: MessageRecord,
): MessageInput {
  assertValid(validateMessageBody(body));
  const patch: MessagePatch = {};
  if (typeof body.content === "string") patch.content = body.content;
  else if (body.content === null) patch.content = "";
  if (Array.isArray(body.embeds)) patch.embeds = body.embeds as APIEmbed[];
  else if (body.embeds === null) patch.embeds = [];
  if (Array.isArray(body.components)) patch.components = body.components as MessageComponents;
  else if (body.components === null) patch.components = [];
  if (typeof body.flags === "number") patch.flags = body.flags & SETTABLE_FLAGS;
  patch.allowedMentions =
    body.allowed_mentions && typeof body.allowed_mentions === "object"
      ? structuredClone(body.allowed_mentions as AllowedMentions)
      : null;

  const byIndex = new Map(files.map((f) => [f.index, f]));
  const used = new Set<string>();
  let attachments: AttachmentRecord[] | undefined;
  if (Array.isArray(body.attachments)) {
    attachments = [];
    for (const entry of body.attachments as Record<string, unknown>[]) {
      const id = String(entry.id);
      const upload = byIndex.get(id);
      if (upload && !used.has(id)) {
        used.add(id);
        attachments.push(core.storeFile(channelId, upload, entry));
        continue;
      }
      const kept = existing?.attachments.find((a) => a.id === id);
      if (kept) attachments.push(kept);
    }
  }
  const unreferenced = files.filter((f) => !used.has(f.index));
  if (unreferenced.length > 0) {
    attachments = [
      ...(attachments ?? existing?.attachments ?? []),
      ...unreferenced.map((f) => core.storeFile(channelId, f, {})),
    ];
  }
  if (attachments) patch.attachments = attachments;
  const content = patch.content ?? existing?.content ?? "";
  return { patch, mentionIds: parseMentions(content, body.allowed_mentions) };
}

/** Discord refuses a message with nothing to show. */
export function isEmptyMessage(patch: MessagePatch): boolean {
  return (
    !patch.content &&
    (patch.embeds?.length ?? 0) === 0 &&
    (patch.attachments?.length ?? 0) === 0 &&
    (patch.components?.length ?? 0) === 0
  );
}
