// Discord's Message Content rule: without the privileged MESSAGE_CONTENT intent a bot receives messages
// with empty content, embeds, attachments and components, unless it wrote them or is mentioned in them.

import { GatewayIntentBits } from "discord-api-types/v10";

export function contentVisible(
  intents: number,
  botUserId: string,
  authorId: string,
  mentionIds: string[],
): boolean {
  if ((intents & GatewayIntentBits.MessageContent) !== 0) return true;
  return authorId === botUserId || mentionIds.includes(botUserId);
}

export function stripMessageContent(d: Record<string, unknown>): Record<string, unknown> {
  return { ...d, content: "", embeds: [], attachments: [], components: [] };
}
