// Access preconditions of SPEC §6, one small pure function each, with the polite refusal a person reads.

import { countOf } from "../../format/text.js";

/** Why a request was refused: stable codes for logs and metrics, next to the message shown to the user. */
export type RefusalCode =
  | "shutting_down"
  | "direct_message"
  | "wrong_guild"
  | "user_not_allowed"
  | "not_launch_channel"
  | "reactor_not_author"
  | "message_from_bot"
  | "message_empty"
  | "not_a_session"
  | "session_stopped"
  | "prompt_empty"
  | "prompt_too_long"
  | "queue_full"
  | "day_cap_reached";

export type AccessResult = { ok: true } | { ok: false; code: RefusalCode; reason: string };

/** What the bot knows about the request: plain data, gathered by the handler from discord.js objects. */
export interface AccessFacts {
  /** Shutdown began: the bot takes no new work. */
  shuttingDown?: boolean | undefined;
  /** The guild the request came from; null for a DM. */
  guildId: string | null;
  /** The channel the request happened in (for a launch: the message's channel). */
  channelId: string;
  /** Who acts: the caller, the clicker, the reactor or the message's author. */
  userId: string;
  /** Launch by reaction: the reacted message's author, whether that is a bot, and its text. */
  messageAuthorId?: string | undefined;
  messageAuthorIsBot?: boolean | undefined;
  /** The session of the channel (thread); null or undefined when the channel is not a session thread. */
  session?: { stopped: boolean } | null | undefined;
  /** The prompt text to queue (for a launch: the message's text). */
  prompt?: string | undefined;
  /** Prompts already queued or running in the session. */
  queueDepth?: number | undefined;
  /** Why today's spend refuses a new run in this channel (a day cap is reached), as a person reads it. */
  dayCapRefusal?: string | undefined;
}

/** The configured limits and ids the rules check against (from `Config`). */
export interface AccessPolicy {
  guildId: string;
  allowedUserIds: readonly string[];
  launchChannelIds: readonly string[];
  promptMaxChars: number;
  queueDepthMax: number;
}

export type AccessRule = (facts: AccessFacts, policy: AccessPolicy) => AccessResult;

const OK: AccessResult = { ok: true };
const refuse = (code: RefusalCode, reason: string): AccessResult => ({ ok: false, code, reason });

export const notShuttingDown: AccessRule = (facts) =>
  facts.shuttingDown ? refuse("shutting_down", "ompcord is shutting down; try again once it is back.") : OK;

export const notDirectMessage: AccessRule = (facts) =>
  facts.guildId === null
    ? refuse("direct_message", "ompcord works in its server, not in direct messages. Please use it there.")
    : OK;

export const inConfiguredGuild: AccessRule = (facts, policy) =>
  facts.guildId !== null && facts.guildId !== policy.guildId
    ? refuse("wrong_guild", "Sorry, this ompcord instance only serves its own server, not this one.")
    : OK;

export const allowedUser: AccessRule = (facts, policy) =>
  policy.allowedUserIds.includes(facts.userId)
    ? OK
    : refuse(
        "user_not_allowed",
        "Sorry, you are not on this bot's list of allowed users. Ask the bot's owner to add your user id to DISCORD_ALLOWED_USERS.",
      );

export const inLaunchChannel: AccessRule = (facts, policy) =>
  policy.launchChannelIds.includes(facts.channelId)
    ? OK
    : refuse(
        "not_launch_channel",
        policy.launchChannelIds.length === 0
          ? "No launch channel is configured, so sessions cannot start yet. Ask the bot's owner to set OMP_LAUNCH_CHANNEL_IDS."
          : `Sessions can only be started in a launch channel: ${policy.launchChannelIds.map((id) => `<#${id}>`).join(", ")}.`,
      );

export const reactorIsAuthor: AccessRule = (facts) =>
  facts.messageAuthorId !== undefined && facts.messageAuthorId === facts.userId
    ? OK
    : refuse(
        "reactor_not_author",
        "Only the author of a message can launch it. Write your own prompt and react to that one.",
      );

export const messageFromHuman: AccessRule = (facts) =>
  facts.messageAuthorIsBot
    ? refuse("message_from_bot", "Messages written by bots cannot be launched as prompts.")
    : OK;

/**
 * Nothing a person could read: whitespace, control characters and invisible format characters (a
 * zero-width space alone looks empty in Discord but is not `trim()`med away).
 */
export function isBlankText(text: string): boolean {
  return text.replace(/[\s\p{Cc}\p{Cf}]/gu, "") === "";
}

export const promptNotEmpty: AccessRule = (facts) =>
  isBlankText(facts.prompt ?? "")
    ? refuse("prompt_empty", "The prompt is empty. Please write what the agent should do.")
    : OK;

/** For launches by reaction the prompt is the message text: an empty message gets its own wording. */
export const messageNotEmpty: AccessRule = (facts) =>
  isBlankText(facts.prompt ?? "")
    ? refuse(
        "message_empty",
        "That message has no text to run (attachments and embeds are not read). Write the prompt as text.",
      )
    : OK;

export const promptWithinLimit: AccessRule = (facts, policy) => {
  const length = (facts.prompt ?? "").length;
  return length > policy.promptMaxChars
    ? refuse(
        "prompt_too_long",
        `The prompt is ${length.toLocaleString("en-US")} characters; the limit is ${policy.promptMaxChars.toLocaleString("en-US")}. Please shorten it or put the details in a file in the workspace.`,
      )
    : OK;
};

export const threadIsSession: AccessRule = (facts) =>
  facts.session
    ? OK
    : refuse(
        "not_a_session",
        "This channel is not an ompcord session. Use this command inside a session thread, or start one with /omp new.",
      );

export const sessionNotStopped: AccessRule = (facts) =>
  facts.session?.stopped
    ? refuse(
        "session_stopped",
        "This session was stopped and takes no more prompts. Start a new one with /omp new.",
      )
    : OK;

export const queueNotFull: AccessRule = (facts, policy) =>
  (facts.queueDepth ?? 0) >= policy.queueDepthMax
    ? refuse(
        "queue_full",
        `This session's queue is full (${countOf(policy.queueDepthMax, "prompt")}). Please wait for one to finish, or cancel with /omp cancel.`,
      )
    : OK;

/** A day over a spend cap starts no new run until it ends (src/sessions/spend.ts words the reason). */
export const withinDayCap: AccessRule = (facts) =>
  facts.dayCapRefusal ? refuse("day_cap_reached", facts.dayCapRefusal) : OK;
