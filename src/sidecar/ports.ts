// What the sidecar needs from the rest of the bot, as a small interface: the store plugs in here.

import type { RunTelemetryStore } from "./run-telemetry.js";
import type { SteeringRecord, SteeringStore } from "./steering.js";

/** A telemetry event posted by the OMP extension of a running agent. */
export interface SidecarEvent {
  sessionId: string;
  eventType: string;
  /** The event's content; JSON values other than strings arrive serialised. */
  content: string;
  /** When the agent says it happened. */
  timestamp: Date;
  /** When the sidecar received it. */
  receivedAt: Date;
}

export interface SidecarPorts extends SteeringStore, Partial<RunTelemetryStore> {
  sessionExists(sessionId: string): boolean | Promise<boolean>;
  /** Stores an event; its type and content arrive already redacted. */
  recordEvent(event: SidecarEvent): void | Promise<void>;
}

/**
 * In-memory ports for tests, the playground, and as the reference for the contract above.
 * `queueSteering`, `steering` and `events` are the ends a test needs (the sidecar's `steering` ledger
 * queues and wakes long-polls; `queueSteering` only stores).
 */
export function createMemorySidecarPorts(sessionIds: Iterable<string> = []) {
  const sessions = new Set(sessionIds);
  const events: SidecarEvent[] = [];
  const steering: SteeringRecord[] = [];
  const contexts = new Map<string, { tokens: number; contextWindow: number }>();
  let nextId = 1;
  const enqueueSteering = (input: { sessionId: string; authorId: string; text: string }) => {
    const record: SteeringRecord = {
      id: String(nextId++),
      sessionId: input.sessionId,
      authorId: input.authorId,
      text: input.text,
      createdAt: new Date(),
      leasedRunId: null,
      deliveredAt: null,
    };
    steering.push(record);
    return { ...record };
  };
  return {
    sessions,
    events,
    steering,
    contexts,
    queueSteering(sessionId: string, content: string) {
      return enqueueSteering({ sessionId, authorId: "test", text: content });
    },
    sessionExists: (sessionId: string) => sessions.has(sessionId),
    recordEvent: (event: SidecarEvent) => {
      events.push(event);
    },
    enqueueSteering,
    leaseSteering(sessionId: string, runId: string) {
      const pending = steering.filter(
        (m) => m.sessionId === sessionId && m.deliveredAt === null && m.leasedRunId === null,
      );
      for (const message of pending) message.leasedRunId = runId;
      return pending.map((m) => ({ ...m }));
    },
    ackSteering(runId: string, ids: readonly string[]) {
      return steering
        .filter((m) => m.leasedRunId === runId && ids.includes(m.id))
        .map((m) => {
          const newly = m.deliveredAt === null;
          m.deliveredAt ??= new Date();
          return { ...m, newly };
        });
    },
    leasedSteering(runId: string) {
      return steering.filter((m) => m.leasedRunId === runId && m.deliveredAt === null).map((m) => ({ ...m }));
    },
    releaseSteering(runId: string) {
      const leased = steering.filter((m) => m.leasedRunId === runId && m.deliveredAt === null);
      for (const message of leased) message.leasedRunId = null;
      return leased.map((m) => ({ ...m }));
    },
    setRunContext(runId: string, usage: { tokens: number; contextWindow: number }) {
      contexts.set(runId, { tokens: usage.tokens, contextWindow: usage.contextWindow });
    },
  } satisfies SidecarPorts & Record<string, unknown>;
}
