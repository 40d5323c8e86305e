// Prometheus metrics of one bot instance, in a registry of its own so tests and restarts never collide;
// the sidecar serves them as text on `GET /metrics`.

import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** Prefix of every metric the bot defines (default process metrics keep prom-client's names). */
export const METRIC_PREFIX = "ompcord_";

/** The gauges and counters the parts of the bot update. */
export class BotMetrics {
  readonly registry = new Registry();
  /** omp processes running now. */
  readonly runsActive: Gauge;
  /** Prompts waiting for a per-session or global slot. */
  readonly runsQueued: Gauge;
  /** Sessions that are not stopped. */
  readonly sessions: Gauge;
  /** Dashboard edits sent to Discord. */
  readonly dashboardEdits: Counter;
  /** 429 responses Discord answered (discord.js retries them; a rising count means we ask too much). */
  readonly rateLimitHits: Counter;
  /** Telemetry events accepted from omp extensions, labelled by the sidecar's `eventTypeLabel` only. */
  readonly eventsReceived: Counter<"event_type">;
  /** Steering messages a run acknowledged having seen arrive in its agent's session. */
  readonly steeringDelivered: Counter;
  /** Requests refused, by reason: the error codes of the answers (unauthorized, forbidden, payload_too_large, invalid_json, invalid_request, unknown_session, rate_limited, unavailable). */
  readonly requestsRejected: Counter<"reason">;
  /** Connections closed on arrival because the sidecar already had its maximum open. */
  readonly connectionsDropped: Counter;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.runsActive = new Gauge({
      name: `${METRIC_PREFIX}runs_active`,
      help: "omp runs in progress",
      registers,
    });
    this.runsQueued = new Gauge({
      name: `${METRIC_PREFIX}runs_queued`,
      help: "Prompts waiting to run",
      registers,
    });
    this.sessions = new Gauge({ name: `${METRIC_PREFIX}sessions`, help: "Sessions not stopped", registers });
    this.dashboardEdits = new Counter({
      name: `${METRIC_PREFIX}dashboard_edits_total`,
      help: "Dashboard message edits sent to Discord",
      registers,
    });
    this.rateLimitHits = new Counter({
      name: `${METRIC_PREFIX}discord_rate_limits_total`,
      help: "Requests discord.js held back because a Discord rate limit (a route's or the global one) was used up",
      registers,
    });
    this.eventsReceived = new Counter({
      name: `${METRIC_PREFIX}sidecar_events_total`,
      help: "Telemetry events accepted from omp extensions",
      labelNames: ["event_type"],
      registers,
    });
    this.steeringDelivered = new Counter({
      name: `${METRIC_PREFIX}sidecar_steering_delivered_total`,
      help: "Steering messages delivered to running agents (acknowledged by their run)",
      registers,
    });
    this.requestsRejected = new Counter({
      name: `${METRIC_PREFIX}sidecar_requests_rejected_total`,
      help: "Sidecar API requests refused, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.connectionsDropped = new Counter({
      name: `${METRIC_PREFIX}sidecar_connections_dropped_total`,
      help: "Sidecar connections closed on arrival because too many were open",
      registers,
    });
  }
}
