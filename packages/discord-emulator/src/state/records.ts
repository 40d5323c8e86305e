// The emulator's own records of Discord objects: what it stores, richer than what the API shows (edit
// history, attachment bytes, ephemeral replies). Serialisation to API payloads lives in serialize.ts.

import type {
  APIActionRowComponent,
  APIComponentInMessageActionRow,
  APIEmbed,
  APIModalInteractionResponseCallbackData,
  ChannelType,
  InteractionType,
  MessageType,
} from "discord-api-types/v10";

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  createdAt: Date;
  /** Join time per member id. */
  members: Map<string, Date>;
}

export interface ThreadState {
  ownerId: string;
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: number;
  archiveTimestamp: Date;
  createTimestamp: Date;
  invitable: boolean;
  memberIds: Set<string>;
  /** The message the thread was started from, when it was. */
  starterMessageId: string | null;
}

export interface ChannelRecord {
  id: string;
  guildId: string;
  name: string;
  type: ChannelType;
  parentId: string | null;
  topic: string | null;
  position: number;
  /** A channel the bot cannot see: every bot request on it answers 403 Missing Access. */
  hiddenFromBot: boolean;
  lastMessageId: string | null;
  lastPinTimestamp: Date | null;
  messageCount: number;
  /** Set for threads only. */
  thread: ThreadState | null;
}

export interface AttachmentRecord {
  id: string;
  filename: string;
  contentType: string | null;
  description: string | null;
  bytes: Buffer;
  /** Absolute URL served by the emulator. */
  url: string;
}

export type MessageComponents = APIActionRowComponent<APIComponentInMessageActionRow>[];

/** One state of a message: the first version, then one per edit. */
/** A message body's `allowed_mentions`, as sent. */
export interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
  replied_user?: boolean;
}

export interface MessageVersion {
  content: string;
  embeds: APIEmbed[];
  components: MessageComponents;
  attachmentIds: string[];
  flags: number;
  /** The `allowed_mentions` the write that made this version sent; null when it sent none. */
  allowedMentions: AllowedMentions | null;
  /** Creation time for the first version, edit time for the others. */
  at: Date;
}

export interface ReactionRecord {
  emoji: { id: string | null; name: string | null; animated?: boolean };
  userIds: Set<string>;
}

export interface MessageRecord {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  type: MessageType;
  content: string;
  embeds: APIEmbed[];
  components: MessageComponents;
  attachments: AttachmentRecord[];
  flags: number;
  createdAt: Date;
  editedAt: Date | null;
  pinned: boolean;
  pinnedAt: Date | null;
  deletedAt: Date | null;
  /** Every version, oldest first: `history[0]` is as created, the last one is the current state. */
  history: MessageVersion[];
  reactions: Map<string, ReactionRecord>;
  mentionIds: string[];
  /** The `allowed_mentions` of the latest write (create or edit); null when it sent none. */
  allowedMentions: AllowedMentions | null;
  /** Set on interaction responses and follow-ups. */
  webhookId: string | null;
  interaction: { id: string; type: InteractionType; name: string; userId: string } | null;
  messageReference: { messageId: string; channelId: string; guildId: string | null } | null;
  /** The thread started from this message. */
  threadId: string | null;
  /** Ephemeral messages belong to one interaction and are visible to its user only. */
  ephemeral: boolean;
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  applicationId: string;
  channelId: string;
  guildId: string;
  userId: string;
  createdAt: Date;
  /** The `data` object as dispatched. */
  data: Record<string, unknown>;
  /** Component interactions: the message the component is on. */
  messageId: string | null;
  /** The initial callback type once acknowledged. */
  callbackType: number | null;
  callbackAt: Date | null;
  originalMessageId: string | null;
  followUpMessageIds: string[];
  /** The modal the bot answered with (callback type 9), as shown; null otherwise. */
  modal: ModalRecord | null;
  /** The choices the bot answered an autocomplete with (callback type 8); null otherwise. */
  autocompleteChoices?: { name: string; value: string | number }[] | null;
}

/** A modal on a user's screen: what the bot sent (with component ids filled in), until submitted. */
export interface ModalRecord {
  data: APIModalInteractionResponseCallbackData;
  /** The MODAL_SUBMIT interaction, once the user submitted it (a modal closes on submit). */
  submitInteractionId: string | null;
}
