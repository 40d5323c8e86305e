// SessionService: a session's whole life (open it from 🚀 or `/omp new`, queue, cancel, stop, its thread
// or its dashboard vanishing, recovery after a restart) as store and scheduler calls. Discord objects
// never reach here: handlers pass plain ids and text, and Discord is reached through the ports of
// ports.ts, so the rules of a session live in one place whichever way the request came.

import { join } from "node:path";
import type { Config } from "../config/index.js";
import type { Logger } from "../log.js";
import type { QueueSnapshot, RunScheduler, SchedulerStats } from "../queue/scheduler.js";
import {
  type DayUsage,
  type NewPrompt,
  type NewSession,
  type PromptRow,
  type PromptSource,
  type ReconcileResult,
  reportStart,
  type SessionRow,
  type Store,
  usagePerDay,
} from "../store/index.js";
import type { SessionDashboards, SessionThreads } from "./ports.js";
import { recoverAfterRestart } from "./recover.js";

/** A session to record; its work directory comes from the config, never from the caller. */
export type OpenSessionInput = Omit<NewSession, "workDir" | "state">;

/** A session to open in a thread the caller has just created, with the prompt it runs first. */
export interface SessionLaunch extends OpenSessionInput {
  prompt: string;
  source: PromptSource;
}

export interface SessionServiceOptions {
  config: Pick<Config, "omp">;
  store: Store;
  scheduler: RunScheduler;
  dashboards: SessionDashboards;
  threads: SessionThreads;
  logger: Logger;
}

export class SessionService {
  readonly #config: SessionServiceOptions["config"];
  readonly #store: Store;
  readonly #scheduler: RunScheduler;
  readonly #dashboards: SessionDashboards;
  readonly #threads: SessionThreads;
  readonly #logger: Logger;

  constructor(options: SessionServiceOptions) {
    this.#config = options.config;
    this.#store = options.store;
    this.#scheduler = options.scheduler;
    this.#dashboards = options.dashboards;
    this.#threads = options.threads;
    this.#logger = options.logger;
  }

  byThread(threadId: string): SessionRow | undefined {
    return this.#store.getSessionByThread(threadId);
  }

  byId(sessionId: string): SessionRow | undefined {
    return this.#store.getSession(sessionId);
  }

  byLaunchMessage(messageId: string): SessionRow | undefined {
    return this.#store.getSessionByLaunchMessage(messageId);
  }

  /** Prompts waiting plus the one running: what the queue-depth limit counts. */
  depth(sessionId: string): number {
    return this.#store.countQueued(sessionId) + (this.#store.runningPrompt(sessionId) ? 1 : 0);
  }

