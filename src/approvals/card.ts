// The approval card: one message in the run's thread per tool call that waits for a person, with what
// the call will do (redacted, cut to Discord's limits, the whole of it attached when cut) and Approve /
// Deny / Approve all for this run / Deny… buttons; once settled, the same card says who decided what and
// when (Discord timestamps, each reader's own time zone), without buttons. Pure: plain API JSON like the
// dashboard's, a redactor passed in.

import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
  type APIModalInteractionResponseCallbackData,
  ButtonStyle,
  ComponentType,
  TextInputStyle,
} from "discord-api-types/v10";
import { DISCORD_LIMITS, EMPTY_VALUE } from "../format/limits.js";
import {
  escapeCodeBlock,
  escapeMassMentions,
  formatDuration,
  nonEmpty,
  stripControlCharacters,
  truncateEnd,
} from "../format/text.js";
import type { Redactor } from "../output/redact.js";
import { approvalCustomId } from "./custom-ids.js";
import { type CallDescription, type DescribeOptions, describeToolCall } from "./describe.js";
import { CARD_LIMITS, COMPONENT_LIMITS } from "./limits.js";
import type { ToolCallClass } from "./policy.js";

/** A file sent with a message: the whole text a card had to cut. */
export interface CardFile {
  name: string;
  text: string;
}

/** A message payload in the shape the dashboard uses (discord.js options, API components). */
export interface CardMessage {
  /** The one ping of a run that needs a person, or empty (an edit clears it). */
  content: string;
  embeds: [APIEmbed];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowedMentions: { parse: []; users?: [string] };
  /**
   * Files to upload with the first post (a waiting card). A settled card has none: send its edit
   * without `files` (discord.js makes `files: []` into `attachments: []`, which removes the upload);
   * the edit then keeps what the first post attached.
   */
  files: CardFile[];
}

export interface ApprovalCardInput {
  /** The decision's id: in every custom id of the card. */
  approvalId: string;
  toolName: string;
  input: unknown;
  /** From `classifyToolCall`/`approvalFor`. */
  call: ToolCallClass;
  /** Why it asks (`ApprovalVerdict.reason`). */
  reason: string;
  requestedAt: Date;
  /** After this long without a decision the call is denied (shown as a deadline). */
  timeoutMs?: number;
  runNumber?: number;
  /** Ping this user (the person who queued the running prompt): the run's first wait for a person. */
  ping?: string;
  fileText?: DescribeOptions["fileText"];
}

export type ApprovalOutcome =
  | { kind: "approved"; by: string; at: Date /** "Approve all for this run". */; all?: boolean }
  | { kind: "denied"; by: string; at: Date; reason?: string }
  /** No decision within the approval timeout: denied. */
  | { kind: "timed_out"; at: Date }
  /** /omp cancel, Stop, a shutdown: never approved. `why` completes "Cancelled: …". */
  | { kind: "cancelled"; at: Date; why: string }
  /** Found still open after a restart. */
  | { kind: "expired"; at: Date }
  /** Approved without a card by an earlier "Approve all for this run" (for the decisions log). */
  | { kind: "approved_by_all"; by: string; at: Date };

/** Colours of the dashboard's palette (src/discord/embeds.ts EMBED_COLORS). */
const COLORS = { waiting: 0xf1c40f, approved: 0x2ecc71, denied: 0xe74c3c, closed: 0x95a5a6 } as const;

/** A wait as people say it: `10m`, `1h 30m`, `45s` (never `10m 0s`). */
export function waitLength(ms: number): string {
  return formatDuration(ms).replace(/ 0s$/, "");
}

/** `<t:…:t> (<t:…:R>)`: a time each reader sees in their own zone, and how long ago. */
export function discordTime(at: Date): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `<t:${seconds}:t> (<t:${seconds}:R>)`;
}

