// The person's view of the emulated Discord: emulator snapshots turned into what the page shows, with
// Discord's visibility rule for ephemeral replies (only the user who started the interaction sees them).
// Pure: the emulator's views in, the page's shapes out.

import type { ChannelView, InteractionView, MessageView, UserView } from "@ompcord/discord-emulator";
import type {
  PageChannel,
  PageComponentRow,
  PageInteraction,
  PageInteractionKind,
  PageMessage,
  PageModal,
  PageUser,
} from "./protocol.js";

/** Discord's message flag for a deferred reply still "thinking". */
const LOADING_FLAG = 1 << 7;
/** Discord's interaction types. */
const INTERACTION_KINDS: Record<number, PageInteractionKind> = { 2: "command", 3: "component", 5: "modal" };

export function pageUser(user: UserView): PageUser {
  return { id: user.id, name: user.username, bot: user.bot };
}

export function pageChannel(channel: ChannelView, topic: string | null = null): PageChannel {
  return {
    id: channel.id,
    name: channel.name,
    parentId: channel.parentId,
    isThread: channel.isThread,
    archived: channel.archived,
    locked: channel.locked,
    starterMessageId: channel.starterMessageId,
    topic,
  };
}

/** How the page downloads an attachment: through its own server, never from the emulator directly. */
export function attachmentUrl(id: string, filename: string): string {
  return `/files/${id}/${encodeURIComponent(filename)}`;
}

/** What an interaction is named as above its reply: `/omp new` for a command, the custom id otherwise. */
export function interactionName(view: InteractionView): string {
  const data = view.data as {
    name?: unknown;
    custom_id?: unknown;
    options?: { type?: unknown; name?: unknown; options?: unknown }[];
  };
  if (typeof data.name !== "string") return typeof data.custom_id === "string" ? data.custom_id : "";
  const words = [data.name];
  let options = data.options;
  // Subcommand groups (type 2) and subcommands (type 1) are part of the command's name.
  while (
    Array.isArray(options) &&
    options.length === 1 &&
    (options[0]!.type === 1 || options[0]!.type === 2)
  ) {
    words.push(String(options[0]!.name));
    options = options[0]!.options as typeof options;
  }
  return `/${words.join(" ")}`;
}

export interface MessageContext {
  /** The person's user id: whose reactions are "me", whose ephemeral replies are visible. */
  meId: string;
  /** The interaction behind a reply, when the message answers one. */
  interaction?: InteractionView | undefined;
  /** Display names by user id (the interaction's user). */
  userName(id: string): string;
}

/** Whether the person may see the message: every message but other people's ephemeral replies. */
export function visibleTo(message: MessageView, context: MessageContext): boolean {
  if (message.deleted) return false;
  if (!message.ephemeral) return true;
  return context.interaction?.userId === context.meId;
}

export function pageMessage(message: MessageView, context: MessageContext): PageMessage {
  const interaction = context.interaction;
  return {
    id: message.id,
    channelId: message.channelId,
    author: pageUser(message.author),
    type: message.type,
    content: message.content,
    embeds: message.embeds,
    components: message.components as PageComponentRow[],
    attachments: message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.size,
      contentType: a.contentType,
      url: attachmentUrl(a.id, a.filename),
    })),
    flags: message.flags,
    createdAt: message.createdAt.toISOString(),
    editedAt: message.editedAt?.toISOString() ?? null,
    pinned: message.pinned,
    reactions: message.reactions.map((r) => ({
      emoji: r.emoji,
      count: r.userIds.length,
      me: r.userIds.includes(context.meId),
    })),
    threadId: message.threadId,
    ephemeral: message.ephemeral,
    loading: (message.flags & LOADING_FLAG) !== 0,
    interaction: interaction
      ? {
          id: interaction.id,
          userName: context.userName(interaction.userId),
          name: interactionName(interaction),
          kind: INTERACTION_KINDS[interaction.type] ?? "other",
        }
      : null,
    referencedMessageId: message.referencedMessageId,
  };
}

/** A modal the bot answered with, when the emulator's view carries one (it does once it keeps them). */
function modalOf(view: InteractionView): PageModal | null {
  const modal = (view as InteractionView & { modal?: unknown }).modal as
    | { custom_id?: unknown; title?: unknown; components?: unknown }
    | null
    | undefined;
  if (!modal || typeof modal.custom_id !== "string") return null;
  return {
    customId: modal.custom_id,
    title: typeof modal.title === "string" ? modal.title : "",
    components: Array.isArray(modal.components) ? modal.components : [],
  };
}

export function pageInteraction(view: InteractionView): PageInteraction {
  const data = view.data as { custom_id?: unknown };
  return {
    id: view.id,
    kind: INTERACTION_KINDS[view.type] ?? "other",
    channelId: view.channelId,
    messageId: view.message?.id ?? null,
    customId: typeof data.custom_id === "string" ? data.custom_id : null,
    createdAt: view.createdAt.toISOString(),
    callbackType: view.callbackType,
    modal: modalOf(view),
  };
}

/** All the text a person reads in a message: content, embed titles, descriptions, fields, footers. */
export function messageText(message: MessageView | PageMessage): string {
  return [
    message.content,
    ...message.embeds.flatMap((e) => [
      e.title,
      e.description,
      ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
      e.footer?.text,
    ]),
  ]
    .filter(Boolean)
    .join("\n");
}
