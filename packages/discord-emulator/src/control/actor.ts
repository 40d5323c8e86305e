// Acting as a Discord user: post, edit, delete, react, run a slash command, click a button. What a person
// does in the Discord client, turned into the same state changes and gateway events Discord produces.

import { randomBytes } from "node:crypto";
import {
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  ApplicationCommandOptionType,
  ComponentType,
  InteractionType,
} from "discord-api-types/v10";
import { ALL_PERMISSIONS, ComponentLimits, DEFAULT_WAIT_MS } from "../constants.js";
import type { EmulatorCore } from "../core.js";
import { parseEmoji } from "../rest/routes/reactions.js";
import type { ChannelRecord, InteractionRecord, UserRecord } from "../state/records.js";
import { serializeChannel, serializeUser } from "../state/serialize.js";
import type { EmulatorStore } from "../state/store.js";
import { type InteractionView, interactionView, type MessageView, messageView } from "./views.js";
import { waitForState } from "./waiters.js";

export type CommandOptionValue = string | number | boolean;

export interface RunCommandInput {
  channelId: string;
  /** The top-level command name, e.g. "omp". */
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  options?: Record<string, CommandOptionValue>;
}

/** Typing in an autocompleted option of a slash command, as the Discord client reports each keystroke. */
export interface AutocompleteInput extends RunCommandInput {
  /** The option being typed in (it must be declared with `autocomplete: true`); its text is `options[focused]`, "" when absent. */
  focused: string;
}

export interface ClickButtonInput {
  messageId: string;
  customId: string;
}

/** Chooses options in a string select menu on a message, as a user closing the menu with them. */
export interface SelectOptionsInput {
  messageId: string;
  customId: string;
  /** The options' values, in the order chosen. */
  values: string[];
}

/** Fills in and submits the modal the bot showed in answer to `interactionId`. */
export interface SubmitModalInput {
  interactionId: string;
  /**
   * By custom id: a text input's text, or a string select's chosen values. A field left out is
   * submitted empty (refused when it is required, as the Discord client refuses to submit).
   */
  values: Record<string, string | string[]>;
}

export interface PostMessageInput {
  /** `<@id>` mentions in it count as mentions (they let a bot without Message Content see it). */
  content?: string;
  files?: { filename: string; bytes: Buffer | string; contentType?: string }[];
  /** Posts it as a reply to this message of the same channel (Discord's type 19 with a reference). */
  replyTo?: string;
}

/** An interaction a user started; answer it from the bot, then read the answer here. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  /** Current state: callback type, original response (ephemeral or not), follow-ups. */
  view(): InteractionView;
  /** Resolves once the bot has shown the user something (a reply, a filled-in deferral, an update). */
  waitForReply(options?: { timeoutMs?: number }): Promise<InteractionView>;
}

const optionTypeNames: Record<number, string> = {
  [ApplicationCommandOptionType.String]: "string",
  [ApplicationCommandOptionType.Integer]: "integer",
  [ApplicationCommandOptionType.Boolean]: "boolean",
  [ApplicationCommandOptionType.Number]: "number",
  [ApplicationCommandOptionType.User]: "user id",
  [ApplicationCommandOptionType.Channel]: "channel id",
  [ApplicationCommandOptionType.Role]: "role id",
  [ApplicationCommandOptionType.Mentionable]: "user or role id",
};

/** The JavaScript type a value of each option type must have (ids are strings). */
const expectedJsType: Partial<Record<number, "string" | "number" | "boolean">> = {
  [ApplicationCommandOptionType.String]: "string",
  [ApplicationCommandOptionType.Integer]: "number",
  [ApplicationCommandOptionType.Number]: "number",
  [ApplicationCommandOptionType.Boolean]: "boolean",
  [ApplicationCommandOptionType.User]: "string",
  [ApplicationCommandOptionType.Channel]: "string",
  [ApplicationCommandOptionType.Role]: "string",
  [ApplicationCommandOptionType.Mentionable]: "string",
};

