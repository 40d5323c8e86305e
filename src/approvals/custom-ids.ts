// The custom ids of approval cards and questions, both directions, so handlers never parse by hand.
// `omp:<kind>.v<version>:<action>:<id>`: the version lets a later ompcord tell a card an older one
// posted (still in a thread after an upgrade) from garbage, and refuse it with a sentence.

import { DISCORD_LIMITS } from "../format/limits.js";

const PREFIX = "omp";
export const CUSTOM_ID_VERSION = 1;

export const APPROVAL_ACTIONS = ["approve", "deny", "approve_all", "deny_reason", "deny_modal"] as const;
/**
 * `approve`, `deny`, `approve_all` (every later call of this run), `deny_reason` (the button that
 * opens the reason modal), `deny_modal` (that modal's submit).
 */
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

export const QUESTION_ACTIONS = ["choice", "select", "text", "text_modal"] as const;
/**
 * `choice` (a button; `choice` carries its option index), `select` (the select menu), `text` (the
 * button that opens the free-text modal), `text_modal` (that modal's submit).
 */
export type QuestionAction = (typeof QUESTION_ACTIONS)[number];

export type ParsedCustomId =
  | { kind: "approval"; version: number; action: ApprovalAction; id: string }
  | { kind: "question"; version: number; action: QuestionAction; id: string; choice?: number }
  /** One of ours by its prefix and kind, from another version: answer "this card is out of date". */
  | { kind: "stale"; version: number; id: string };

/** Ids of approvals and questions: lowercase letters and digits (src/store/ids.ts), never `:`. */
const ID = /^[a-z0-9]{1,40}$/;

function build(kind: "approval" | "question", action: string, id: string): string {
  if (!ID.test(id))
    throw new TypeError(`Expected \`id\` to be 1–40 lowercase letters or digits, got \`${id}\``);
  const customId = `${PREFIX}:${kind}.v${CUSTOM_ID_VERSION}:${action}:${id}`;
  if (customId.length > DISCORD_LIMITS.customId) throw new TypeError(`Custom id too long: ${customId}`);
  return customId;
}

export function approvalCustomId(action: ApprovalAction, approvalId: string): string {
  return build("approval", action, approvalId);
}

/** A question's custom id; `choice` needs the option's index (0-based). */
export function questionCustomId(action: QuestionAction, questionId: string, choice?: number): string {
  if (action === "choice") {
    if (choice === undefined || !Number.isInteger(choice) || choice < 0) {
      throw new TypeError(`Expected \`choice\` to be an option index from 0 up, got \`${choice}\``);
    }
    return build("question", `choice.${choice}`, questionId);
  }
  return build("question", action, questionId);
}

/** What a custom id of ours means, or undefined for anyone else's (the dashboard's `omp:cancel:…`). */
export function parseCustomId(customId: string): ParsedCustomId | undefined {
  const match = /^omp:(approval|question)\.v(\d+):([a-z_]+(?:\.\d+)?):([a-z0-9]+)$/.exec(customId);
  if (!match) return undefined;
  const [, kind, versionText, actionText, id] = match as unknown as [string, string, string, string, string];
  const version = Number(versionText);
  if (version !== CUSTOM_ID_VERSION) return { kind: "stale", version, id };
  if (kind === "approval") {
    const action = actionText as ApprovalAction;
    return APPROVAL_ACTIONS.includes(action) ? { kind, version, action, id } : undefined;
  }
  const choice = /^choice\.(\d+)$/.exec(actionText);
  if (choice) return { kind: "question", version, action: "choice", id, choice: Number(choice[1]) };
  const action = actionText as QuestionAction;
  return QUESTION_ACTIONS.includes(action) && action !== "choice"
    ? { kind: "question", version, action, id }
    : undefined;
}
