// SidecarPorts in memory: what a test of the HTTP API (and the extension bench) drives and reads instead
// of the bot's store (the bot plugs its store in, app.ts).

import type { SidecarEvent, SidecarPorts, SteeringRecord } from "../../src/sidecar/index.js";

/**
 * The sidecar's ports in memory, for tests of the sidecar alone and the extension bench.
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
    pendingSteering(sessionId: string) {
      return steering
        .filter((m) => m.sessionId === sessionId && m.leasedRunId === null && m.deliveredAt === null)
        .map((m) => ({ ...m }));
    },
    setRunContext(runId: string, usage: { tokens: number; contextWindow: number }) {
      contexts.set(runId, { tokens: usage.tokens, contextWindow: usage.contextWindow });
    },
  } satisfies SidecarPorts & Record<string, unknown>;
}
