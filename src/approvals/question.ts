// A question the agent asks the person: one message in the run's thread. Up to five single choices are
// buttons; more, or several to pick at once, a select menu (Discord's 25 options at most); past 25 the
// choices are listed by number and answered by typing. A free-text answer goes through a modal (a
// button opens it: Discord shows modals only in answer to a click). Settled, the message says who
// answered what and when, without components. The question's shape is omp's `ask` tool's
// (`tools/ask.ts:64-87`: question, header?, options [{label, description?}], multi?, recommended?).

import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
  type APIModalInteractionResponseCallbackData,
  type APISelectMenuOption,
  ButtonStyle,
  ComponentType,
  TextInputStyle,
} from "discord-api-types/v10";
import { DISCORD_LIMITS, EMPTY_VALUE } from "../format/limits.js";
import { escapeMassMentions, nonEmpty, stripControlCharacters, truncateEnd } from "../format/text.js";
import type { Redactor } from "../output/redact.js";
import { type CardMessage, discordTime, waitLength } from "./card.js";
import { questionCustomId } from "./custom-ids.js";
import { CARD_LIMITS, COMPONENT_LIMITS } from "./limits.js";

export interface QuestionOption {
  label: string;
  description?: string;
}

export interface QuestionInput {
  questionId: string;
  question: string;
  /** A short chip such as "Branch" (omp's `header`). */
  header?: string;
  options: readonly QuestionOption[];
  /** Several options may be chosen at once. */
  multi?: boolean;
  /** Index of the option the agent recommends. */
  recommended?: number;
  askedAt: Date;
  /** After this long without an answer the agent is told "no answer". */
  timeoutMs?: number;
  /** Ping this user (who queued the running prompt): the run's first wait for a person. */
  ping?: string;
}

export type QuestionAnswer = { kind: "choices"; indexes: number[] } | { kind: "text"; text: string };

export type QuestionOutcome =
  | { kind: "answered"; by: string; at: Date; answer: QuestionAnswer }
  | { kind: "timed_out"; at: Date }
  | { kind: "cancelled"; at: Date; why: string }
  | { kind: "expired"; at: Date };

/** How the person answers: decided by the number of options and `multi`. */
export type QuestionLayout = "text" | "buttons" | "select" | "numbered";

export function questionLayout(question: Pick<QuestionInput, "options" | "multi">): QuestionLayout {
  const count = question.options.length;
  if (count === 0) return "text";
  if (count > COMPONENT_LIMITS.selectOptions) return "numbered";
  if (count <= COMPONENT_LIMITS.buttonsPerRow && !question.multi) return "buttons";
  return "select";
}

/** The custom id of the free-text modal's field. */
export const ANSWER_FIELD = "answer";

const COLORS = { waiting: 0xf1c40f, answered: 0x2ecc71, closed: 0x95a5a6 } as const;

function clean(redactor: Pick<Redactor, "redact">, text: string): string {
  return escapeMassMentions(redactor.redact(stripControlCharacters(text)));
}
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

function field(name: string, value: string, inline = false): APIEmbedField {
  return {
    name: truncateEnd(nonEmpty(name, EMPTY_VALUE), DISCORD_LIMITS.embedFieldName),
    value: truncateEnd(nonEmpty(value, EMPTY_VALUE), DISCORD_LIMITS.embedFieldValue),
    inline,
  };
}

