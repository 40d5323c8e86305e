// Discord's JSON error answers as a typed error a route handler throws; the server turns it into a response.

import { RESTJSONErrorCodes } from "discord-api-types/v10";
import type { FormErrors } from "../validation/form-errors.js";

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
    this.name = "RestError";
  }

  get body(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export const unknownChannel = () => new RestError(404, RESTJSONErrorCodes.UnknownChannel, "Unknown Channel");
export const unknownMessage = () => new RestError(404, RESTJSONErrorCodes.UnknownMessage, "Unknown Message");
export const unknownGuild = () => new RestError(404, RESTJSONErrorCodes.UnknownGuild, "Unknown Guild");
export const unknownUser = () => new RestError(404, RESTJSONErrorCodes.UnknownUser, "Unknown User");
export const unknownMember = () => new RestError(404, RESTJSONErrorCodes.UnknownMember, "Unknown Member");
export const unknownEmoji = () => new RestError(400, RESTJSONErrorCodes.UnknownEmoji, "Unknown Emoji");
export const unknownWebhook = () => new RestError(404, RESTJSONErrorCodes.UnknownWebhook, "Unknown Webhook");
export const unknownInteraction = () =>
  new RestError(404, RESTJSONErrorCodes.UnknownInteraction, "Unknown interaction");
export const alreadyAcknowledged = () =>
  new RestError(
    400,
    RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
    "Interaction has already been acknowledged.",
  );
export const invalidWebhookToken = () =>
  new RestError(401, RESTJSONErrorCodes.InvalidWebhookToken, "Invalid Webhook Token");
export const missingAccess = () => new RestError(403, RESTJSONErrorCodes.MissingAccess, "Missing Access");
export const cannotEditOthers = () =>
  new RestError(
    403,
    RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser,
    "Cannot edit a message authored by another user",
  );
export const emptyMessage = () =>
  new RestError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, "Cannot send an empty message");
export const archivedThread = () =>
  new RestError(400, RESTJSONErrorCodes.InvalidActionOnArchivedThread, "Thread is archived");
export const threadAlreadyCreated = () =>
  new RestError(
    400,
    RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage,
    "A thread has already been created for this message",
  );
export const unauthorized = () => new RestError(401, 0, "401: Unauthorized");
export const notFound = () => new RestError(404, 0, "404: Not Found");
export const invalidFormBody = (errors: FormErrors) =>
  new RestError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, "Invalid Form Body", errors.tree);

/** Throws 50035 when `errors` holds anything. */
export function assertValid(errors: FormErrors): void {
  if (!errors.empty) throw invalidFormBody(errors);
}
