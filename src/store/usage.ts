// What the runs of each day came to, for `/omp report`: runs, failures, time, tokens and cost per UTC
// day, from the runs table alone. A run belongs to the day it started; its time counts once it ended.

import type { Database } from "better-sqlite3";

/** One UTC day's runs. */
export interface DayUsage {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  runs: number;
  /** Runs that failed, timed out or crashed. */
  failures: number;
  /** Runs a person cancelled. */
  cancelled: number;
  /** Runs a stop or a crash of the bot cut. */
  interrupted: number;
  /** Runs still going. */
  running: number;
  /** Summed wall-clock time of the ended runs. */
  runMs: number;
  tokens: number;
  cost: number;
}

const MS_PER_DAY = 86_400_000;

/** Midnight UTC `days - 1` days before `now`'s day: the first day a report of `days` days covers. */
export function reportStart(now: Date, days: number): Date {
  const today = Math.floor(now.getTime() / MS_PER_DAY) * MS_PER_DAY;
  return new Date(today - (days - 1) * MS_PER_DAY);
}

/**
 * Each UTC day from `since` to `now`'s day, oldest first, with what its runs came to; a day without
 * runs is there with zeros (a quiet day is a figure too).
 */
export function usagePerDay(sqlite: Database, since: Date, now: Date): DayUsage[] {
  const rows = sqlite
    .prepare(
      `select strftime('%Y-%m-%d', started_at / 1000, 'unixepoch') as day,
              count(*) as runs,
              sum(outcome in ('failed', 'timed_out', 'crashed')) as failures,
              sum(outcome = 'cancelled') as cancelled,
              sum(outcome = 'interrupted') as interrupted,
              sum(ended_at is null) as running,
              coalesce(sum(ended_at - started_at), 0) as runMs,
              coalesce(sum(tokens), 0) as tokens,
              coalesce(sum(cost), 0) as cost
         from runs
        where started_at >= ?
        group by day`,
    )
    .all(since.getTime()) as DayUsage[];
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const days: DayUsage[] = [];
  for (let at = since.getTime(); at <= now.getTime(); at += MS_PER_DAY) {
    const day = new Date(at).toISOString().slice(0, 10);
    days.push(
      byDay.get(day) ?? {
        day,
        runs: 0,
        failures: 0,
        cancelled: 0,
        interrupted: 0,
        running: 0,
        runMs: 0,
        tokens: 0,
        cost: 0,
      },
    );
  }
  return days;
}
