// The bot's reports in its home channel (DISCORD_CHANNEL_ID): it started (and what it recovered), it
// stopped cleanly, or it came back after a crash. A crash is what a start finds when the last process
// never said it stopped (`lifecycle.json` in the data directory); a crash loop edits one message that
// counts the restarts instead of posting one per restart. Posted in the channel's write window, never
// mentioning anyone.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "discord.js";
import { type ChannelWrites, writeInWindow } from "../dashboard/live/write-window.js";
import {
  countOf,
  DISCORD_LIMITS,
  escapeMentions,
  formatDuration,
  stripControlCharacters,
  truncateEnd,
} from "../format/index.js";
import type { Logger } from "../log.js";
import { NO_MENTIONS } from "./replies.js";

/** The file in the data directory that says whether the last process stopped cleanly. */
export const LIFECYCLE_FILE = "lifecycle.json";
/** Restarts after crashes closer together than this are one crash loop: one message, edited. */
export const CRASH_LOOP_WINDOW_MS = 15 * 60_000;
/** How long a stop waits for its report before it goes on without it (Discord may be the reason). */
export const STOP_REPORT_WAIT_MS = 5_000;

/** What `lifecycle.json` holds. */
interface LifecycleState {
  /** Set while a process runs; a start that finds it set knows the last process crashed. */
  running: { pid: number; startedAt: number } | null;
  /** The crash loop in progress: restarts after a crash within `CRASH_LOOP_WINDOW_MS` of each other. */
  crashes: CrashLoop | null;
}

export interface CrashLoop {
  /** Restarts after a crash in this loop, this one included. */
  count: number;
  firstAt: number;
  lastAt: number;
  /** The home channel message that reports the loop, once posted. */
  messageId?: string | undefined;
}

/** How the last process ended, as this start found it. */
export type PreviousEnd =
  | { kind: "first" }
  | { kind: "clean" }
  | { kind: "crash"; crashedStartedAt: number; loop: CrashLoop };

/**
 * The start's view of `lifecycle.json` after reading it: what the last process left, updated for this
 * one (running from now, the crash loop counted). A missing or unreadable file is a first start.
 */
export function beginLifecycle(previous: LifecycleState | undefined, now: number, pid: number) {
  let end: PreviousEnd = { kind: previous ? "clean" : "first" };
  let crashes: CrashLoop | null = null;
  if (previous?.running) {
    const earlier = previous.crashes;
    crashes =
      earlier && now - earlier.lastAt <= CRASH_LOOP_WINDOW_MS
        ? { ...earlier, count: earlier.count + 1, lastAt: now }
        : { count: 1, firstAt: now, lastAt: now };
    end = { kind: "crash", crashedStartedAt: previous.running.startedAt, loop: crashes };
  }
  const state: LifecycleState = { running: { pid, startedAt: now }, crashes };
  return { end, state };
}

/** What a start recovered, for its report. */
export interface Recovered {
  /** Live sessions whose dashboards were repainted. */
  sessions: number;
  /** Runs the last process did not see end (a crash), now recorded as interrupted. */
  interruptedRuns: number;
  /** Sessions whose queued prompts resumed. */
  resumedSessions: number;
  /** Messages owed to threads (answers, notes) that are being delivered again. */
  owedMessages: number;
}

export interface StartFacts {
  version: string;
  /** What `omp --version` printed, or undefined when omp did not answer. */
  ompVersion: string | undefined;
  /** The warning when omp is not the version the bot is tested with. */
  ompWarning: string | undefined;
  recovered: Recovered;
  end: PreviousEnd;
}

export interface StopFacts {
  version: string;
  uptimeMs: number;
  /** Runs the stop cut (after the grace period): their dashboards say ⏸ bot stopped. */
  cutRuns: number;
  /** Prompts still queued: they run when the bot is back. */
  queuedPrompts: number;
}

function clean(text: string): string {
  return escapeMentions(stripControlCharacters(text)).replace(/\s+/g, " ").trim();
}

function recoveredLine(recovered: Recovered): string {
  const parts = [
    `${countOf(recovered.sessions, "live session")} repainted`,
    `${countOf(recovered.resumedSessions, "session")} with queued prompts resumed`,
  ];
  if (recovered.interruptedRuns > 0)
    parts.push(`${countOf(recovered.interruptedRuns, "run")} cut by the crash recorded as interrupted`);
  if (recovered.owedMessages > 0)
    parts.push(`${countOf(recovered.owedMessages, "owed message")} being delivered`);
  return `Recovered: ${parts.join(", ")}.`;
}

/** The start report: a plain start, or the crash (loop) report with its count. Mention-safe. */
export function startReportText(facts: StartFacts): string {
  const omp = facts.ompVersion ? clean(facts.ompVersion) : "not answering (see /omp health)";
  const lines: string[] = [];
  if (facts.end.kind === "crash") {
    const { loop } = facts.end;
    lines.push(
      loop.count === 1
        ? `⚠️ **ompcord ${clean(facts.version)} is back after a crash**: the last process ended without stopping cleanly.`
        : `🔁 **ompcord ${clean(facts.version)} is crash-looping**: back after a crash ${loop.count} times in ${formatDuration(loop.lastAt - loop.firstAt)} (last <t:${Math.floor(loop.lastAt / 1000)}:R>). Check its log.`,
    );
  } else {
    lines.push(`🟢 **ompcord ${clean(facts.version)} started**.`);
  }
  lines.push(`omp: ${omp}.`);
  if (facts.ompWarning) lines.push(`⚠️ ${clean(facts.ompWarning)}`);
  lines.push(recoveredLine(facts.recovered));
  return truncateEnd(lines.join("\n"), DISCORD_LIMITS.messageContent);
}

