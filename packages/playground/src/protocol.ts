// What the page and its server say to each other: the person's view of the emulated Discord (the live
// channel's events) and the actions the person takes. Types only, shared by `src/` and `web/`.

import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from "discord-api-types/v10";

export interface PageUser {
  id: string;
  name: string;
  bot: boolean;
}

export interface PageGuild {
  id: string;
  name: string;
}

export interface PageChannel {
  id: string;
  name: string;
  /** Set for threads: the channel they belong to. */
  parentId: string | null;
  isThread: boolean;
  archived: boolean;
  locked: boolean;
  /** Threads started from a message share its id. */
  starterMessageId: string | null;
  topic: string | null;
}

export interface PageAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string | null;
  /** Where the page downloads it: the page server's own route, never the emulator's. */
  url: string;
}

export interface PageReaction {
  emoji: string;
  count: number;
  /** The person reacted with it. */
  me: boolean;
}

export type PageComponentRow = APIActionRowComponent<APIComponentInMessageActionRow>;

export interface PageMessage {
  id: string;
  channelId: string;
  author: PageUser;
  /** Discord's message type: 0 default, 6 "pinned a message", 20 a slash command's reply, … */
  type: number;
  content: string;
  embeds: APIEmbed[];
  components: PageComponentRow[];
  attachments: PageAttachment[];
  flags: number;
  createdAt: string;
  editedAt: string | null;
  pinned: boolean;
  reactions: PageReaction[];
  /** The thread started from this message. */
  threadId: string | null;
  /** Visible to the person only ("Only you can see this"). */
  ephemeral: boolean;
  /** A deferred reply not filled in yet ("ompcord is thinking…"). */
  loading: boolean;
  /** The slash command or component use this message answers. */
  interaction: { id: string; userName: string; name: string; kind: PageInteractionKind } | null;
  referencedMessageId: string | null;
}

export type PageInteractionKind = "command" | "component" | "modal" | "other";

/** A modal the bot opened for the person (Discord's callback type 9), as the bot sent it. */
export interface PageModal {
  customId: string;
  title: string;
  /** Action rows (or labels) of text inputs and selects, as in the callback's data. */
  components: unknown[];
}

export interface PageInteraction {
  id: string;
  kind: PageInteractionKind;
  channelId: string;
  /** Component interactions: the message the component is on. */
  messageId: string | null;
  customId: string | null;
  createdAt: string;
  /** Discord's callback type once the bot acknowledged it (4 reply, 5 defer, 6/7 update, 9 modal). */
  callbackType: number | null;
  /** Set when the bot answered with a modal and the emulator keeps its data. */
  modal: PageModal | null;
}

export interface PageNotice {
  id: string;
  level: "info" | "warning";
  text: string;
}

/** Facts about the playground the page needs from the start. */
export interface PageWorld {
  me: PageUser;
  bot: PageUser;
  guild: PageGuild;
  /** The launch channel the page opens on. */
  homeChannelId: string;
  /** Discord's deadline for a first answer to an interaction (then "The application did not respond"). */
  interactionDeadlineMs: number;
}

/** Everything the live channel (server-sent events, `GET /events`) sends, one JSON object per event. */
export type LiveEvent =
  | {
      type: "hello";
      world: PageWorld;
      channels: PageChannel[];
      messages: PageMessage[];
      interactions: PageInteraction[];
      notices: PageNotice[];
    }
  | { type: "message"; message: PageMessage }
  | { type: "messageDelete"; id: string; channelId: string }
  | { type: "channel"; channel: PageChannel }
  | { type: "channelDelete"; id: string }
  | { type: "interaction"; interaction: PageInteraction }
  | { type: "notice"; notice: PageNotice };

// ── actions (POST /api/…, JSON) ─────────────────────────────────────────────────────────────────

export interface PostMessageAction {
  channelId: string;
  content: string;
}

export interface ReactAction {
  channelId: string;
  messageId: string;
  emoji: string;
  /** true adds the reaction, false removes it. */
  add: boolean;
}

export type CommandOptionValue = string | number | boolean;

export interface CommandAction {
  channelId: string;
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options: Record<string, CommandOptionValue>;
}

export interface ComponentAction {
  messageId: string;
  customId: string;
  /** Discord's component type: 2 button, 3 string select, 5–8 user/role/mentionable/channel selects. */
  componentType: number;
  /** Select menus: the chosen values. */
  values?: string[];
}

export interface ModalSubmitAction {
  /** The interaction the modal answered. */
  interactionId: string;
  customId: string;
  /** Text input values by custom id. */
  fields: Record<string, string>;
}

/** Every action answers with this; an interaction it started is named so the page can follow it. */
export type ActionResult = { ok: true; interactionId?: string } | { ok: false; error: string };