/** Whether the user can see an answer yet (a deferral alone shows only "thinking…"). */
export function interactionAnswered(view: InteractionView): boolean {
  if (view.callbackType === 8) return true;
  if (view.callbackType === 4 || view.callbackType === 7 || view.callbackType === 9) return true;
  if (view.followUps.length > 0) return true;
  if (view.callbackType === 5) return view.original !== null && (view.original.flags & 128) === 0;
  if (view.callbackType === 6)
    return (view.message?.history.length ?? 0) > 1 && view.message!.editedAt! > view.acknowledgedAt!;
  return false;
}

export class UserActor {
  constructor(
    private readonly core: EmulatorCore,
    readonly user: UserRecord,
  ) {}

  private get store() {
    return this.core.store;
  }

  private channel(channelId: string): ChannelRecord {
    const channel = this.store.requireChannel(channelId);
    if (!this.store.requireGuild(channel.guildId).members.has(this.user.id)) {
      throw new Error(`${this.user.username} is not a member of guild ${channel.guildId}`);
    }
    return channel;
  }

  /** Posts as this user; in a thread the user joins it and an archived, unlocked thread reopens. */
  postMessage(channelId: string, content: string | PostMessageInput): MessageView {
    const input = typeof content === "string" ? { content } : content;
    const channel = this.channel(channelId);
    if (channel.thread?.archived) {
      if (channel.thread.locked)
        throw new Error(`Thread ${channel.id} is archived and locked: users cannot post`);
      this.store.updateChannel(channel, { archived: false });
    }
    if (channel.thread) this.store.addThreadMember(channel, this.user.id);
    const attachments = (input.files ?? []).map((f, i) =>
      this.core.storeFile(
        channel.id,
        {
          index: String(i),
          filename: f.filename,
          contentType: f.contentType ?? null,
          bytes: Buffer.isBuffer(f.bytes) ? f.bytes : Buffer.from(f.bytes),
        },
        {},
      ),
    );
    const text = input.content ?? "";
    if (!text && attachments.length === 0) throw new Error("postMessage needs content or files");
    const mentionIds = [...new Set([...text.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!))];
    const repliedTo = input.replyTo ? this.store.requireMessage(input.replyTo) : undefined;
    if (repliedTo && repliedTo.channelId !== channel.id) {
      throw new Error(
        `Message ${input.replyTo} is not in channel ${channel.id}: a reply stays in its channel`,
      );
    }
    const message = this.store.createMessage({
      channelId: channel.id,
      authorId: this.user.id,
      content: text,
      attachments,
      mentionIds,
      ...(repliedTo
        ? {
            type: 19,
            messageReference: { messageId: repliedTo.id, channelId: channel.id, guildId: channel.guildId },
          }
        : {}),
    });
    return messageView(this.store, message);
  }

  editMessage(messageId: string, content: string): MessageView {
    const message = this.store.requireMessage(messageId);
    if (message.authorId !== this.user.id)
      throw new Error(`Message ${messageId} is not by ${this.user.username}`);
    this.store.editMessage(message, { content });
    return messageView(this.store, message);
  }

  deleteMessage(messageId: string): void {
    this.store.deleteMessage(this.store.requireMessage(messageId));
  }

  /** Adds a reaction; `emoji` is a unicode emoji ("🚀") or "name:id" for a custom one. */
  react(channelId: string, messageId: string, emoji: string): void {
    this.channel(channelId);
    const message = this.store.requireMessage(messageId);
    if (message.channelId !== channelId)
      throw new Error(`Message ${messageId} is not in channel ${channelId}`);
    this.store.addReaction(message, this.user.id, parseEmoji(emoji));
  }

  unreact(channelId: string, messageId: string, emoji: string): void {
    this.channel(channelId);
    this.store.removeReaction(this.store.requireMessage(messageId), this.user.id, parseEmoji(emoji));
  }