/** The clean stop report. */
export function stopReportText(facts: StopFacts): string {
  const lines = [
    `⏸ **ompcord ${clean(facts.version)} stopped** cleanly after ${formatDuration(facts.uptimeMs)}.`,
  ];
  if (facts.cutRuns > 0)
    lines.push(
      `${countOf(facts.cutRuns, "run")} still going after the grace period ${facts.cutRuns === 1 ? "was" : "were"} stopped; ${facts.cutRuns === 1 ? "its dashboard says" : "their dashboards say"} ⏸ bot stopped.`,
    );
  if (facts.queuedPrompts > 0)
    lines.push(`${countOf(facts.queuedPrompts, "queued prompt")} will run when the bot is back.`);
  return truncateEnd(lines.join("\n"), DISCORD_LIMITS.messageContent);
}

export interface HomeReportsOptions {
  client: Client;
  /** The home channel's write window. */
  writes: ChannelWrites;
  channelId: string;
  /** OMPCORD_HOME_REPORTS: when off, nothing is posted (the lifecycle file is still kept). */
  enabled: boolean;
  dataDir: string;
  logger: Logger;
  now?: () => number;
}

/** The lifecycle file and the reports made from it; one per process. */
export class HomeReports {
  readonly #options: HomeReportsOptions;
  readonly #path: string;
  readonly #now: () => number;
  #state: LifecycleState | undefined;
  #end: PreviousEnd = { kind: "first" };

  constructor(options: HomeReportsOptions) {
    this.#options = options;
    this.#path = join(options.dataDir, LIFECYCLE_FILE);
    this.#now = options.now ?? Date.now;
  }

  /** How the last process ended, and from now on this one counts as running (until `markStopped`). */
  begin(): PreviousEnd {
    const { end, state } = beginLifecycle(this.#read(), this.#now(), process.pid);
    this.#state = state;
    this.#end = end;
    this.#write();
    if (end.kind === "crash") {
      this.#options.logger.warn(
        { restartsInLoop: end.loop.count, crashedStartedAt: new Date(end.crashedStartedAt).toISOString() },
        "the last ompcord process did not stop cleanly (a crash, kill -9 or power loss)",
      );
    }
    return end;
  }

  /** Posts the start report (editing the crash loop's message when there is one). Never throws. */
  async started(facts: Omit<StartFacts, "end">): Promise<void> {
    if (!this.#options.enabled) return;
    const content = startReportText({ ...facts, end: this.#end });
    try {
      const loop = this.#end.kind === "crash" ? this.#end.loop : undefined;
      const messageId = await this.#post(content, loop?.messageId);
      if (loop && this.#state?.crashes) {
        this.#state.crashes.messageId = messageId;
        this.#write();
      }
    } catch (error) {
      this.#options.logger.warn({ err: error }, "could not post the start report in the home channel");
    }
  }

  /** Posts the clean stop report, waiting at most `STOP_REPORT_WAIT_MS`. Never throws. */
  async stopping(facts: StopFacts): Promise<void> {
    if (!this.#options.enabled) return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_REPORT_WAIT_MS);
    });
    const posted = this.#post(stopReportText(facts)).then(
      () => undefined,
      (error: unknown) =>
        this.#options.logger.warn({ err: error }, "could not post the stop report in the home channel"),
    );
    await Promise.race([posted, gaveUp]);
    clearTimeout(timer);
  }

  /** The process is stopping cleanly: the next start is not a crash, and any crash loop is over. */
  markStopped(): void {
    this.#state = { running: null, crashes: null };
    this.#write();
  }

  async #post(content: string, editId?: string): Promise<string> {
    const channel = await this.#options.client.channels.fetch(this.#options.channelId);
    if (!channel?.isSendable())
      throw new Error(`the home channel ${this.#options.channelId} takes no messages`);
    const message = { content, allowedMentions: NO_MENTIONS };
    if (editId && "messages" in channel) {
      try {
        const edited = await writeInWindow(
          this.#options.writes,
          (): Promise<{ id: string }> => channel.messages.edit(editId, message),
        );
        return edited.id;
      } catch (error) {
        // Deleted meanwhile (or never there): the loop gets a message of its own again.
        this.#options.logger.debug(
          { err: error, messageId: editId },
          "crash report not editable; posting anew",
        );
      }
    }
    const sent = await writeInWindow(
      this.#options.writes,
      (): Promise<{ id: string }> => channel.send(message),
    );
    return sent.id;
  }

  #read(): LifecycleState | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.#path, "utf8")) as Partial<LifecycleState>;
      return { running: parsed.running ?? null, crashes: parsed.crashes ?? null };
    } catch {
      return undefined;
    }
  }

  /** Written whole and renamed into place: a crash while writing leaves the old file, never half a file. */
  #write(): void {
    try {
      const temp = `${this.#path}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(this.#state)}\n`, { mode: 0o600 });
      renameSync(temp, this.#path);
    } catch (error) {
      this.#options.logger.warn({ err: error, path: this.#path }, "could not write the lifecycle file");
    }
  }
}
