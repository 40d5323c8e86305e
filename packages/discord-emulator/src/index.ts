// Public surface of the local Discord emulator (SPEC §10): start one, point discord.js at `restUrl`.

export type { RateLimitRule, RateLimitRules } from "./constants.js";
export { ComponentLimits, DEFAULT_RATE_LIMITS, InteractionTiming, MessageLimits } from "./constants.js";
export type {
  AutocompleteInput,
  ClickButtonInput,
  InteractionHandle,
  PostMessageInput,
  RunCommandInput,
  SelectOptionsInput,
  SubmitModalInput,
  UserActor,
} from "./control/actor.js";
export type { CountersSnapshot } from "./control/counters.js";
export type { MessageFilter } from "./control/http.js";
export type {
  AttachmentView,
  ChannelView,
  InteractionView,
  MessageView,
  SeededWorld,
  UserView,
} from "./control/views.js";
export type { WaitOptionsInput } from "./control/waiters.js";
export { WaitTimeoutError } from "./control/waiters.js";
export type { EmulatorArea, EmulatorChange, EmulatorOptions, RequestRefusal } from "./emulator.js";
export { Emulator, startEmulator } from "./emulator.js";