  /** Runs a registered slash command, e.g. `/omp say prompt:…`; throws if the bot never registered it. */
  runCommand(input: RunCommandInput): InteractionHandle {
    const channel = this.channel(input.channelId);
    const data = this.commandData(channel, input, undefined);
    return this.startInteraction(InteractionType.ApplicationCommand, channel, data, null);
  }

  /**
   * Types in an autocompleted option: APPLICATION_COMMAND_AUTOCOMPLETE (type 4) with the options filled
   * so far (as text, required ones may be missing) and the focused one marked. Read the bot's choices
   * from the handle's `view().choices` once `waitForReply` resolved.
   */
  autocomplete(input: AutocompleteInput): InteractionHandle {
    const channel = this.channel(input.channelId);
    const options = { ...input.options, [input.focused]: input.options?.[input.focused] ?? "" };
    const data = this.commandData(channel, { ...input, options }, input.focused);
    return this.startInteraction(InteractionType.ApplicationCommandAutocomplete, channel, data, null);
  }

  private commandData(
    channel: ChannelRecord,
    input: RunCommandInput,
    focused: string | undefined,
  ): Record<string, unknown> {
    const command = this.findCommand(channel.guildId, input.name);
    // Walk down to the subcommand (group) the input names, checking each level exists.
    let scope: readonly APIApplicationCommandOption[] = command.options ?? [];
    const path = [input.name];
    const nest = (type: ApplicationCommandOptionType, name: string | undefined) => {
      const choices = scope.filter((o) => o.type === type).map((o) => o.name);
      if (name === undefined) {
        if (choices.length > 0 && scope.every((o) => o.type === type)) {
          throw new Error(
            `/${path.join(" ")} needs a ${ApplicationCommandOptionType[type]}: ${choices.join(", ")}`,
          );
        }
        return;
      }
      const def = scope.find((o) => o.name === name && o.type === type);
      if (!def) {
        throw new Error(
          `/${path.join(" ")} has no ${ApplicationCommandOptionType[type]} "${name}"; it has: ${choices.join(", ") || "none"}`,
        );
      }
      path.push(name);
      scope = "options" in def ? (def.options ?? []) : [];
    };
    nest(ApplicationCommandOptionType.SubcommandGroup, input.subcommandGroup);
    nest(ApplicationCommandOptionType.Subcommand, input.subcommand);
    let options = this.buildOptions(scope, input.options ?? {}, `/${path.join(" ")}`, focused);
    if (input.subcommand !== undefined) {
      options = [{ type: ApplicationCommandOptionType.Subcommand, name: input.subcommand, options }];
    }
    if (input.subcommandGroup !== undefined) {
      options = [
        { type: ApplicationCommandOptionType.SubcommandGroup, name: input.subcommandGroup, options },
      ];
    }
    return {
      id: command.id,
      name: command.name,
      type: 1,
      guild_id: channel.guildId,
      ...(options.length > 0 ? { options } : {}),
      ...(focused === undefined ? this.resolved(options) : {}),
    };
  }

  /** Clicks a button on a message (the message must carry a button with that custom id). */
  clickButton(input: ClickButtonInput): InteractionHandle {
    const message = this.store.requireMessage(input.messageId);
    const buttons = message.components.flatMap((row) =>
      "components" in row
        ? (row.components as { type: number; custom_id?: string; disabled?: boolean }[])
        : [],
    );
    const button = buttons.find((c) => c.type === ComponentType.Button && c.custom_id === input.customId);
    if (!button) {
      const ids = buttons.map((b) => b.custom_id).filter(Boolean);
      throw new Error(
        `Message ${input.messageId} has no button "${input.customId}"; it has: ${ids.join(", ") || "none"}`,
      );
    }
    if (button.disabled) throw new Error(`Button "${input.customId}" is disabled`);
    const channel = this.channel(message.channelId);
    return this.startInteraction(
      InteractionType.MessageComponent,
      channel,
      { custom_id: input.customId, component_type: ComponentType.Button },
      message.id,
    );
  }

