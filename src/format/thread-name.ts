// Thread names for sessions: `Run: <first words>` / `Session: <name>`, always valid for Discord.

import { DISCORD_LIMITS } from "./limits.js";
import { stripControlCharacters, truncateEnd } from "./text.js";

/** Shown when the text gives nothing usable, because Discord refuses an empty thread name. */
const UNTITLED = "untitled";

/**
 * `threadName("Run", "fix the flaky\ntest please")` → `Run: fix the flaky test please`.
 * One line, at most 100 characters, cut at a word boundary when possible, never empty.
 */
export function threadName(prefix: string, text: string): string {
  const oneLine = (value: string): string => stripControlCharacters(value).replace(/\s+/g, " ").trim();
  const head = oneLine(prefix);
  const words = oneLine(text) || UNTITLED;
  const lead = head ? `${head}: ` : "";
  const max = DISCORD_LIMITS.threadName;
  if (lead.length + words.length <= max) return lead + words;
  if (lead.length >= max / 2) return truncateEnd(lead + words, max);

  const room = max - lead.length - 1; // one for the ellipsis
  const cut = words.lastIndexOf(" ", room);
  const body = cut >= room / 2 ? words.slice(0, cut) : words.slice(0, room);
  return truncateEnd(`${lead}${body}…`, max);
}
