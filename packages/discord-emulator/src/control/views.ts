// Read-only snapshots of emulator state for tests: plain objects (JSON-friendly over HTTP), never live
// records, so a test cannot mutate the emulated world by accident.

import type { APIEmbed, APIModalInteractionResponseCallbackData } from "discord-api-types/v10";
import type {
  AllowedMentions,
  ChannelRecord,
  InteractionRecord,
  MessageComponents,
  MessageRecord,
  MessageVersion,
  UserRecord,
} from "../state/records.js";
import type { EmulatorStore } from "../state/store.js";

export interface UserView {
  id: string;
  username: string;
  bot: boolean;
}

/** What `emu.seed()` made: a guild "ompcord-dev", its #launch channel, and users alice and bob. */
export interface SeededWorld {
  guildId: string;
  channelId: string;
  users: { alice: UserView; bob: UserView };
}

export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string | null;
  size: number;
  url: string;
}

export interface MessageView {
  id: string;
  channelId: string;
  guildId: string | null;
  author: UserView;
  type: number;
  content: string;
  embeds: APIEmbed[];
  components: MessageComponents;
  attachments: AttachmentView[];
  flags: number;
  createdAt: Date;
  editedAt: Date | null;
  pinned: boolean;
  pinnedAt: Date | null;
  deleted: boolean;
  ephemeral: boolean;
  /** Every version, oldest first; `history.length - 1` is the number of edits. */
  history: MessageVersion[];
  reactions: { emoji: string; userIds: string[] }[];
  /** Users the message pings (after `allowed_mentions`): empty when the bot sent `parse: []`. */
  mentionIds: string[];
  /** The `allowed_mentions` of the latest write, as sent (null: none); per write in `history`. */
  allowedMentions: AllowedMentions | null;
  threadId: string | null;
  interactionId: string | null;
  referencedMessageId: string | null;
}

export interface ChannelView {
  id: string;
  guildId: string;
  name: string;
  type: number;
  parentId: string | null;
  isThread: boolean;
  archived: boolean;
  locked: boolean;
  ownerId: string | null;
  memberIds: string[];
  starterMessageId: string | null;
  lastPinAt: Date | null;
}

export interface InteractionView {
  id: string;
  token: string;
  type: number;
  userId: string;
  channelId: string;
  data: Record<string, unknown>;
  createdAt: Date;
  /** The initial callback type (4 reply, 5 defer, 6 deferred update, 7 update, 9 modal), null while unanswered. */
  callbackType: number | null;
  acknowledgedAt: Date | null;
  deferred: boolean;
  /** The original response (null before any, or for component updates: see `message`). */
  original: MessageView | null;
  followUps: MessageView[];
  /** Component interactions: the message the component is on, in its current state. */
  message: MessageView | null;
  /**
   * The modal the bot answered with (callback type 9) in Discord's callback shape, as the user sees it
   * (component ids filled in); null when the bot answered otherwise.
   */
  modal: APIModalInteractionResponseCallbackData | null;
  /** The MODAL_SUBMIT interaction once the user submitted that modal. */
  modalSubmitInteractionId: string | null;
  /** The choices an autocomplete was answered with (callback type 8), as the user sees them; null otherwise. */
  choices: { name: string; value: string | number }[] | null;
}

export const userView = (u: UserRecord): UserView => ({ id: u.id, username: u.username, bot: u.bot });

export function messageView(store: EmulatorStore, m: MessageRecord): MessageView {
  const author = store.users.get(m.authorId);
  return {
    id: m.id,
    channelId: m.channelId,
    guildId: m.guildId,
    author: author ? userView(author) : { id: m.authorId, username: "unknown", bot: false },
    type: m.type,
    content: m.content,
    embeds: structuredClone(m.embeds),
    components: structuredClone(m.components),
    attachments: m.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.bytes.length,
      url: a.url,
    })),
    flags: m.flags,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    pinned: m.pinned,
    pinnedAt: m.pinnedAt,
    deleted: m.deletedAt !== null,
    ephemeral: m.ephemeral,
    history: structuredClone(m.history),
    reactions: [...m.reactions.values()]
      .filter((r) => r.userIds.size > 0)
      .map((r) => ({
        emoji: r.emoji.id ? `${r.emoji.name}:${r.emoji.id}` : (r.emoji.name ?? ""),
        userIds: [...r.userIds],
      })),
    mentionIds: [...m.mentionIds],
    allowedMentions: structuredClone(m.allowedMentions),
    threadId: m.threadId,
    interactionId: m.interaction?.id ?? null,
    referencedMessageId: m.messageReference?.messageId ?? null,
  };
}

export function channelView(c: ChannelRecord): ChannelView {
  return {
    id: c.id,
    guildId: c.guildId,
    name: c.name,
    type: c.type,
    parentId: c.parentId,
    isThread: c.thread !== null,
    archived: c.thread?.archived ?? false,
    locked: c.thread?.locked ?? false,
    ownerId: c.thread?.ownerId ?? null,
    memberIds: [...(c.thread?.memberIds ?? [])],
    starterMessageId: c.thread?.starterMessageId ?? null,
    lastPinAt: c.lastPinTimestamp,
  };
}

export function interactionView(store: EmulatorStore, i: InteractionRecord): InteractionView {
  const view = (id: string | null) => {
    const m = id ? store.messages.get(id) : undefined;
    return m ? messageView(store, m) : null;
  };
  const original = view(i.originalMessageId);
  return {
    id: i.id,
    token: i.token,
    type: i.type,
    userId: i.userId,
    channelId: i.channelId,
    data: structuredClone(i.data),
    createdAt: i.createdAt,
    callbackType: i.callbackType,
    acknowledgedAt: i.callbackAt,
    deferred: i.callbackType === 5 || i.callbackType === 6,
    original,
    followUps: i.followUpMessageIds.flatMap((id) => view(id) ?? []),
    message: view(i.messageId),
    modal: i.modal ? structuredClone(i.modal.data) : null,
    modalSubmitInteractionId: i.modal?.submitInteractionId ?? null,
    choices: i.autocompleteChoices ? structuredClone(i.autocompleteChoices) : null,
  };
}
