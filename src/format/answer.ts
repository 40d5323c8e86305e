// The final answer of a run as ready-to-send thread messages: mentions neutralised, split at Discord's limit.

import { DISCORD_LIMITS } from "./limits.js";
import { splitMessage } from "./split.js";
import { escapeMentions, stripControlCharacters } from "./text.js";

export interface AnswerMessage {
  content: string;
  allowedMentions: { parse: [] };
}

/**
 * Messages for an agent's final answer, in order. Expects already-redacted text. Returns no messages for
 * a blank answer, so the caller can say "the agent gave no answer" instead of sending nothing.
 */
export function answerMessages(text: string, limit: number = DISCORD_LIMITS.messageContent): AnswerMessage[] {
  return splitMessage(escapeMentions(stripControlCharacters(text)), limit).map((content) => ({
    content,
    allowedMentions: { parse: [] },
  }));
}
