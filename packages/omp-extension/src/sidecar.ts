// The bot's sidecar as the extension of a bot run sees it: telemetry, the steering long-poll and its
// acknowledgements, and agent notices, each call with the run's own token and a time limit.

import {
  type AckAnswer,
  EXTENSION_EVENT_TYPES,
  type PollAnswer,
  SIDECAR_ROUTES,
  type ThreadMessagePayload,
  type ThreadMessagesAnswer,
} from "../../../src/extension-protocol.js";
import { call } from "./http.js";
import type { LeasedMessage, SteeringTransport } from "./steering.js";
import { STEERING } from "./steering.js";
import type { TelemetryEvent } from "./telemetry.js";

export const SIDECAR_CALLS = {
  /** One telemetry event or acknowledgement. */
  timeoutMs: 10_000,
  /** One notice (the tool waits for it: the model is told whether it went out). */
  notifyTimeoutMs: 10_000,
  /** One read of the run's thread (the bot asks Discord). */
  readTimeoutMs: 15_000,
} as const;

export class SidecarClient implements SteeringTransport {
  readonly #base: string;
  readonly #token: string;
  readonly sessionId: string;

  constructor(options: { apiUrl: string; token: string; sessionId: string }) {
    this.#base = options.apiUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.sessionId = options.sessionId;
  }

  async sendEvent(event: TelemetryEvent, signal: AbortSignal): Promise<void> {
    await call(`${this.#base}${SIDECAR_ROUTES.event}`, {
      method: "POST",
      token: this.#token,
      body: { session_id: this.sessionId, ...event },
      timeoutMs: SIDECAR_CALLS.timeoutMs,
      signal,
    });
  }

  droppedEvent(dropped: number): TelemetryEvent {
    return {
      event_type: EXTENSION_EVENT_TYPES.telemetryDropped,
      content: { dropped },
      timestamp: Date.now(),
    };
  }

  async poll(waitMs: number, signal: AbortSignal): Promise<LeasedMessage[]> {
    const query = `session_id=${encodeURIComponent(this.sessionId)}&wait_ms=${waitMs}`;
    const answer = await call(`${this.#base}${SIDECAR_ROUTES.poll}?${query}`, {
      token: this.#token,
      timeoutMs: waitMs + STEERING.pollSlackMs,
      signal,
    });
    const messages = (answer.body as Partial<PollAnswer> | undefined)?.messages;
    return Array.isArray(messages) ? messages.map((m) => ({ id: m.id, content: m.content })) : [];
  }

  async ack(ids: readonly string[], signal: AbortSignal): Promise<string[]> {
    const answer = await call(`${this.#base}${SIDECAR_ROUTES.ack}`, {
      method: "POST",
      token: this.#token,
      body: { session_id: this.sessionId, ids },
      timeoutMs: SIDECAR_CALLS.timeoutMs,
      signal,
    });
    const acknowledged = (answer.body as Partial<AckAnswer> | undefined)?.acknowledged;
    return Array.isArray(acknowledged) ? acknowledged.filter((id) => typeof id === "string") : [];
  }

  /** Recent messages of the run's own thread, oldest first (`discord_read_thread`). */
  async readThread(limit: number, signal: AbortSignal | undefined): Promise<ThreadMessagePayload[]> {
    const query = `session_id=${encodeURIComponent(this.sessionId)}&limit=${limit}`;
    const answer = await call(`${this.#base}${SIDECAR_ROUTES.threadMessages}?${query}`, {
      token: this.#token,
      timeoutMs: SIDECAR_CALLS.readTimeoutMs,
      signal,
    });
    const messages = (answer.body as Partial<ThreadMessagesAnswer> | undefined)?.messages;
    return Array.isArray(messages) ? messages : [];
  }

  async notify(text: string, signal: AbortSignal | undefined): Promise<void> {
    await call(`${this.#base}${SIDECAR_ROUTES.notify}`, {
      method: "POST",
      token: this.#token,
      body: { session_id: this.sessionId, text },
      timeoutMs: SIDECAR_CALLS.notifyTimeoutMs,
      signal,
    });
  }
}
