// Embeds for /omp status, health, version, queue and report: pure functions of plain data, always valid.

import type { APIEmbed, APIEmbedField } from "discord-api-types/v10";
import { DISCORD_LIMITS, DISPLAY_LIMITS, EMPTY_VALUE } from "../format/limits.js";
import {
  countOf,
  formatCost,
  formatDuration,
  formatTokens,
  nonEmpty,
  stripControlCharacters,
  truncateEnd,
  truncateMiddle,
} from "../format/text.js";
import type { HealthCheck } from "../health/checks.js";
import type { DayUsage } from "../store/index.js";

/** Colours reused from the dashboard's palette (SPEC §1) so the bot looks like one product. */
export const EMBED_COLORS = { ok: 0x2ecc71, info: 0x5865f2, warn: 0xf1c40f, bad: 0xe74c3c } as const;

export interface StatusData {
  uptimeMs: number;
  /** Gateway heartbeat latency; null or negative before the first heartbeat. */
  gatewayPingMs: number | null;
  runs: { active: number; queued: number; max: number };
  sessions: { active: number; total?: number | undefined };
  checks?: readonly HealthCheck[] | undefined;
  /** Messages owed to threads: how many wait, and the ones given up lately. */
  delivery?: DeliveryStatus | undefined;
}

export interface UndeliveredMessage {
  threadId: string;
  /** `answer`, `note`, `reply`. */
  kind: string;
  /** Why it was given up, as the outbox recorded it. */
  reason: string;
  at: Date;
}

export interface DeliveryStatus {
  /** Messages not delivered yet (retrying or about to be sent). */
  pending: number;
  /** Messages given up within `windowMs` before now: the newest few, and how many in all. */
  undeliverable: { total: number; recent: readonly UndeliveredMessage[]; windowMs: number };
}

export interface VersionData {
  botVersion: string;
  /** `omp --version` output, or undefined when omp could not be run. */
  ompVersion: string | undefined;
  nodeVersion: string;
  pid: number;
  uptimeMs: number;
}

export interface QueueEntry {
  text: string;
  authorId: string;
}

export interface QueueData {
  running?: (QueueEntry & { startedAt?: Date | undefined }) | undefined;
  waiting: readonly QueueEntry[];
  /** Used for the elapsed time of the running prompt. */
  now?: Date | undefined;
}

function field(name: string, value: string, inline = true): APIEmbedField {
  return {
    name: truncateEnd(nonEmpty(name, EMPTY_VALUE), DISCORD_LIMITS.embedFieldName),
    value: truncateEnd(nonEmpty(value, EMPTY_VALUE), DISCORD_LIMITS.embedFieldValue),
    inline,
  };
}

/** `, 1 warning` when checks passed with something to know (an untested omp); empty otherwise. */
function warned(checks: readonly HealthCheck[]): string {
  const warnings = checks.filter((check) => check.ok && check.warning).length;
  return warnings === 0 ? "" : ` (⚠️ ${warnings} warning${warnings === 1 ? "" : "s"})`;
}

function checkLine(check: HealthCheck): string {
  const name = oneLine(check.name, 80);
  const detail = check.detail ? ` — ${oneLine(check.detail, DISPLAY_LIMITS.healthReasonChars)}` : "";
  return `${check.ok ? (check.warning ? "⚠️" : "✅") : "❌"} **${name}**${detail}`;
}

function oneLine(text: string, max: number): string {
  return truncateMiddle(stripControlCharacters(text).replace(/\s+/g, " ").trim(), max);
}

