// SessionService: what a person can ask of a session (open, queue, cancel, stop, list) as store and
// scheduler calls. Discord objects never reach here: handlers pass plain ids and text, so the rules of
// a session live in one place whichever way the request came (slash command, button, 🚀, plain message).

import { join } from "node:path";
import type { Config } from "../config/index.js";
import type { AccessFacts, AccessPolicy } from "../discord/access/index.js";
import type { QueueSnapshot, RunScheduler } from "../queue/scheduler.js";
import type { NewPrompt, NewSession, PromptRow, SessionRow, Store } from "../store/index.js";

/** A session to record; its work directory comes from the config, never from the caller. */
export type OpenSessionInput = Omit<NewSession, "workDir" | "state">;

/** What the service tells the dashboards; implemented by the live dashboards in the Discord layer. */
export interface SessionEvents {
  queueChanged(sessionId: string, depth: number): void;
  stopped(sessionId: string, by: string | undefined): void;
}

export interface SessionServiceOptions {
  config: Pick<Config, "discord" | "omp" | "limits">;
  store: Store;
  scheduler: RunScheduler;
  events?: SessionEvents | undefined;
}

export class SessionService {
  readonly #config: SessionServiceOptions["config"];
  readonly #store: Store;
  readonly #scheduler: RunScheduler;
  #events: SessionEvents | undefined;

  constructor(options: SessionServiceOptions) {
    this.#config = options.config;
    this.#store = options.store;
    this.#scheduler = options.scheduler;
    this.#events = options.events;
  }

  /** Set after construction because the dashboards need the service's store and the service needs them. */
  set events(events: SessionEvents) {
    this.#events = events;
  }

  /** The access policy every check runs against, straight from the config. */
  get policy(): AccessPolicy {
    return {
      guildId: this.#config.discord.guildId,
      allowedUserIds: this.#config.discord.allowedUserIds,
      launchChannelIds: this.#config.discord.launchChannelIds,
      promptMaxChars: this.#config.limits.promptMaxChars,
      queueDepthMax: this.#config.limits.queueDepthMax,
    };
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

  /** The session part of access facts for a channel: null when it is not a session thread. */
  sessionFacts(channelId: string): Pick<AccessFacts, "session" | "queueDepth"> {
    const session = this.byThread(channelId);
    if (!session) return { session: null, queueDepth: 0 };
    return { session: { stopped: session.stoppedAt !== null }, queueDepth: this.depth(session.id) };
  }

  /**
   * Records a new session for a thread. Its working directory is its own, `<workspace root>/<session
   * id>` (made before its first run), so one session's work is not another's; a channel with a
   * project directory (OMP_CHANNEL_WORKDIRS) shares that directory between its sessions, by design.
   * @throws DuplicateLaunchError when the thread or launch message already has a session.
   */
  open(input: OpenSessionInput): SessionRow {
    const project = this.#config.omp.channelWorkDirs[input.parentChannelId];
    const workDir = project ?? ((session: { id: string }) => join(this.#config.omp.workDir, session.id));
    return this.#store.createSession({ ...input, workDir });
  }

  setDashboardMessage(sessionId: string, messageId: string): void {
    this.#store.setDashboardMessage(sessionId, messageId);
  }

  /** Queues a prompt (limits are checked by the caller's access rules) and returns its place in line. */
  queue(input: NewPrompt): { prompt: PromptRow; position: number } {
    const prompt = this.#scheduler.enqueue(input);
    const depth = this.depth(input.sessionId);
    this.#events?.queueChanged(input.sessionId, this.#store.countQueued(input.sessionId));
    return { prompt, position: depth };
  }

  /** Cancels the running prompt; the queue goes on. `false` when nothing was running. */
  async cancel(sessionId: string): Promise<boolean> {
    return this.#scheduler.cancelRun(sessionId);
  }

  /**
   * Stops a session for good: drops the queue, cancels the run, marks it stopped. The rows stay as
   * history. Returns how many waiting prompts were dropped.
   */
  async stop(sessionId: string, by: string | undefined): Promise<number> {
    // Marked first so nothing new is accepted while the run winds down.
    this.#store.markSessionStopped(sessionId);
    const { droppedPrompts } = await this.#scheduler.clearSession(sessionId);
    this.#events?.stopped(sessionId, by);
    return droppedPrompts;
  }

  snapshot(sessionId: string): QueueSnapshot {
    return this.#scheduler.snapshot(sessionId);
  }
}
