// What the sidecar needs from the rest of the bot, as a small interface: the store plugs in here.

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

/** A message from the thread for a running agent, to be injected as steering. */
export interface SteeringMessage {
  id: string;
  content: string;
  createdAt: Date;
}

export interface SidecarPorts {
  sessionExists(sessionId: string): boolean | Promise<boolean>;
  /** Stores an event; its type and content arrive already redacted. */
  recordEvent(event: SidecarEvent): void | Promise<void>;
  /**
   * The session's undelivered steering messages, oldest first, marked delivered in the same step:
   * a message returned once is never returned again.
   */
  takeSteering(sessionId: string): readonly SteeringMessage[] | Promise<readonly SteeringMessage[]>;
}