  /** Chooses options in a string select menu (type 3) on a message: MESSAGE_COMPONENT with `values`. */
  selectOptions(input: SelectOptionsInput): InteractionHandle {
    const message = this.store.requireMessage(input.messageId);
    const selects = message.components.flatMap((row) =>
      "components" in row ? (row.components as SelectSpec[]) : [],
    );
    const select = selects.find(
      (c) => c.type === ComponentType.StringSelect && c.custom_id === input.customId,
    );
    if (!select) {
      const ids = selects.filter((c) => c.type === ComponentType.StringSelect).map((c) => c.custom_id);
      throw new Error(
        `Message ${input.messageId} has no select menu "${input.customId}"; it has: ${ids.join(", ") || "none"}`,
      );
    }
    if (select.disabled) throw new Error(`Select menu "${input.customId}" is disabled`);
    checkChosenValues(select, input.values, `Select menu "${input.customId}"`);
    const channel = this.channel(message.channelId);
    return this.startInteraction(
      InteractionType.MessageComponent,
      channel,
      { custom_id: input.customId, component_type: ComponentType.StringSelect, values: [...input.values] },
      message.id,
    );
  }

  /**
   * Submits the modal the bot answered `interactionId` with: MODAL_SUBMIT (type 5) with the modal's
   * custom id and its components as Discord sends them back (action rows, labels, text displays, with
   * their ids). Only the user who saw the modal can submit it, once.
   */
  submitModal(input: SubmitModalInput): InteractionHandle {
    const shownTo = this.store.interactions.get(input.interactionId);
    if (!shownTo) throw new Error(`Unknown interaction ${input.interactionId}`);
    const modal = shownTo.modal;
    if (!modal) {
      throw new Error(
        `Interaction ${input.interactionId} was not answered with a modal (callback type: ${shownTo.callbackType ?? "none yet"})`,
      );
    }
    if (shownTo.userId !== this.user.id) {
      throw new Error(`The modal of interaction ${input.interactionId} was shown to another user`);
    }
    if (modal.submitInteractionId) {
      throw new Error(`The modal of interaction ${input.interactionId} was already submitted`);
    }
    const fields = modalFields(modal.data.components as unknown[]);
    const known = fields.map((f) => f.customId);
    for (const key of Object.keys(input.values)) {
      if (!known.includes(key)) {
        throw new Error(`Modal "${modal.data.custom_id}" has no field "${key}"; it has: ${known.join(", ")}`);
      }
    }
    const submitted = new Map<string, Record<string, unknown>>();
    for (const field of fields) {
      const given = input.values[field.customId];
      const where = `Modal field "${field.customId}"`;
      if (field.component.type === ComponentType.TextInput) {
        if (given !== undefined && typeof given !== "string")
          throw new Error(`${where} takes text, got a list`);
        const text = given ?? "";
        checkTypedText(field.component as TextInputSpec, text, where);
        submitted.set(field.customId, {
          type: ComponentType.TextInput,
          id: field.component.id,
          custom_id: field.customId,
          value: text,
        });
      } else {
        if (given !== undefined && !Array.isArray(given))
          throw new Error(`${where} takes a list of values, got text`);
        const values = given ?? [];
        checkChosenValues(field.component as SelectSpec, values, where);
        submitted.set(field.customId, {
          type: ComponentType.StringSelect,
          id: field.component.id,
          custom_id: field.customId,
          values: [...values],
        });
      }
    }
    const components = (modal.data.components as unknown as Record<string, unknown>[]).map((c) => {
      if (c.type === ComponentType.ActionRow) {
        const inner = (c.components as Record<string, unknown>[])[0]!;
        return { type: c.type, id: c.id, components: [submitted.get(String(inner.custom_id))] };
      }
      if (c.type === ComponentType.Label) {
        const inner = c.component as Record<string, unknown>;
        return { type: c.type, id: c.id, component: submitted.get(String(inner.custom_id)) };
      }
      return { type: c.type, id: c.id };
    });
    const channel = this.channel(shownTo.channelId);
    const handle = this.startInteraction(
      InteractionType.ModalSubmit,
      channel,
      { custom_id: modal.data.custom_id, components },
      shownTo.messageId,
    );
    modal.submitInteractionId = handle.id;
    this.store.interactionChanged(shownTo);
    return handle;
  }