/** `1. Label — description (recommended)` lines, as many as fit in `budget` characters. */
function numberedList(
  question: QuestionInput,
  labels: string[],
  descriptions: (string | undefined)[],
  budget: number,
) {
  const lines: string[] = [];
  let used = 0;
  for (const [i, label] of labels.entries()) {
    const line = `${i + 1}. ${label}${descriptions[i] ? ` — ${descriptions[i]}` : ""}${question.recommended === i ? " *(recommended)*" : ""}`;
    if (used + line.length + 1 > budget) {
      lines.push(`… and ${labels.length - i} more (type a number up to ${labels.length})`);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return lines.join("\n");
}

function components(question: QuestionInput, labels: string[], descriptions: (string | undefined)[]) {
  const id = question.questionId;
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  const textButton = (label: string): APIButtonComponentWithCustomId => ({
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    label,
    emoji: { name: "✏️" },
    custom_id: questionCustomId("text", id),
  });
  const layout = questionLayout(question);
  if (layout === "buttons") {
    rows.push({
      type: ComponentType.ActionRow,
      components: labels.map((label, i) => ({
        type: ComponentType.Button,
        style: question.recommended === i ? ButtonStyle.Primary : ButtonStyle.Secondary,
        label: truncateEnd(nonEmpty(label, `Option ${i + 1}`), COMPONENT_LIMITS.buttonLabel),
        custom_id: questionCustomId("choice", id, i),
      })),
    });
  } else if (layout === "select") {
    const options: APISelectMenuOption[] = labels.map((label, i) => {
      const description = descriptions[i] ?? (question.recommended === i ? "Recommended" : undefined);
      return {
        label: truncateEnd(nonEmpty(label, `Option ${i + 1}`), COMPONENT_LIMITS.selectOptionText),
        // The index: unique and short whatever the labels are (Discord refuses duplicate values).
        value: String(i),
        ...(description ? { description: truncateEnd(description, COMPONENT_LIMITS.selectOptionText) } : {}),
      };
    });
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: questionCustomId("select", id),
          placeholder: question.multi ? "Choose one or more" : "Choose one",
          min_values: 1,
          max_values: question.multi ? options.length : 1,
          options,
        },
      ],
    });
  }
  const textLabel =
    layout === "text" ? "Answer…" : layout === "numbered" ? "Answer with a number…" : "Something else…";
  rows.push({ type: ComponentType.ActionRow, components: [textButton(textLabel)] });
  return rows;
}

function questionLook(outcome: QuestionOutcome | undefined): { emoji: string; label: string; color: number } {
  switch (outcome?.kind) {
    case undefined:
      return { emoji: "🟡", label: "The agent asks", color: COLORS.waiting };
    case "answered":
      return { emoji: "✅", label: "Answered", color: COLORS.answered };
    case "timed_out":
      return { emoji: "⌛", label: "No answer", color: COLORS.closed };
    case "cancelled":
      return { emoji: "⏹️", label: "Cancelled", color: COLORS.closed };
    case "expired":
      return { emoji: "💤", label: "Expired", color: COLORS.closed };
  }
}

function answerText(
  question: QuestionInput,
  answer: QuestionAnswer,
  redactor: Pick<Redactor, "redact">,
): string {
  if (answer.kind === "text") return clean(redactor, answer.text);
  return answer.indexes
    .map((i) => clean(redactor, question.options[i]?.label ?? `option ${i + 1}`))
    .join(", ");
}

function outcomeSentence(
  question: QuestionInput,
  outcome: QuestionOutcome,
  redactor: Pick<Redactor, "redact">,
) {
  switch (outcome.kind) {
    case "answered":
      return `Answered by <@${outcome.by}> at ${discordTime(outcome.at)}: “${truncateEnd(oneLine(answerText(question, outcome.answer, redactor)), CARD_LIMITS.reasonShownChars)}”`;
    case "timed_out":
      return `No answer in time (${discordTime(outcome.at)}); the agent was told so and goes on without it.`;
    case "cancelled":
      return `Cancelled at ${discordTime(outcome.at)}: ${truncateEnd(oneLine(outcome.why), CARD_LIMITS.fieldChars)}.`;
    case "expired":
      return `Expired at ${discordTime(outcome.at)}: ompcord restarted while this waited.`;
  }
}

/** The question's message, waiting (no `outcome`) or settled. Always within Discord's limits. */
export function renderQuestion(
  question: QuestionInput,
  redactor: Pick<Redactor, "redact">,
  outcome?: QuestionOutcome,
): CardMessage {
  const labels = question.options.map((o) => oneLine(clean(redactor, o.label)));
  const descriptions = question.options.map((o) =>
    o.description ? oneLine(clean(redactor, o.description)) : undefined,
  );
  const layout = questionLayout(question);
  const text = truncateEnd(clean(redactor, question.question).trim(), CARD_LIMITS.questionChars);
  const room = DISCORD_LIMITS.embedDescription - text.length - 2;
  // Buttons and the select carry the labels; descriptions (and past 25 options, everything) go here.
  const listed = layout === "numbered" || descriptions.some(Boolean);
  const list = listed && labels.length > 0 ? numberedList(question, labels, descriptions, room) : "";

  const look = questionLook(outcome);
  const header = question.header ? oneLine(clean(redactor, question.header)) : "";
  const fields: APIEmbedField[] = [];
  if (outcome) fields.push(field("Answer", outcomeSentence(question, outcome, redactor)));
  else {
    const how =
      layout === "text"
        ? "Press **Answer…**, or reply to this message."
        : layout === "numbered"
          ? `There are ${labels.length} choices, more than a menu holds: press **Answer with a number…** and type the number(s), or your own answer.`
          : question.multi
            ? "Choose one or more in the menu, or press **Something else…**."
            : "Choose below, or press **Something else…**.";
    const deadline =
      question.timeoutMs !== undefined
        ? ` Without an answer by ${discordTime(new Date(question.askedAt.getTime() + question.timeoutMs))} (${waitLength(question.timeoutMs)}) the agent goes on without one.`
        : "";
    fields.push(field("How to answer", `${how}${deadline}`));
  }
  const embed: APIEmbed = {
    title: truncateEnd(
      `${look.emoji} ${look.label}${header ? `: ${header}` : ""}`,
      DISCORD_LIMITS.embedTitle,
    ),
    color: look.color,
    description: truncateEnd(
      nonEmpty([text, list].filter(Boolean).join("\n\n"), EMPTY_VALUE),
      DISCORD_LIMITS.embedDescription,
    ),
    fields,
    footer: { text: `Question ${question.questionId}` },
  };
  const pinging = outcome === undefined && question.ping !== undefined;
  return {
    content: pinging ? `<@${question.ping}> the agent has a question.` : "",
    embeds: [embed],
    components: outcome ? [] : components(question, labels, descriptions),
    allowedMentions: pinging ? { parse: [], users: [question.ping!] } : { parse: [] },
    files: [],
  };
}

