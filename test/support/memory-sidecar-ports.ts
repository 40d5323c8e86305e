// SidecarPorts in memory: what a test of the HTTP API drives and reads instead of the bot's store.

import type { SidecarEvent, SidecarPorts, SteeringMessage } from "../../src/sidecar/index.js";

/**
 * The sidecar's ports in memory, for tests of the sidecar alone (the bot plugs its store in, app.ts).
 * `queueSteering` and `events` are the two ends a test needs.
 */
export function createMemorySidecarPorts(sessionIds: Iterable<string> = []) {
  const sessions = new Set(sessionIds);
  const events: SidecarEvent[] = [];
  const steering = new Map<string, SteeringMessage[]>();
  let nextId = 1;
  return {
    sessions,
    events,
    queueSteering(sessionId: string, content: string, createdAt = new Date()): SteeringMessage {
      const message = { id: String(nextId++), content, createdAt };
      steering.set(sessionId, [...(steering.get(sessionId) ?? []), message]);
      return message;
    },
    sessionExists: (sessionId: string) => sessions.has(sessionId),
    recordEvent: (event: SidecarEvent) => {
      events.push(event);
    },
    takeSteering: (sessionId: string) => {
      const pending = steering.get(sessionId) ?? [];
      steering.delete(sessionId);
      return pending;
    },
  } satisfies SidecarPorts & Record<string, unknown>;
}
