// Times as Discord's client shows them, in the reader's own locale and time zone: `<t:…:STYLE>` markup
// (t, T, d, D, f, F, R) and message headers ("Today at 3:04 AM"). Pure: the clock and locale are passed in.

export type TimestampStyle = "t" | "T" | "d" | "D" | "f" | "F" | "R";

export interface TimeLocale {
  /** BCP 47 locale; undefined is the browser's. */
  locale?: string | undefined;
  /** IANA zone; undefined is the browser's. */
  timeZone?: string | undefined;
}

const STYLES: Record<Exclude<TimestampStyle, "R">, Intl.DateTimeFormatOptions> = {
  t: { hour: "numeric", minute: "2-digit" },
  T: { hour: "numeric", minute: "2-digit", second: "2-digit" },
  d: { day: "2-digit", month: "2-digit", year: "numeric" },
  D: { day: "numeric", month: "long", year: "numeric" },
  f: { day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit" },
  F: { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "numeric", minute: "2-digit" },
};

/** Relative units from the largest down, with their length in seconds. */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

export function isTimestampStyle(style: string | undefined): style is TimestampStyle {
  return style !== undefined && /^[tTdDfFR]$/.test(style);
}

/** `<t:SECONDS:STYLE>` as the reader sees it; an unknown style reads as the default (f). */
export function formatTimestamp(
  date: Date,
  style: string | undefined,
  now: Date,
  where: TimeLocale = {},
): string {
  if (style === "R") return relativeTime(date, now, where);
  const options = STYLES[isTimestampStyle(style) && style !== "R" ? style : "f"];
  return new Intl.DateTimeFormat(where.locale, { ...options, timeZone: where.timeZone }).format(date);
}

/** "in 5 minutes", "2 hours ago", "now" (Discord rounds to the largest whole unit). */
export function relativeTime(date: Date, now: Date, where: TimeLocale = {}): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(where.locale, { numeric: "auto" });
  for (const [unit, length] of UNITS) {
    if (Math.abs(seconds) >= length || unit === "second")
      return format.format(Math.trunc(seconds / length), unit);
  }
  return format.format(0, "second");
}

/** A message header's time: "Today at 3:04 AM", "Yesterday at 11:58 PM", else the date and time. */
export function messageTime(date: Date, now: Date, where: TimeLocale = {}): string {
  const day = (d: Date) =>
    new Intl.DateTimeFormat("en-CA", {
      timeZone: where.timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(d);
  const time = formatTimestamp(date, "t", now, where);
  if (day(date) === day(now)) return `Today at ${time}`;
  if (day(date) === day(new Date(now.getTime() - 86_400_000))) return `Yesterday at ${time}`;
  return `${formatTimestamp(date, "d", now, where)} ${time}`;
}
