// Terminal mirrors (issue 9, "a person's own omp"): a person's own omp session, opened by their
// installed extension with a named token, shown as a thread in the home channel with a live dashboard
// fed by the extension's event stream (there is no stdout to read). Each prompt typed in the terminal is
// a run on the dashboard and its answer is posted in the thread. Only the owner may steer it; steering
// goes through the same ledger (leases, acknowledgements) as a bot run's.

import { DISCORD_LIMITS, threadName, truncateEnd } from "../format/index.js";
import type { Logger } from "../log.js";
import { LineRenderer, toEvent } from "../omp/index.js";
import {
  MIRROR_CONTEXT_EVENT,
  MIRROR_STEERED_EVENT,
  type MirrorPort,
  type NamedPrincipal,
  type SteeringLedger,
} from "../sidecar/index.js";
import type { SessionRow, Store } from "../store/index.js";

/** The dashboard's line when the terminal's omp took a steering message for the running turn. */
export const STEERED_LINE = "⚡ steering handed to the agent: it reads it at its next step";

/** Where a mirror's thread is made: the home channel (DISCORD_CHANNEL_ID), implemented with discord.js. */
export interface MirrorThreads {
  create(
    name: string,
    reason: string,
  ): Promise<{ threadId: string; guildId: string; parentChannelId: string }>;
}

/** The dashboards, as far as a mirror uses them (DashboardBridge). */
export interface MirrorDashboards {
  openIdle(session: SessionRow): Promise<{ apply(event: MirrorDashboardEvent): void } | undefined>;
  observer: {
    onLine(sessionId: string, line: { kind: string; text: string }): void;
    onEvent?(sessionId: string, event: ReturnType<typeof toEvent>): void;
  };
  outbox: {
    enqueue(
      target: { threadId: string; sessionId: string },
      entries: { kind: "note"; message: { content: string; allowedMentions: { parse: [] } } }[],
    ): unknown;
  };
}

type MirrorDashboardEvent =
  | { type: "run_started"; prompt: string; authorId: string; runNumber: number; at: Date }
  | { type: "run_ended"; outcome: "success" | "failed" | "cancelled"; at: Date; error?: string | undefined }
  | { type: "stopped"; by?: string | undefined }
  | { type: "context"; tokens: number; contextWindow: number };

/** A steering message as a mirror's owner asks for it: refused for anyone else. */
export type MirrorSteerResult = { ok: true; id: string } | { ok: false; message: string };

interface LiveMirror {
  sessionId: string;
  threadId: string;
  ownerId: string;
  dashboard: { apply(event: MirrorDashboardEvent): void } | undefined;
  lines: LineRenderer;
  runNumber: number;
  running: boolean;
  lastAnswer: string;
  /** The holder of its steering leases, as a run id is for a bot run. */
  leaseHolder: string;
}

export interface MirrorServiceOptions {
  store: Store;
  threads: MirrorThreads;
  dashboards: MirrorDashboards;
  steering: () => SteeringLedger;
  redact: (text: string) => string;
  /** The directory recorded as the session's (a mirror runs nothing here: the terminal is the person's). */
  workDirFor: (mirrorId: string) => string;
  logger: Logger;
}

export class MirrorService implements MirrorPort {
  readonly #live = new Map<string, LiveMirror>();
  readonly #options: MirrorServiceOptions;

  constructor(options: MirrorServiceOptions) {
    this.#options = options;
  }