/** Text from the agent or a person, made safe to show: controls stripped, secrets masked, no @everyone. */
function clean(redactor: Pick<Redactor, "redact">, text: string): string {
  return escapeMassMentions(redactor.redact(stripControlCharacters(text)));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function field(name: string, value: string, inline = true): APIEmbedField {
  return {
    name: truncateEnd(nonEmpty(name, EMPTY_VALUE), DISCORD_LIMITS.embedFieldName),
    value: truncateEnd(nonEmpty(value, EMPTY_VALUE), DISCORD_LIMITS.embedFieldValue),
    inline,
  };
}

/** The call as one text file: everything the card shows, uncut; `shown` is already redacted. */
function fullText(shown: CallDescription): string {
  return [
    shown.title,
    ...shown.fields.map((f) => `${f.name}: ${f.value}`),
    ...(shown.note ? [shown.note] : []),
    ...(shown.body ? ["", shown.body.text] : []),
    "",
  ].join("\n");
}

/** The description with every piece of text cleaned (controls, secrets, mass mentions). */
function cleanDescription(description: CallDescription, redactor: Pick<Redactor, "redact">): CallDescription {
  const c = (text: string) => clean(redactor, text);
  return {
    title: oneLine(c(description.title)),
    fields: description.fields.map((f) => ({ name: f.name, value: c(f.value) })),
    body: description.body
      ? { language: description.body.language, text: c(description.body.text) }
      : undefined,
    ...(description.note ? { note: c(description.note) } : {}),
  };
}

/**
 * The code block of the call within `CARD_LIMITS.bodyChars`, cut at a line where it can be, and whether
 * it was cut.
 */
function codeBlock(language: string, text: string): { block: string; cut: boolean } {
  const fenceOpen = `\`\`\`${language}\n`;
  const fenceClose = "\n```";
  const room = CARD_LIMITS.bodyChars - fenceOpen.length - fenceClose.length;
  const safe = escapeCodeBlock(text);
  if (safe.length <= room) return { block: `${fenceOpen}${safe}${fenceClose}`, cut: false };
  const head = safe.slice(0, room - 1);
  const lastNewline = head.lastIndexOf("\n");
  const kept = lastNewline > room / 2 ? head.slice(0, lastNewline) : truncateEnd(safe, room);
  return { block: `${fenceOpen}${kept}${fenceClose}`, cut: true };
}

function buttons(approvalId: string): CardMessage["components"] {
  const button = (
    action: Parameters<typeof approvalCustomId>[0],
    label: string,
    style: ButtonStyle.Success | ButtonStyle.Danger | ButtonStyle.Primary | ButtonStyle.Secondary,
    emoji: string,
  ): APIButtonComponentWithCustomId => ({
    type: ComponentType.Button,
    style,
    label: truncateEnd(label, COMPONENT_LIMITS.buttonLabel),
    emoji: { name: emoji },
    custom_id: approvalCustomId(action, approvalId),
  });
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button("approve", "Approve", ButtonStyle.Success, "✅"),
        button("deny", "Deny", ButtonStyle.Danger, "✖️"),
        button("approve_all", "Approve all for this run", ButtonStyle.Primary, "⏩"),
        button("deny_reason", "Deny…", ButtonStyle.Secondary, "💬"),
      ],
    },
  ];
}

function outcomeLook(outcome: ApprovalOutcome | undefined): { emoji: string; label: string; color: number } {
  switch (outcome?.kind) {
    case undefined:
      return { emoji: "🟡", label: "Approval needed", color: COLORS.waiting };
    case "approved":
    case "approved_by_all":
      return { emoji: "✅", label: "Approved", color: COLORS.approved };
    case "denied":
      return { emoji: "⛔", label: "Denied", color: COLORS.denied };
    case "timed_out":
      return { emoji: "⌛", label: "Timed out, denied", color: COLORS.denied };
    case "cancelled":
      return { emoji: "⏹️", label: "Cancelled", color: COLORS.closed };
    case "expired":
      return { emoji: "💤", label: "Expired", color: COLORS.closed };
  }
}

/** The sentence that settles the card: who decided what, and when. */
export function outcomeSentence(outcome: ApprovalOutcome, redactor: Pick<Redactor, "redact">): string {
  switch (outcome.kind) {
    case "approved":
      return outcome.all
        ? `Approved by <@${outcome.by}> at ${discordTime(outcome.at)}, with every later tool call of this run.`
        : `Approved by <@${outcome.by}> at ${discordTime(outcome.at)}.`;
    case "approved_by_all":
      return `Approved by <@${outcome.by}>'s "Approve all for this run", at ${discordTime(outcome.at)}.`;
    case "denied": {
      const reason = outcome.reason?.trim()
        ? `: “${truncateEnd(oneLine(clean(redactor, outcome.reason)), CARD_LIMITS.reasonShownChars)}”`
        : ".";
      return `Denied by <@${outcome.by}> at ${discordTime(outcome.at)}${reason}`;
    }
    case "timed_out":
      return `No decision in time: denied at ${discordTime(outcome.at)}. The agent was told so.`;
    case "cancelled":
      return `Cancelled at ${discordTime(outcome.at)}: ${truncateEnd(oneLine(outcome.why), CARD_LIMITS.fieldChars)}. Nothing was approved.`;
    case "expired":
      return `Expired at ${discordTime(outcome.at)}: ompcord restarted while this waited, and the call did not run.`;
  }
}

