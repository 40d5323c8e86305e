// What every gateway listener and command handler receives: the services, never module-level state. The
// store and the scheduler are not among them: a session is reached through SessionService.

import type { Client } from "discord.js";
import type { ApprovalDesk } from "../approvals/desk.js";
import type { Config } from "../config/index.js";
import type { DashboardBridge } from "../dashboard/bridge.js";
import type { ThreadOutbox, ThreadWriteWindows } from "../dashboard/live/index.js";
import type { HealthChecks } from "../health/checks.js";
import type { Logger } from "../log.js";
import type { BotMetrics } from "../metrics.js";
import type { LaunchChoices } from "../sessions/launch-choice.js";
import type { MirrorService } from "../sessions/mirrors.js";
import type { SessionService } from "../sessions/service.js";
import type { SpendGuard } from "../sessions/spend.js";
import type { SessionSteering } from "../sessions/steering.js";
import type { NamedTokens } from "../sidecar/named-tokens.js";
import type { RemovedFiles } from "../store/index.js";
import type { AccessPolicy } from "./access/index.js";
import type { LaunchGuard } from "./launch-guard.js";

export interface BotContext {
  readonly config: Config;
  readonly client: Client;
  readonly sessions: SessionService;
  /** Steers a session's running agent (`/omp steer`, steer-mode messages, ⚡ Steer now). */
  readonly steering: SessionSteering;
  /** Which models and projects a launch may use (`/omp new`, `/omp model`, autocomplete). */
  readonly launchChoices: LaunchChoices;
  /** The configured ids and limits every access check runs against. */
  readonly policy: AccessPolicy;
  readonly dashboards: DashboardBridge;
  /** Everything the bot owes a thread (answers, notes, replies) goes through here, durably. */
  readonly outbox: ThreadOutbox;
  /**
   * Per-channel write windows: every message the bot creates or edits in a channel, and every reaction,
   * books its write in `writes.for(channelId)` (interaction responses do not: they have their own limits).
   */
  readonly writes: Pick<ThreadWriteWindows, "for">;
  readonly health: HealthChecks;
  /** The 🚀 launches in flight and the refusals already noticed. */
  readonly launches: LaunchGuard;
  readonly logger: Logger;
  readonly startedAt: Date;
  readonly version: string;
  readonly metrics: BotMetrics;
  /** Masks secrets in text the bot is about to show, such as a prompt someone pasted a key into. */
  readonly redact: (text: string) => string;
  /** Named tokens for the sidecar (`/omp token`). */
  readonly tokens: NamedTokens;
  /**
   * People's own terminal omp sessions mirrored into threads: `inThread` tells a mirror's thread,
   * `steer` queues steering from its owner only (issue 9).
   */
  readonly mirrors?: Pick<MirrorService, "inThread" | "steer"> | undefined;
  /** The spend caps: whether today's spend refuses new runs in a channel (absent: no caps). */
  readonly spend?: Pick<SpendGuard, "dayRefusal">;
  /** Deletes a stopped session's own files (transcripts, omp session, sandbox home), path-checked. */
  readonly sessionFiles?: { remove(sessionId: string): RemovedFiles };
  /** Approval cards and questions (SPEC §6); absent in contexts that take none. */
  readonly decisions?: ApprovalDesk;
  /** False once shutdown began: new work is refused politely. */
  accepting: boolean;
}