  async open(input: { owner: NamedPrincipal; title: string; cwd: string | undefined }) {
    const { store, threads, dashboards, logger } = this.#options;
    const name = threadName("Terminal", input.title);
    const thread = await threads.create(name, `ompcord terminal mirror for token ${input.owner.name}`);
    const session = store.createSession({
      guildId: thread.guildId,
      parentChannelId: thread.parentChannelId,
      threadId: thread.threadId,
      name,
      createdBy: input.owner.discordUserId,
      workDir: (row) => this.#options.workDirFor(row.id),
    });
    const mirror: LiveMirror = {
      sessionId: session.id,
      threadId: thread.threadId,
      ownerId: input.owner.discordUserId,
      dashboard: undefined,
      lines: new LineRenderer(),
      runNumber: 0,
      running: false,
      lastAnswer: "",
      leaseHolder: `mirror-${session.id}`,
    };
    this.#live.set(session.id, mirror);
    mirror.dashboard = await dashboards.openIdle(session);
    const where = input.cwd ? ` in \`${input.cwd.replace(/`/g, "ˋ")}\`` : "";
    this.#note(
      mirror,
      `🖥️ <@${mirror.ownerId}>'s terminal omp${where}, mirrored with their token \`${input.owner.name}\`. Only <@${mirror.ownerId}> can steer it.`,
    );
    logger.info(
      { sessionId: session.id, owner: mirror.ownerId, token: input.owner.name },
      "terminal mirror opened",
    );
    return { mirrorId: session.id, threadId: thread.threadId };
  }

  /**
   * After a restart: mirrors live in memory, so those of the last process are over (their extensions get
   * 404 and stop). Their sessions are marked stopped before recovery repaints them; returns how many.
   */
  endOrphans(isMirrorWorkDir: (workDir: string) => boolean): number {
    let ended = 0;
    for (const session of this.#options.store.listActiveSessions()) {
      if (!isMirrorWorkDir(session.workDir) || this.#live.has(session.id)) continue;
      this.#options.store.markSessionStopped(session.id);
      ended++;
    }
    return ended;
  }

  ownerOf(mirrorId: string): string | undefined {
    return this.#live.get(mirrorId)?.ownerId;
  }

  /** The mirror shown in this thread, if one is open. */
  inThread(threadId: string): { mirrorId: string; ownerId: string } | undefined {
    for (const mirror of this.#live.values()) {
      if (mirror.threadId === threadId) return { mirrorId: mirror.sessionId, ownerId: mirror.ownerId };
    }
    return undefined;
  }

  events(mirrorId: string, events: readonly Record<string, unknown>[]): void {
    const mirror = this.#live.get(mirrorId);
    if (!mirror) return;
    for (const raw of events) {
      try {
        this.#event(mirror, raw);
      } catch (error) {
        this.#options.logger.warn({ err: error, sessionId: mirrorId }, "a mirrored event could not be shown");
      }
    }
  }

  /** Queues steering from `userId` for the mirror; only its owner may. The text is stored as typed. */
  steer(mirrorId: string, userId: string, text: string): MirrorSteerResult {
    const mirror = this.#live.get(mirrorId);
    if (!mirror)
      return { ok: false, message: "This terminal mirror is closed; nothing receives steering here." };
    if (userId !== mirror.ownerId) {
      return {
        ok: false,
        message: `Only <@${mirror.ownerId}> can steer this terminal session: it runs on their machine.`,
      };
    }
    const record = this.#options.steering().queue({ sessionId: mirrorId, authorId: userId, text });
    return { ok: true, id: record.id };
  }

  lease(mirrorId: string) {
    const mirror = this.#live.get(mirrorId);
    if (!mirror) return [];
    return this.#options.steering().lease(mirrorId, mirror.leaseHolder);
  }

  waitForWork(mirrorId: string, ms: number, signal: AbortSignal): Promise<void> {
    return this.#options.steering().waitForWork(mirrorId, ms, signal);
  }

  ack(mirrorId: string, ids: readonly string[]): string[] {
    const mirror = this.#live.get(mirrorId);
    if (!mirror) return [];
    return this.#options.steering().ack(mirrorId, mirror.leaseHolder, ids);
  }

  async close(mirrorId: string): Promise<void> {
    const mirror = this.#live.get(mirrorId);
    if (!mirror) return;
    this.#endRun(mirror, "success");
    this.#live.delete(mirrorId);
    // What the terminal never took goes back to pending; a closed mirror leases nothing more.
    this.#options.store.releaseSteering(mirror.leaseHolder);
    this.#options.store.markSessionStopped(mirrorId);
    mirror.dashboard?.apply({ type: "stopped" });
    this.#note(mirror, "🖥️ The terminal session ended.");
  }

  #event(mirror: LiveMirror, raw: Record<string, unknown>): void {
    if (raw.type === MIRROR_CONTEXT_EVENT) {
      const tokens = Number(raw.tokens);
      const contextWindow = Number(raw.contextWindow);
      if (Number.isFinite(tokens) && Number.isFinite(contextWindow)) {
        mirror.dashboard?.apply({ type: "context", tokens, contextWindow });
      }
      return;
    }
    const { dashboards, redact } = this.#options;
    if (raw.type === MIRROR_STEERED_EVENT) {
      dashboards.observer.onLine(mirror.sessionId, { kind: "info", text: STEERED_LINE });
      return;
    }
    const event = toEvent(raw);
    if (event.type === "message_start" && event.message.role === "user" && !event.message.steering) {
      // A prompt typed in the terminal: a new run on the dashboard.
      this.#endRun(mirror, "success");
      mirror.runNumber++;
      mirror.running = true;
      mirror.lastAnswer = "";
      mirror.dashboard?.apply({
        type: "run_started",
        prompt: redact(event.message.text),
        authorId: mirror.ownerId,
        runNumber: mirror.runNumber,
        at: new Date(),
      });
      return;
    }
    if (event.type === "message_end" && event.message.role === "assistant" && event.message.text.trim()) {
      mirror.lastAnswer = event.message.text;
    }
    dashboards.observer.onEvent?.(mirror.sessionId, event);
    for (const line of mirror.lines.push(event)) {
      dashboards.observer.onLine(mirror.sessionId, { ...line, text: redact(line.text) });
    }
    if (event.type === "agent_end") this.#endRun(mirror, "success");
  }

  #endRun(mirror: LiveMirror, outcome: "success" | "failed" | "cancelled"): void {
    if (!mirror.running) return;
    mirror.running = false;
    for (const line of mirror.lines.end()) {
      this.#options.dashboards.observer.onLine(mirror.sessionId, {
        ...line,
        text: this.#options.redact(line.text),
      });
    }
    mirror.dashboard?.apply({ type: "run_ended", outcome, at: new Date() });
    const answer = this.#options.redact(mirror.lastAnswer.trim());
    if (answer) this.#note(mirror, answer);
  }

  #note(mirror: LiveMirror, text: string): void {
    this.#options.dashboards.outbox.enqueue({ threadId: mirror.threadId, sessionId: mirror.sessionId }, [
      {
        kind: "note",
        message: {
          content: truncateEnd(text, DISCORD_LIMITS.messageContent),
          allowedMentions: { parse: [] },
        },
      },
    ]);
  }
}