  private findCommand(guildId: string, name: string): APIApplicationCommand {
    const command = [
      ...(this.store.commands.get(guildId) ?? []),
      ...(this.store.commands.get("global") ?? []),
    ].find((c) => c.name === name);
    if (!command) {
      const known = [...this.store.commands.values()].flat().map((c) => `/${c.name}`);
      throw new Error(
        `/${name} is not registered in guild ${guildId}: the bot must register it first (registered: ${known.join(", ") || "none"})`,
      );
    }
    return command;
  }

  private buildOptions(
    defs: readonly APIApplicationCommandOption[],
    values: Record<string, CommandOptionValue>,
    where: string,
    focused?: string,
  ): Record<string, unknown>[] {
    const leaf = defs.filter(
      (d) =>
        d.type !== ApplicationCommandOptionType.Subcommand &&
        d.type !== ApplicationCommandOptionType.SubcommandGroup,
    );
    if (focused !== undefined) {
      const def = leaf.find((d) => d.name === focused);
      if (!def || !("autocomplete" in def) || !def.autocomplete) {
        throw new Error(
          `${where} option "${focused}" is not autocompleted: Discord sends no autocomplete for it`,
        );
      }
    }
    for (const def of leaf) {
      // While typing, required options may still be empty; Discord sends what is filled in.
      if (focused === undefined && "required" in def && def.required && values[def.name] === undefined) {
        throw new Error(`${where} needs option "${def.name}" (${optionTypeNames[def.type] ?? def.type})`);
      }
    }
    return Object.entries(values).map(([name, value]) => {
      const def = leaf.find((d) => d.name === name);
      if (!def) {
        throw new Error(
          `${where} has no option "${name}"; it has: ${leaf.map((d) => d.name).join(", ") || "none"}`,
        );
      }
      // While typing, Discord sends every filled-in option as the text typed so far.
      if (focused !== undefined) {
        return { type: def.type, name, value: String(value), ...(name === focused ? { focused: true } : {}) };
      }
      const expected = expectedJsType[def.type];
      if (expected && typeof value !== expected) {
        throw new Error(
          `${where} option "${name}" takes a ${optionTypeNames[def.type]}, got \`${JSON.stringify(value)}\``,
        );
      }
      if (def.type === ApplicationCommandOptionType.Integer && !Number.isInteger(value)) {
        throw new Error(`${where} option "${name}" takes an integer, got \`${value}\``);
      }
      return { type: def.type, name, value };
    });
  }

  /** Discord sends resolved users/channels for user and channel options. */
  private resolved(options: Record<string, unknown>[]): Record<string, unknown> {
    const flat: Record<string, unknown>[] = [];
    const walk = (list: Record<string, unknown>[]) => {
      for (const o of list) {
        flat.push(o);
        if (Array.isArray(o.options)) walk(o.options as Record<string, unknown>[]);
      }
    };
    walk(options);
    const users: Record<string, unknown> = {};
    const channels: Record<string, unknown> = {};
    for (const o of flat) {
      if (o.type === ApplicationCommandOptionType.User) {
        const u = this.store.users.get(String(o.value));
        if (u) users[u.id] = serializeUser(u);
      }
      if (o.type === ApplicationCommandOptionType.Channel) {
        const c = this.store.channels.get(String(o.value));
        if (c) channels[c.id] = { ...serializeChannel(c), permissions: ALL_PERMISSIONS };
      }
    }
    if (Object.keys(users).length === 0 && Object.keys(channels).length === 0) return {};
    return {
      resolved: {
        ...(Object.keys(users).length ? { users } : {}),
        ...(Object.keys(channels).length ? { channels } : {}),
      },
    };
  }

