// Interaction callbacks (reply, defer, deferred update, update) and the interaction webhook routes
// (@original get/edit/delete, follow-ups), with Discord's 3-second and 15-minute deadlines.

import { InteractionResponseType, InteractionType, MessageType } from "discord-api-types/v10";
import { MessageFlagBits } from "../../constants.js";
import type { EmulatorCore } from "../../core.js";
import type { InteractionRecord, MessageRecord } from "../../state/records.js";
import { serializeMessage } from "../../state/serialize.js";
import { validateAutocompleteResult } from "../../validation/autocomplete.js";
import { validateModal } from "../../validation/components.js";
import { choices, FormErrors } from "../../validation/form-errors.js";
import {
  alreadyAcknowledged,
  assertValid,
  emptyMessage,
  invalidFormBody,
  invalidWebhookToken,
  RestError,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from "../errors.js";
import { isEmptyMessage, messageInput } from "../message-body.js";
import type { RouteContext, RouteDefinition } from "../router.js";
import { ensureNotArchived } from "./messages.js";

const ser = (core: EmulatorCore) => core.store.serializeContext;

type ModalData = NonNullable<InteractionRecord["modal"]>["data"];

function callbackTypeChoices(allowed: number[]): FormErrors {
  const errors = new FormErrors();
  errors.add(["type"], choices(allowed));
  return errors;
}

/**
 * Fills in the numeric `id` Discord gives every component that has none: sequential from 1 in order,
 * skipping ids the bot chose itself (discord-api-types: "generated sequentially if left empty").
 */
function withComponentIds(data: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(data);
  const nodes: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== "object" || node === null) return;
    const component = node as Record<string, unknown>;
    nodes.push(component);
    if (Array.isArray(component.components)) for (const child of component.components) walk(child);
    if (component.component) walk(component.component);
  };
  for (const component of (copy.components as unknown[]) ?? []) walk(component);
  const taken = new Set(nodes.map((n) => n.id).filter((id) => typeof id === "number"));
  let next = 1;
  for (const node of nodes) {
    if (typeof node.id === "number") continue;
    while (taken.has(next)) next += 1;
    node.id = next;
    taken.add(next);
  }
  return copy;
}

/** Creates a response message (original or follow-up) in the interaction's channel, as the application. */
function respond(
  ctx: RouteContext,
  interaction: InteractionRecord,
  data: Record<string, unknown>,
  extraFlags = 0,
) {
  const { patch, mentionIds } = messageInput(ctx.core, interaction.channelId, data, ctx.files);
  const loading = (extraFlags & MessageFlagBits.Loading) !== 0;
  if (!loading && isEmptyMessage(patch)) throw emptyMessage();
  const flags = (patch.flags ?? 0) | extraFlags;
  const ephemeral = (flags & MessageFlagBits.Ephemeral) !== 0;
  return ctx.core.store.createMessage(
    {
      channelId: interaction.channelId,
      authorId: ctx.core.store.bot.id,
      ...patch,
      flags,
      mentionIds,
      webhookId: ctx.core.store.applicationId,
      type:
        interaction.type === InteractionType.ApplicationCommand
          ? MessageType.ChatInputCommand
          : MessageType.Default,
      interaction: {
        id: interaction.id,
        type: interaction.type,
        name: String(interaction.data.name ?? interaction.data.custom_id ?? ""),
        userId: interaction.userId,
      },
    },
    { ephemeral },
  );
}

function callback(ctx: RouteContext) {
  const { core, params, body } = ctx;
  const interaction = core.store.interactions.get(params.interaction_id!);
  if (!interaction || interaction.token !== params.interaction_token) throw unknownInteraction();
  if (interaction.callbackType !== null) throw alreadyAcknowledged();
  if (Date.now() - interaction.createdAt.getTime() > core.settings.interactionCallbackDeadlineMs) {
    throw unknownInteraction();
  }
  const type = Number(body.type);
  const data = (body.data ?? {}) as Record<string, unknown>;
  // An autocomplete is answered with choices and nothing else; choices answer nothing else.
  const isAutocomplete = interaction.type === InteractionType.ApplicationCommandAutocomplete;
  if (isAutocomplete !== (type === InteractionResponseType.ApplicationCommandAutocompleteResult)) {
    throw invalidFormBody(callbackTypeChoices(isAutocomplete ? [8] : [1, 4, 5, 6, 7, 9]));
  }
  let message: MessageRecord | null = null;
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource: {
      message = respond(ctx, interaction, data);
      interaction.originalMessageId = message.id;
      break;
    }
    case InteractionResponseType.DeferredChannelMessageWithSource: {
      // Discord shows "<bot> is thinking…": a loading message that the first @original edit fills in.
      const flags = typeof data.flags === "number" ? data.flags & MessageFlagBits.Ephemeral : 0;
      message = respond(ctx, interaction, {}, flags | MessageFlagBits.Loading);
      interaction.originalMessageId = message.id;
      break;
    }
    case InteractionResponseType.DeferredMessageUpdate:
    case InteractionResponseType.UpdateMessage: {
      // A component's message, or (for a modal opened from a component) the message it came from.
      const onMessage =
        interaction.type === InteractionType.MessageComponent ||
        interaction.type === InteractionType.ModalSubmit;
      if (!onMessage || !interaction.messageId) {
        throw new RestError(400, 40043, "This interaction type cannot be updated");
      }
      message = core.store.messages.get(interaction.messageId) ?? null;
      if (!message) throw unknownMessage();
      if (type === InteractionResponseType.UpdateMessage) {
        core.store.editMessage(
          message,
          messageInput(core, message.channelId, data, ctx.files, message).patch,
        );
      }
      break;
    }
    case InteractionResponseType.Modal: {
      if (interaction.type === InteractionType.ModalSubmit) {
        // Real Discord (discord.py#9187): a modal cannot answer a modal submit.
        throw invalidFormBody(callbackTypeChoices([4, 5, 6, 7, 10]));
      }
      assertValid(validateModal(data));
      interaction.modal = { data: withComponentIds(data) as unknown as ModalData, submitInteractionId: null };
      break;
    }
    case InteractionResponseType.ApplicationCommandAutocompleteResult: {
      assertValid(validateAutocompleteResult(data));
      interaction.autocompleteChoices = structuredClone(
        data.choices as { name: string; value: string | number }[],
      );
      break;
    }
    case InteractionResponseType.Pong:
      break;
    default:
      throw invalidFormBody(callbackTypeChoices([1, 4, 5, 6, 7, 8, 9]));
  }
  interaction.callbackType = type;
  interaction.callbackAt = new Date();
  core.store.interactionChanged(interaction);
  if (ctx.query.get("with_response") !== "true") return { status: 204 };
  return {
    status: 200,
    body: {
      interaction: {
        id: interaction.id,
        type: interaction.type,
        response_message_id: message?.id,
        response_message_loading: message ? (message.flags & MessageFlagBits.Loading) !== 0 : false,
        response_message_ephemeral: message?.ephemeral ?? false,
      },
      resource: { type, ...(message ? { message: serializeMessage(message, ser(core)) } : {}) },
    },
  };
}

