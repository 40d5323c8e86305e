// Checks a message body (create, edit, interaction reply, webhook) against Discord's documented limits.

import type { APIEmbed } from "discord-api-types/v10";
import { MessageLimits as L } from "../constants.js";
import { validateMessageComponents } from "./components.js";
import { badLength, FormErrors, maxLength } from "./form-errors.js";

const len = (value: unknown) => (typeof value === "string" ? [...value].length : 0);

/** Characters that count toward the 6000 limit: title, description, field names/values, footer, author. */
export function embedSize(embed: APIEmbed): number {
  return (
    len(embed.title) +
    len(embed.description) +
    len(embed.footer?.text) +
    len(embed.author?.name) +
    (embed.fields ?? []).reduce((sum, f) => sum + len(f.name) + len(f.value), 0)
  );
}

export function validateMessageBody(body: {
  content?: unknown;
  embeds?: unknown;
  components?: unknown;
  flags?: unknown;
}): FormErrors {
  const errors = new FormErrors();
  if (typeof body.content === "string" && len(body.content) > L.contentMaxChars) {
    errors.add(["content"], maxLength(L.contentMaxChars));
  }
  if (Array.isArray(body.embeds)) {
    const embeds = body.embeds as APIEmbed[];
    if (embeds.length > L.embedsMax) errors.add(["embeds"], maxLength(L.embedsMax));
    embeds.forEach((embed, i) => {
      if (len(embed.title) > L.embedTitleMaxChars)
        errors.add(["embeds", i, "title"], maxLength(L.embedTitleMaxChars));
      if (len(embed.description) > L.embedDescriptionMaxChars) {
        errors.add(["embeds", i, "description"], maxLength(L.embedDescriptionMaxChars));
      }
      if (len(embed.footer?.text) > L.embedFooterTextMaxChars) {
        errors.add(["embeds", i, "footer", "text"], maxLength(L.embedFooterTextMaxChars));
      }
      if (len(embed.author?.name) > L.embedAuthorNameMaxChars) {
        errors.add(["embeds", i, "author", "name"], maxLength(L.embedAuthorNameMaxChars));
      }
      const fields = embed.fields ?? [];
      if (fields.length > L.embedFieldsMax) errors.add(["embeds", i, "fields"], maxLength(L.embedFieldsMax));
      fields.forEach((field, j) => {
        if (len(field.name) > L.embedFieldNameMaxChars) {
          errors.add(["embeds", i, "fields", j, "name"], maxLength(L.embedFieldNameMaxChars));
        }
        if (len(field.value) > L.embedFieldValueMaxChars) {
          errors.add(["embeds", i, "fields", j, "value"], maxLength(L.embedFieldValueMaxChars));
        }
      });
    });
    const total = embeds.reduce((sum, e) => sum + embedSize(e), 0);
    if (total > L.embedsTotalMaxChars) {
      errors.add(["embeds"], {
        code: "MAX_EMBED_SIZE_EXCEEDED",
        message: `Embed size exceeds maximum size of ${L.embedsTotalMaxChars}`,
      });
    }
  }
  validateMessageComponents(errors, body.components, body.flags);
  return errors;
}

export function validateThreadName(name: unknown, field = "name"): FormErrors {
  const errors = new FormErrors();
  if (typeof name !== "string" || len(name) < 1 || len(name) > L.threadNameMaxChars) {
    errors.add([field], badLength(1, L.threadNameMaxChars));
  }
  return errors;
}
