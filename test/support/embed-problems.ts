// Checks an embed against Discord's limits, so tests catch what Discord would reject (the bot never needs
// to: its renderers build within the limits).

import type { APIEmbed } from "discord-api-types/v10";
import { DISCORD_LIMITS } from "../../src/format/limits.js";

/** Every way `embed` breaks Discord's limits; empty when Discord would accept it. */
export function embedProblems(embed: APIEmbed): string[] {
  const problems: string[] = [];
  const check = (what: string, text: string | undefined, max: number, required = false) => {
    if (text === undefined) {
      if (required) problems.push(`${what} is missing`);
      return;
    }
    if (text.length > max) problems.push(`${what} has ${text.length} characters, more than ${max}`);
    if (required && text.trim() === "") problems.push(`${what} is blank`);
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) {
      problems.push(`${what} contains a broken surrogate pair`);
    }
  };
  check("title", embed.title, DISCORD_LIMITS.embedTitle);
  check("description", embed.description, DISCORD_LIMITS.embedDescription);
  check("footer", embed.footer?.text, DISCORD_LIMITS.embedFooter, embed.footer !== undefined);
  check("author name", embed.author?.name, DISCORD_LIMITS.embedAuthorName, embed.author !== undefined);
  const fields = embed.fields ?? [];
  if (fields.length > DISCORD_LIMITS.embedFields) {
    problems.push(`${fields.length} fields, more than ${DISCORD_LIMITS.embedFields}`);
  }
  fields.forEach((field, index) => {
    check(`field ${index} name`, field.name, DISCORD_LIMITS.embedFieldName, true);
    check(`field ${index} value`, field.value, DISCORD_LIMITS.embedFieldValue, true);
  });
  const total =
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  if (total > DISCORD_LIMITS.embedTotal) {
    problems.push(`${total} characters in all, more than ${DISCORD_LIMITS.embedTotal}`);
  }
  if (
    embed.color !== undefined &&
    (!Number.isInteger(embed.color) || embed.color < 0 || embed.color > 0xffffff)
  ) {
    problems.push(`color ${embed.color} is not a 24-bit colour`);
  }
  return problems;
}
