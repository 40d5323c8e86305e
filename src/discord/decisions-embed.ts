// The decisions of a session, newest first, as `/omp queue` shows them under the queue: what was asked,
// who decided what and when (Discord timestamps, each reader's own time zone).

import type { APIEmbed } from "discord.js";
import { discordTime } from "../approvals/card.js";
import { DISCORD_LIMITS } from "../format/limits.js";
import { escapeMentions, truncateEnd } from "../format/text.js";
import type { DecisionRow } from "../store/index.js";

/** Decisions listed; older ones stay in the database. */
export const DECISIONS_SHOWN = 10;

const WORDS: Record<string, string> = {
  pending: "🟡 waiting",
  approved: "✅ approved",
  approved_by_all: "✅ approved (all for the run)",
  denied: "⛔ denied",
  answered: "💬 answered",
  timed_out: "⌛ timed out, denied",
  cancelled: "⏹️ cancelled",
  expired: "💤 expired",
};

function line(row: DecisionRow): string {
  const what = truncateEnd(escapeMentions(row.subject.replace(/\s+/g, " ")), 120);
  const outcome = WORDS[row.outcome] ?? row.outcome;
  const by = row.decidedBy ? ` by <@${row.decidedBy}>` : "";
  const at = row.decidedAt ? ` ${discordTime(row.decidedAt)}` : "";
  const detail =
    row.detail && row.outcome === "denied" ? `: “${truncateEnd(escapeMentions(row.detail), 100)}”` : "";
  return `${outcome}${by}${at}${detail} — ${row.kind === "question" ? "question " : ""}\`${what.replace(/`/g, "'")}\``;
}

/** The embed, or none when the session has no decisions. */
export function decisionsEmbed(rows: readonly DecisionRow[]): APIEmbed[] {
  if (rows.length === 0) return [];
  return [
    {
      title: "Approvals and questions",
      description: truncateEnd(
        rows.slice(0, DECISIONS_SHOWN).map(line).join("\n"),
        DISCORD_LIMITS.embedDescription,
      ),
      color: 0xf1c40f,
    },
  ];
}
