// Spend caps as arithmetic (SPEC §2 "Spend"): which caps apply to a run or a channel's day, whether usage
// has reached one, where a day starts and ends in the configured time zone, and the sentences a person
// reads. Pure: the clock and the figures come in as arguments (src/sessions/spend.ts feeds them).

import type { SpendCaps, SpendSettings } from "../config/index.js";

/** Tokens and cost (US dollars) as omp reports them, summed. */
export interface SpendUsage {
  tokens: number;
  cost: number;
}

export const NO_USAGE: SpendUsage = Object.freeze({ tokens: 0, cost: 0 });

/** A cap that usage has reached: which one, and the figures. */
export interface CapReached {
  scope: "run" | "day";
  measure: "tokens" | "cost";
  used: number;
  cap: number;
  /** Set when the cap is the launch channel's own (a per-channel setting), not the overall one. */
  channelId?: string;
}

/** The run caps for a run in `channelId`: the channel's own where it has one, else the overall ones. */
export function runCapsFor(settings: SpendSettings, channelId: string): SpendCaps {
  const own = settings.channels[channelId]?.run ?? {};
  return { tokens: own.tokens ?? settings.run.tokens, cost: own.cost ?? settings.run.cost };
}

/** Whether any run or day cap is set at all: with none, nothing needs watching. */
export function hasCaps(settings: SpendSettings): { run: boolean; day: boolean } {
  const set = (caps: Partial<SpendCaps>) => caps.tokens !== undefined || caps.cost !== undefined;
  const channels = Object.values(settings.channels);
  return {
    run: set(settings.run) || channels.some((c) => set(c.run)),
    day: set(settings.day) || channels.some((c) => set(c.day)),
  };
}

/** The first of `caps` that `usage` has reached (tokens before cost); reaching is `used >= cap`. */
function reached(
  usage: SpendUsage,
  caps: Partial<SpendCaps>,
  scope: CapReached["scope"],
  channelId?: string,
): CapReached | undefined {
  const channel = channelId === undefined ? {} : { channelId };
  if (caps.tokens !== undefined && usage.tokens >= caps.tokens)
    return { scope, measure: "tokens", used: usage.tokens, cap: caps.tokens, ...channel };
  if (caps.cost !== undefined && usage.cost >= caps.cost)
    return { scope, measure: "cost", used: usage.cost, cap: caps.cost, ...channel };
  return undefined;
}

/** The run cap a run in `channelId` has reached with `usage`, if any. */
export function runCapReached(
  usage: SpendUsage,
  settings: SpendSettings,
  channelId: string,
): CapReached | undefined {
  const own = settings.channels[channelId]?.run ?? {};
  const fromChannel = (measure: keyof SpendCaps) => own[measure] !== undefined;
  const found = reached(usage, runCapsFor(settings, channelId), "run");
  if (found && fromChannel(found.measure)) found.channelId = channelId;
  return found;
}

/**
 * The day cap reached, if any: the overall one against every channel's usage of the day, then the
 * channel's own against its usage.
 */
export function dayCapReached(
  day: { overall: SpendUsage; channel: SpendUsage },
  settings: SpendSettings,
  channelId: string,
): CapReached | undefined {
  return (
    reached(day.overall, settings.day, "day") ??
    reached(day.channel, settings.channels[channelId]?.day ?? {}, "day", channelId)
  );
}

// ── days in a time zone ──────────────────────────────────────────────────────────────────────

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(at: number, timeZone: string): { y: number; m: number; d: number; ms: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(at))) part[p.type] = Number(p.value);
  const y = part.year!;
  const m = part.month!;
  const d = part.day!;
  // The wall clock read as if it were UTC: its distance to `at` is the zone's offset then.
  const ms = Date.UTC(y, m - 1, d, part.hour!, part.minute!, part.second!) + (at % 1000);
  return { y, m, d, ms };
}

/** The instant the wall clock of `timeZone` shows 00:00 on day `y-m-d` (the offset found in two steps). */
function midnight(y: number, m: number, d: number, timeZone: string): number {
  const asUtc = Date.UTC(y, m - 1, d);
  let at = asUtc;
  for (let i = 0; i < 2; i++) at = asUtc - (wallClock(at, timeZone).ms - at);
  return at;
}

/** The day `now` falls in, in `timeZone`: from its midnight (inclusive) to the next one (exclusive). */
export function dayBounds(now: Date, timeZone: string): { start: Date; end: Date } {
  const { y, m, d } = wallClock(now.getTime(), timeZone);
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return {
    start: new Date(midnight(y, m, d, timeZone)),
    end: new Date(midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone)),
  };
}

/** `2026-12-08 00:00 UTC`: an instant as the wall clock of `timeZone` shows it, the zone named. */
export function formatInZone(at: Date, timeZone: string): string {
  const { ms } = wallClock(at.getTime(), timeZone);
  const wall = new Date(ms).toISOString();
  return `${wall.slice(0, 10)} ${wall.slice(11, 16)} ${timeZone}`;
}

// ── what a person reads ──────────────────────────────────────────────────────────────────────

/** `12,345 tokens` or `$0.1234`. */
export function formatFigure(measure: CapReached["measure"], value: number): string {
  if (measure === "tokens") return `${Math.round(value).toLocaleString("en-US")} tokens`;
  return `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

/** `the per-run token cap of this channel (15 tokens used, cap 10 tokens)`. */
export function describeCap(cap: CapReached): string {
  const what = cap.measure === "tokens" ? "token" : "cost";
  const whose = cap.channelId === undefined ? "" : " of this channel";
  const scope = cap.scope === "run" ? "per-run" : "daily";
  const which = cap.scope === "day" && cap.channelId === undefined ? " (all channels together)" : "";
  return `the ${scope} ${what} cap${whose}${which} (${formatFigure(cap.measure, cap.used)} used, cap ${formatFigure(cap.measure, cap.cap)})`;
}

/** The note in the thread when a run is stopped at its cap. */
export function runStoppedNote(
  runNumber: number,
  cap: CapReached,
  options: { finishing?: boolean } = {},
): string {
  const setting = settingOf(cap);
  const what = options.finishing
    ? `Run #${runNumber} reached ${describeCap(cap)} with its last answer.`
    : `Run #${runNumber} was stopped: it reached ${describeCap(cap)}.`;
  return `🛑 ${what} The session goes on; queued prompts still run. The cap is \`${setting}\`.`;
}

/** Why a new run is refused while the day is over a cap, and when that ends. */
export function dayRefusal(cap: CapReached, resetsAt: Date, timeZone: string): string {
  const unix = Math.floor(resetsAt.getTime() / 1000);
  return `Today's spend has reached ${describeCap(cap)}, so no new run starts until the next day begins at ${formatInZone(resetsAt, timeZone)} (<t:${unix}:R>). The cap is \`${settingOf(cap)}\`.`;
}

/** The variable a person changes to move the cap. */
export function settingOf(cap: CapReached): string {
  const measure = cap.measure === "tokens" ? "TOKENS" : "COST";
  const scope = cap.scope === "run" ? "RUN" : "DAY";
  return cap.channelId === undefined
    ? `OMPCORD_CAP_${scope}_${measure}`
    : `OMPCORD_CHANNEL_CAP_${scope}_${measure}`;
}
