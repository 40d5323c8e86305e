// What the control API over HTTP drives, declared here so that control/ depends on nothing above it:
// the Emulator implements ControlTarget, and http.ts knows only this interface.

import type { ChannelType } from "discord-api-types/v10";
import type { UserActor } from "./actor.js";
import type { CountersSnapshot } from "./counters.js";
import type { ChannelView, InteractionView, MessageView, SeededWorld, UserView } from "./views.js";
import type { WaitOptionsInput } from "./waiters.js";

/** Fault injection: REST latency and failures, gateway drops. */
export interface FaultControls {
  /** Drops every gateway connection; the client resumes unless `resumable: false`. Returns how many. */
  dropGateway(options?: { resumable?: boolean }): number;
  /** Sends op 7 Reconnect on every gateway connection; clients reconnect and resume. Returns how many. */
  requestReconnect(): number;
  /**
   * The next `count` REST calls (optionally only those whose route contains `route`, only uploads, or
   * only those for channel `channelId`) fail with `status` (5xx, or 4xx with Discord's error `code`).
   */
  failNextRequests(
    count: number,
    options?: { status?: number; route?: string; code?: number; uploadsOnly?: boolean; channelId?: string },
  ): void;
  /** Adds latency to every REST call. */
  setLatency(ms: number): void;
  clear(): void;
}

export interface NewChannelInput {
  guildId: string;
  name: string;
  type?: ChannelType;
  parentId?: string;
  topic?: string;
  /** The bot gets 403 Missing Access on it and no events from it. */
  hiddenFromBot?: boolean;
}

/** What a user can do over HTTP: post, react, run commands, click buttons, choose in menus, submit modals. */
export type ControlActor = Pick<
  UserActor,
  "postMessage" | "react" | "unreact" | "runCommand" | "clickButton" | "selectOptions" | "submitModal"
>;

export interface ControlTarget {
  readonly restUrl: string;
  readonly gatewayUrl: string;
  readonly baseUrl: string;
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUser: UserView;
  readonly faults: FaultControls;
  readonly counters: CountersSnapshot;

  seed(): SeededWorld;
  createGuild(input: { name: string }): { id: string; name: string };
  createChannel(input: NewChannelInput): ChannelView;
  createUser(input: { username: string }): UserView;
  as(userId: string): ControlActor;

  channel(channelId: string): ChannelView;
  messages(channelId: string, options?: { includeDeleted?: boolean }): MessageView[];
  pins(channelId: string): MessageView[];
  threads(parentId?: string): ChannelView[];
  message(messageId: string): MessageView;
  interactions(): InteractionView[];
  interaction(interactionId: string): InteractionView;
  attachmentBytes(attachmentId: string): Buffer;
  resetCounters(): void;

  waitForMessage(predicate: (m: MessageView) => boolean, options?: WaitOptionsInput): Promise<MessageView>;
  waitForEdit(predicate: (m: MessageView) => boolean, options?: WaitOptionsInput): Promise<MessageView>;
  waitForThread(predicate: (t: ChannelView) => boolean, options?: WaitOptionsInput): Promise<ChannelView>;
  waitForInteractionReply(interactionId: string, options?: WaitOptionsInput): Promise<InteractionView>;
}