/** The modal for a typed answer (free text, "Something else…", or a number past 25 choices). */
export function answerModal(question: QuestionInput): APIModalInteractionResponseCallbackData {
  const layout = questionLayout(question);
  const header = question.header ? oneLine(stripControlCharacters(question.header)) : "";
  const prompt = oneLine(stripControlCharacters(question.question));
  return {
    custom_id: questionCustomId("text_modal", question.questionId),
    title: truncateEnd(header ? `The agent asks: ${header}` : "The agent asks", COMPONENT_LIMITS.modalTitle),
    components: [
      {
        type: ComponentType.Label,
        label: truncateEnd(
          layout === "numbered" ? "Number(s), or your own answer" : "Your answer",
          COMPONENT_LIMITS.fieldLabel,
        ),
        description: truncateEnd(nonEmpty(prompt, "The agent's question"), COMPONENT_LIMITS.fieldDescription),
        component: {
          type: ComponentType.TextInput,
          custom_id: ANSWER_FIELD,
          style: TextInputStyle.Paragraph,
          min_length: 1,
          max_length: CARD_LIMITS.answerMaxChars,
          required: true,
        },
      },
    ],
  };
}

/**
 * The answer in the select menu's `values` (option indexes as strings). Undefined when they are not
 * this question's options (a stale or forged interaction).
 */
export function answerFromSelect(
  question: QuestionInput,
  values: readonly string[],
): QuestionAnswer | undefined {
  const indexes = values.map(Number);
  const valid =
    indexes.length > 0 &&
    (question.multi || indexes.length === 1) &&
    indexes.every((i) => Number.isInteger(i) && i >= 0 && i < question.options.length) &&
    new Set(indexes).size === indexes.length;
  return valid ? { kind: "choices", indexes } : undefined;
}

/**
 * A typed answer. Past 25 choices (listed by number) `3` or `2, 5` picks those options (one only unless
 * `multi`); anything else, or numbers out of range, is the person's own words, passed on as typed.
 */
export function answerFromText(question: QuestionInput, text: string): QuestionAnswer {
  const trimmed = text.trim();
  if (questionLayout(question) === "numbered" && /^\d+(\s*[,\s]\s*\d+)*$/.test(trimmed)) {
    const indexes = [...new Set(trimmed.split(/[,\s]+/).map((n) => Number(n) - 1))];
    const inRange = indexes.every((i) => i >= 0 && i < question.options.length);
    if (inRange && (question.multi || indexes.length === 1)) return { kind: "choices", indexes };
  }
  return { kind: "text", text: trimmed };
}

/** What the agent's question tool returns: the answer in words, or why there is none. */
export function answerForAgent(question: QuestionInput, outcome: QuestionOutcome): string {
  switch (outcome.kind) {
    case "answered":
      return outcome.answer.kind === "text"
        ? `The person answered: ${outcome.answer.text}`
        : `The person chose: ${outcome.answer.indexes.map((i) => question.options[i]?.label ?? `option ${i + 1}`).join("; ")}`;
    case "timed_out":
      return `No answer within ${waitLength(question.timeoutMs ?? 0)}. Go on without one, or stop and say what you need.`;
    case "cancelled":
      return "The run was cancelled while the question waited for an answer.";
    case "expired":
      return "ompcord restarted while the question waited; there is no answer.";
  }
}