/** Joins lines until `max`, then says how many were left out, so a long list never breaks the embed. */
function joinWithin(lines: readonly string[], max: number, more: (left: number) => string): string {
  const kept: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const left = lines.length - index;
    const reserve = index < lines.length - 1 ? more(left).length + 1 : 0;
    if (used + line.length + 1 + reserve > max) {
      kept.push(more(left));
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return truncateEnd(kept.join("\n"), max);
}

function pingText(ms: number | null): string {
  return ms === null || !Number.isFinite(ms) || ms < 0 ? "not measured yet" : `${Math.round(ms)} ms`;
}

/** `/omp status`: uptime, gateway latency, runs, sessions and, when given, the health checklist. */
export function statusEmbed(data: StatusData): APIEmbed {
  const checks = data.checks ?? [];
  const healthy = checks.every((check) => check.ok);
  const fields = [
    field("Uptime", formatDuration(data.uptimeMs)),
    field("Gateway latency", pingText(data.gatewayPingMs)),
    field("Runs", `${data.runs.active} running · ${data.runs.queued} queued · ${data.runs.max} max`),
    field(
      "Sessions",
      data.sessions.total === undefined
        ? `${data.sessions.active} active`
        : `${data.sessions.active} active · ${data.sessions.total} total`,
    ),
  ];
  const undelivered = data.delivery?.undeliverable;
  if (data.delivery && (data.delivery.pending > 0 || (undelivered?.total ?? 0) > 0)) {
    fields.push(field("📨 Messages to threads", deliveryText(data.delivery), false));
  }
  if (checks.length > 0) {
    fields.push(
      field(
        "Health",
        joinWithin(checks.map(checkLine), DISCORD_LIMITS.embedFieldValue, (n) => `…and ${n} more checks`),
        false,
      ),
    );
  }
  const troubled = !healthy || (undelivered?.total ?? 0) > 0;
  return {
    title: troubled ? "🟠 ompcord is running with problems" : "🟢 ompcord is running",
    color: troubled ? EMBED_COLORS.warn : EMBED_COLORS.ok,
    fields,
  };
}

/** What waits, and each message given up lately: where, what, when and why. */
function deliveryText(delivery: DeliveryStatus): string {
  const { pending, undeliverable } = delivery;
  const window = formatDuration(undeliverable.windowMs);
  const lines = [
    pending > 0 ? `${countOf(pending, "message")} waiting to be delivered (retrying).` : undefined,
    undeliverable.total > 0
      ? `**${countOf(undeliverable.total, "message")} undelivered** in the last ${window}; the transcripts on the host hold what they said:`
      : undefined,
    ...undeliverable.recent.map(
      (message) =>
        `• <#${message.threadId}> ${oneLine(message.kind, 20)}, <t:${Math.floor(message.at.getTime() / 1000)}:R>: ${oneLine(message.reason, 200)}`,
    ),
  ].filter((line): line is string => line !== undefined);
  return joinWithin(lines, DISCORD_LIMITS.embedFieldValue, (n) => `…and ${n} more`);
}

/** `/omp health`: one line per check with ✅/❌ and the reason. */
export function healthEmbed(checks: readonly HealthCheck[]): APIEmbed {
  const failed = checks.filter((check) => !check.ok).length;
  const title =
    checks.length === 0
      ? "No health checks ran"
      : failed === 0
        ? `✅ All ${checks.length} checks passed${warned(checks)}`
        : `❌ ${failed} of ${checks.length} checks failed${warned(checks)}`;
  return {
    title,
    color: checks.length > 0 && failed === 0 ? EMBED_COLORS.ok : EMBED_COLORS.bad,
    description: nonEmpty(
      joinWithin(checks.map(checkLine), DISCORD_LIMITS.embedDescription, (n) => `…and ${n} more checks`),
      "Nothing was checked.",
    ),
  };
}

/** `/omp version`: bot, omp and Node versions, PID and uptime. */
export function versionEmbed(data: VersionData): APIEmbed {
  return {
    title: "ompcord version",
    color: EMBED_COLORS.info,
    fields: [
      field("ompcord", oneLine(data.botVersion, 100)),
      field("omp", data.ompVersion ? oneLine(data.ompVersion, 200) : "not available (could not run omp)"),
      field("Node.js", oneLine(data.nodeVersion, 100)),
      field("PID", String(data.pid)),
      field("Uptime", formatDuration(data.uptimeMs)),
    ],
  };
}

function promptExcerpt(text: string): string {
  const line = oneLine(text, DISPLAY_LIMITS.queuePromptChars);
  return line ? line.replace(/`/g, "ˋ") : "(empty prompt)";
}

/** `/omp queue`: the running prompt, then the waiting ones in order, each with who queued it. */
export function queueEmbed(data: QueueData): APIEmbed {
  const { running, waiting } = data;
  if (!running && waiting.length === 0) {
    return {
      title: "The queue is empty",
      color: EMBED_COLORS.ok,
      description: "Nothing is running in this session. Use `/omp say` to send a prompt.",
    };
  }
  const lines: string[] = [];
  if (running) {
    const elapsed =
      running.startedAt && data.now
        ? ` · ${formatDuration(data.now.getTime() - running.startedAt.getTime())}`
        : "";
    lines.push(`▶️ **Running** (<@${running.authorId}>${elapsed}): \`${promptExcerpt(running.text)}\``);
  } else {
    lines.push("⏸️ Nothing is running right now.");
  }
  waiting.forEach((entry, index) => {
    lines.push(`**${index + 1}.** <@${entry.authorId}>: \`${promptExcerpt(entry.text)}\``);
  });
  return {
    title: `Queue: ${running ? "1 running" : "none running"}, ${waiting.length} waiting`,
    color: EMBED_COLORS.info,
    description: joinWithin(lines, DISCORD_LIMITS.embedDescription, (n) => `…and ${n} more waiting`),
  };
}

/**
 * `/omp report`: one line per UTC day (runs, failed, time, tokens, cost) and the total, as a fixed-width
 * table; the footer says the days are UTC and what a failure is.
 */
export function reportEmbed(days: readonly DayUsage[]): APIEmbed {
  const header = ["day (UTC)", "runs", "failed", "time", "tokens", "cost"];
  const row = (label: string, d: Omit<DayUsage, "day">) => [
    label,
    String(d.runs),
    String(d.failures),
    formatDuration(d.runMs),
    formatTokens(d.tokens),
    formatCost(d.cost),
  ];
  const total = days.reduce(
    (sum, d) => ({
      runs: sum.runs + d.runs,
      failures: sum.failures + d.failures,
      cancelled: sum.cancelled + d.cancelled,
      interrupted: sum.interrupted + d.interrupted,
      running: sum.running + d.running,
      runMs: sum.runMs + d.runMs,
      tokens: sum.tokens + d.tokens,
      cost: sum.cost + d.cost,
    }),
    { runs: 0, failures: 0, cancelled: 0, interrupted: 0, running: 0, runMs: 0, tokens: 0, cost: 0 },
  );
  const rows = [header, ...days.map((d) => row(d.day, d)), row("total", total)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const table = truncateEnd(["```", ...rows.map(line), "```"].join("\n"), DISCORD_LIMITS.embedDescription);
  const notes = [
    "Days are UTC, midnight to midnight; a run counts on the day it started, its time once it ended.",
    "Failed: failed, timed out or crashed.",
  ];
  if (total.cancelled > 0) notes.push(`Cancelled by a person: ${total.cancelled}.`);
  if (total.interrupted > 0) notes.push(`Cut by a stop or crash of the bot: ${total.interrupted}.`);
  if (total.running > 0) notes.push(`Still running: ${total.running}.`);
  return {
    title: `Runs in the last ${countOf(days.length, "day")}`,
    color: EMBED_COLORS.info,
    description: table,
    footer: { text: truncateEnd(notes.join(" "), DISCORD_LIMITS.embedFooter) },
  };
}