  /**
   * Opens a session in a fresh thread, shared by 🚀 and `/omp new`: the session row, the pinned
   * dashboard, the first prompt queued. Creating the thread stays with the caller (from a message, or
   * standalone). The session's working directory is its own, `<workspace root>/<session id>` (made
   * before its first run), so one session's work is not another's; a channel with a project directory
   * (OMP_CHANNEL_WORKDIRS) shares that directory between its sessions, by design; a named project
   * (OMPCORD_PROJECTS, judged by `resolveLaunchChoice` first) puts the session in the project's directory.
   * @throws DuplicateLaunchError when the thread or launch message already has a session.
   */
  async launch(launch: SessionLaunch): Promise<SessionRow> {
    const { prompt, source, ...input } = launch;
    const named = this.#namedProject(input.project);
    const project = named?.dir ?? this.#config.omp.channelWorkDirs[input.parentChannelId];
    const workDir = project ?? ((session: { id: string }) => join(this.#config.omp.workDir, session.id));
    const session = this.#store.createSession({ ...input, workDir });
    await this.#dashboards.open(session, {
      prompt,
      authorId: input.createdBy,
      waitingForSlot: this.#scheduler.slotWait(session.id),
    });
    this.queue({ sessionId: session.id, authorId: input.createdBy, text: prompt, source });
    this.#logger.info(
      { sessionId: session.id, threadId: session.threadId, source, createdBy: input.createdBy },
      "session opened",
    );
    return session;
  }

  /** The session's later runs use `model` (omp's selector, judged by `resolveModelChoice`). */
  setModel(sessionId: string, model: string): SessionRow {
    const session = this.#store.setSessionModel(sessionId, model);
    this.#dashboards.modelChanged?.(sessionId, model);
    this.#logger.info({ sessionId, model }, "session model changed");
    return session;
  }

  #namedProject(name: string | null | undefined) {
    if (!name) return undefined;
    const project = this.#config.omp.projects.find((candidate) => candidate.name === name);
    // The caller judged the choice; a name that is not configured is a bug, never a silent fallback.
    if (!project) throw new Error(`Expected \`project\` to be a configured project name, got \`${name}\``);
    return project;
  }

  /** Queues a prompt (limits are checked by the caller's access rules) and returns its place in line. */
  queue(input: NewPrompt): { prompt: PromptRow; position: number } {
    const prompt = this.#scheduler.enqueue(input);
    const depth = this.depth(input.sessionId);
    this.#dashboards.queueChanged(input.sessionId, this.#store.countQueued(input.sessionId));
    return { prompt, position: depth };
  }

  /** A waiting prompt left the queue (⚡ Steer now took it): the dashboard counts the line again. */
  queueShrank(sessionId: string): void {
    this.#dashboards.queueChanged(sessionId, this.#store.countQueued(sessionId));
  }

  /**
   * Cancels the running prompt; the queue goes on. `false` when nothing was running, or when a cancel
   * was already under way: only the first of a double click announces it.
   */
  cancel(sessionId: string): Promise<boolean> {
    return this.#scheduler.cancelRun(sessionId);
  }

  /**
   * Stops a session for good: drops the queue, cancels the run, marks it stopped, paints the dashboard's
   * final state. The rows stay as history. Returns how many waiting prompts were dropped. The session is
   * marked stopped before this returns its promise, so a second stop arriving meanwhile is refused.
   */
  async stop(sessionId: string, by: string): Promise<number> {
    const dropped = await this.#end(sessionId, by);
    await this.#dashboards.settle(sessionId);
    return dropped;
  }

  /** Archives a stopped session's thread, once its stop was announced there. */
  async archiveThread(sessionId: string): Promise<void> {
    const session = this.byId(sessionId);
    if (session) await this.#threads.archive(session.threadId);
  }

  /**
   * A session's thread was deleted (a gateway event, or a failed edit when the event was missed while
   * the bot was away): the session ends, its dashboard stops, what the thread was owed is given up.
   */
  async threadVanished(threadId: string): Promise<void> {
    const session = this.byThread(threadId);
    if (!session || session.stoppedAt !== null) return;
    this.#logger.info({ sessionId: session.id, threadId }, "session thread deleted; stopping the session");
    await this.#end(session.id, undefined);
    this.#dashboards.detach(session.id);
  }

  /**
   * A dashboard can no longer be edited: a deleted thread ends its session, a deleted message (the
   * thread still there) gets a fresh dashboard and the session goes on. Never rejects.
   */
  async dashboardVanished(sessionId: string): Promise<void> {
    const session = this.byId(sessionId);
    if (!session || session.stoppedAt !== null) return;
    try {
      if (await this.#threads.exists(session.threadId)) {
        await this.#dashboards.repost(session, this.#scheduler.slotWait(session.id));
      } else {
        await this.threadVanished(session.threadId);
      }
    } catch (error) {
      this.#logger.warn(
        { err: error, sessionId, threadId: session.threadId },
        "could not replace the dashboard",
      );
    }
  }

  /**
   * After a restart, before new work: ends what is left of interrupted runs and repaints every live
   * dashboard from the store (SPEC §7). Queued prompts resume after this (`RunScheduler.resumeAll`).
   */
  recover(reconciled: ReconcileResult): Promise<void> {
    return recoverAfterRestart(
      {
        store: this.#store,
        dashboards: this.#dashboards,
        killGraceMs: this.#config.omp.killGraceMs,
        logger: this.#logger,
      },
      reconciled,
    );
  }

  snapshot(sessionId: string): QueueSnapshot {
    return this.#scheduler.snapshot(sessionId);
  }

  /** Runs, failures, time, tokens and cost of each of the last `days` UTC days, today included (`/omp report`). */
  usage(days: number, now = new Date()): DayUsage[] {
    return usagePerDay(this.#store.sqlite, reportStart(now, days), now);
  }

  /** Runs going and waiting, and sessions not stopped: what `/omp status` counts. */
  stats(): { runs: SchedulerStats; sessionsActive: number } {
    return { runs: this.#scheduler.stats(), sessionsActive: this.#store.stats().sessionsActive };
  }

  /** Marks the session stopped first, so nothing new is accepted while the run winds down. */
  async #end(sessionId: string, by: string | undefined): Promise<number> {
    this.#store.markSessionStopped(sessionId);
    const { droppedPrompts } = await this.#scheduler.clearSession(sessionId);
    this.#dashboards.stopped(sessionId, by);
    return droppedPrompts;
  }
}
