// What the sidecar needs from the rest of the bot, as a small interface: the store plugs in here.

import type { RunTelemetryStore } from "./run-telemetry.js";
import type { SteeringStore } from "./steering.js";

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