/** The card for `input`, waiting (no `outcome`) or settled. Always within Discord's limits. */
export function renderApprovalCard(
  input: ApprovalCardInput,
  redactor: Pick<Redactor, "redact">,
  outcome?: ApprovalOutcome,
): CardMessage {
  const shown = cleanDescription(
    describeToolCall(input.toolName, input.input, input.call, { fileText: input.fileText }),
    redactor,
  );
  const look = outcomeLook(outcome);
  // Room for the state in front of the title ("🟡 Approval needed: ").
  const title = truncateEnd(shown.title, DISCORD_LIMITS.embedTitle - 40);
  const block = shown.body ? codeBlock(shown.body.language, shown.body.text) : undefined;
  const fileName = `tool-call-${input.approvalId}.txt`;

  const fields: APIEmbedField[] = shown.fields.map((f) =>
    field(f.name, truncateEnd(f.value, CARD_LIMITS.fieldChars)),
  );
  fields.push(
    field("Why it asks", truncateEnd(clean(redactor, input.reason), CARD_LIMITS.fieldChars), false),
  );
  if (input.runNumber !== undefined) fields.push(field("Run", `#${input.runNumber}`));
  if (outcome) {
    fields.push(field("Decision", outcomeSentence(outcome, redactor), false));
  } else if (input.timeoutMs !== undefined) {
    const deadline = new Date(input.requestedAt.getTime() + input.timeoutMs);
    fields.push(
      field(
        "Waiting",
        `Since ${discordTime(input.requestedAt)}; denied automatically at ${discordTime(deadline)} (${waitLength(input.timeoutMs)}) without a decision.`,
        false,
      ),
    );
  }

  const lines: string[] = [];
  if (shown.note) lines.push(`*${shown.note}*`);
  if (block) lines.push(block.block);
  if (block?.cut) lines.push(`*Cut to fit; the whole call is attached as \`${fileName}\`.*`);
  const embed: APIEmbed = {
    title: `${look.emoji} ${look.label}: ${title}`,
    color: look.color,
    fields,
    footer: { text: `Approval ${input.approvalId}` },
  };
  if (lines.length > 0) embed.description = truncateEnd(lines.join("\n"), DISCORD_LIMITS.embedDescription);

  const pinging = outcome === undefined && input.ping !== undefined;
  return {
    content: pinging ? `<@${input.ping}> the agent waits for an approval.` : "",
    embeds: [embed],
    components: outcome ? [] : buttons(input.approvalId),
    allowedMentions: pinging ? { parse: [], users: [input.ping!] } : { parse: [] },
    files: block?.cut && !outcome ? [{ name: fileName, text: fullText(shown) }] : [],
  };
}

/** The custom id of the Deny… modal's text field. */
export const DENY_REASON_FIELD = "reason";

/** The modal "Deny…" opens: one paragraph the agent receives as the tool's error. */
export function denyReasonModal(
  approvalId: string,
  toolTitle: string,
): APIModalInteractionResponseCallbackData {
  return {
    custom_id: approvalCustomId("deny_modal", approvalId),
    title: truncateEnd(`Deny ${oneLine(toolTitle)}`, COMPONENT_LIMITS.modalTitle),
    components: [
      {
        type: ComponentType.Label,
        label: "Why? The agent reads this",
        description: "It is returned to the agent as the tool's error, so it can change course.",
        component: {
          type: ComponentType.TextInput,
          custom_id: DENY_REASON_FIELD,
          style: TextInputStyle.Paragraph,
          min_length: 1,
          max_length: CARD_LIMITS.reasonMaxChars,
          required: true,
          placeholder: "e.g. not in this repository; use the test database instead",
        },
      },
    ],
  };
}

/** What the agent is told when a call is denied or never decided (the tool's error text). */
export function denialForAgent(outcome: ApprovalOutcome, timeoutMs?: number): string {
  switch (outcome.kind) {
    case "denied":
      return outcome.reason?.trim()
        ? `The person denied this tool call: ${outcome.reason.trim()}`
        : "The person denied this tool call.";
    case "timed_out":
      return `No one approved this tool call within ${waitLength(timeoutMs ?? 0)}, so it was denied. Do not retry it unchanged; ask or take another way.`;
    case "cancelled":
      return "The run was cancelled while this tool call waited for approval.";
    case "expired":
      return "ompcord restarted while this tool call waited for approval; it did not run.";
    case "approved":
    case "approved_by_all":
      return "";
  }
}