/** The interaction behind a webhook token: 10015 when unknown, 50027 once the 15 minutes are over. */
function interactionOfWebhook(ctx: RouteContext): InteractionRecord {
  const { core, params } = ctx;
  if (params.webhook_id !== core.store.applicationId) throw unknownWebhook();
  const interaction = [...core.store.interactions.values()].find((i) => i.token === params.webhook_token);
  if (!interaction) throw unknownWebhook();
  if (Date.now() - interaction.createdAt.getTime() > core.settings.interactionTokenLifetimeMs) {
    throw invalidWebhookToken();
  }
  return interaction;
}

function webhookMessage(ctx: RouteContext, interaction: InteractionRecord): MessageRecord {
  const id = ctx.params.message_id;
  let messageId: string | null | undefined = id;
  if (id === "@original") {
    // After a component update, @original is the message the component is on.
    messageId =
      interaction.originalMessageId ?? (interaction.callbackType !== null ? interaction.messageId : null);
  } else if (id !== interaction.originalMessageId && !interaction.followUpMessageIds.includes(id!)) {
    messageId = null;
  }
  const message = messageId ? ctx.core.store.messages.get(messageId) : undefined;
  if (!message || message.deletedAt) throw unknownMessage();
  return message;
}

function editWebhookMessage(ctx: RouteContext) {
  const interaction = interactionOfWebhook(ctx);
  const message = webhookMessage(ctx, interaction);
  const channel = ctx.core.store.channels.get(message.channelId);
  if (channel) ensureNotArchived(channel);
  const { patch, mentionIds } = messageInput(ctx.core, message.channelId, ctx.body, ctx.files, message);
  // Filling in a deferred reply drops the loading flag; ephemerality was fixed when deferring.
  patch.flags = (message.flags & ~MessageFlagBits.Loading) | ((patch.flags ?? 0) & (4 | 4096));
  message.mentionIds = mentionIds;
  ctx.core.store.editMessage(message, patch);
  return { body: serializeMessage(message, ser(ctx.core)) };
}

function followUp(ctx: RouteContext) {
  const interaction = interactionOfWebhook(ctx);
  if (interaction.callbackType === null) throw unknownWebhook();
  const original = interaction.originalMessageId
    ? ctx.core.store.messages.get(interaction.originalMessageId)
    : null;
  if (original && (original.flags & MessageFlagBits.Loading) !== 0 && !original.deletedAt) {
    // Discord: the first follow-up after a deferred reply fills in the loading message.
    return editWebhookMessage({ ...ctx, params: { ...ctx.params, message_id: "@original" } });
  }
  const message = respond(ctx, interaction, ctx.body);
  interaction.followUpMessageIds.push(message.id);
  ctx.core.store.interactionChanged(interaction);
  return { body: serializeMessage(message, ser(ctx.core)) };
}

const webhookBase = "/webhooks/:webhook_id/:webhook_token";

export const interactionRoutes: RouteDefinition[] = [
  {
    method: "POST",
    path: "/interactions/:interaction_id/:interaction_token/callback",
    auth: "none",
    major: "interaction_id",
    handle: callback,
  },
  { method: "POST", path: webhookBase, auth: "none", major: "webhook_token", handle: followUp },
  {
    method: "GET",
    path: `${webhookBase}/messages/:message_id`,
    auth: "none",
    major: "webhook_token",
    handle: (ctx) => ({
      body: serializeMessage(webhookMessage(ctx, interactionOfWebhook(ctx)), ser(ctx.core)),
    }),
  },
  {
    method: "PATCH",
    path: `${webhookBase}/messages/:message_id`,
    auth: "none",
    major: "webhook_token",
    handle: (ctx) => {
      const result = editWebhookMessage(ctx);
      ctx.core.store.interactionChanged(interactionOfWebhook(ctx));
      return result;
    },
  },
  {
    method: "DELETE",
    path: `${webhookBase}/messages/:message_id`,
    auth: "none",
    major: "webhook_token",
    handle: (ctx) => {
      const message = webhookMessage(ctx, interactionOfWebhook(ctx));
      ctx.core.store.deleteMessage(message);
      return { status: 204 };
    },
  },
];