  private startInteraction(
    type: InteractionType,
    channel: ChannelRecord,
    data: Record<string, unknown>,
    messageId: string | null,
  ): InteractionHandle {
    const record: InteractionRecord = {
      id: this.store.ids.next(),
      token: `aW50ZXJhY3Rpb24${randomBytes(48).toString("base64url")}`,
      type,
      applicationId: this.store.applicationId,
      channelId: channel.id,
      guildId: channel.guildId,
      userId: this.user.id,
      createdAt: new Date(),
      data,
      messageId,
      callbackType: null,
      callbackAt: null,
      originalMessageId: null,
      followUpMessageIds: [],
      modal: null,
    };
    this.store.recordInteraction(record);
    return interactionHandle(this.store, record);
  }
}

/** A handle on an interaction: its current view, and a wait for the bot's visible answer. */
export function interactionHandle(store: EmulatorStore, record: InteractionRecord): InteractionHandle {
  return {
    id: record.id,
    token: record.token,
    view: () => interactionView(store, record),
    waitForReply: (options = {}) =>
      waitForState(
        store,
        () => {
          const view = interactionView(store, record);
          return interactionAnswered(view) ? view : undefined;
        },
        {
          timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
          what: `waitForReply(interaction ${record.id})`,
          describe: () => {
            const v = interactionView(store, record);
            const original = v.original ? JSON.stringify(v.original.content) : "none";
            return `Callback type: ${v.callbackType ?? "none (the bot never answered)"}; original: ${original}; follow-ups: ${v.followUps.length}.`;
          },
        },
      ),
  };
}

interface SelectSpec {
  type: number;
  id?: number;
  custom_id: string;
  disabled?: boolean;
  required?: boolean;
  min_values?: number;
  max_values?: number;
  options?: { value: string }[];
}

interface TextInputSpec {
  type: number;
  id?: number;
  custom_id: string;
  required?: boolean;
  min_length?: number;
  max_length?: number;
}

/** What the Discord client lets a person choose: known, distinct values, as many as the menu allows. */
function checkChosenValues(select: SelectSpec, values: readonly string[], where: string): void {
  const allowed = (select.options ?? []).map((o) => o.value);
  const unknown = values.filter((v) => !allowed.includes(v));
  if (unknown.length > 0) {
    throw new Error(
      `${where} has no option ${unknown.map((v) => `"${v}"`).join(", ")}; it has: ${allowed.join(", ")}`,
    );
  }
  if (new Set(values).size !== values.length) throw new Error(`${where}: each option can be chosen once`);
  // In a modal a select that is not required may be left empty whatever its min_values.
  const min = select.required === false && values.length === 0 ? 0 : (select.min_values ?? 1);
  const max = select.max_values ?? 1;
  if (values.length < min || values.length > max) {
    throw new Error(
      `${where} takes ${min === max ? min : `${min} to ${max}`} value(s), got ${values.length}`,
    );
  }
}

/** What the Discord client lets a person submit in a text input. */
function checkTypedText(input: TextInputSpec, text: string, where: string): void {
  const length = [...text].length;
  if (length === 0) {
    if (input.required !== false) throw new Error(`${where} is required`);
    return;
  }
  const min = input.min_length ?? 0;
  const max = input.max_length ?? ComponentLimits.textInputValueMaxChars;
  if (length < min || length > max) {
    throw new Error(`${where} takes ${min} to ${max} characters, got ${length}`);
  }
}

/** The fields of a modal a person fills in: text inputs and string selects, with their custom ids. */
function modalFields(
  components: readonly unknown[],
): { customId: string; component: SelectSpec | TextInputSpec }[] {
  const fields: { customId: string; component: SelectSpec | TextInputSpec }[] = [];
  for (const raw of components) {
    const c = raw as Record<string, unknown>;
    const inner =
      c.type === ComponentType.ActionRow
        ? (c.components as Record<string, unknown>[])[0]
        : c.type === ComponentType.Label
          ? (c.component as Record<string, unknown>)
          : undefined;
    if (inner)
      fields.push({ customId: String(inner.custom_id), component: inner as unknown as TextInputSpec });
  }
  return fields;
}
