// Clicks, menus and modals on approval cards and questions: who may decide, the Deny… reason and the
// free-text answer modals, and the private notes for a person who may not decide or came too late. The
// desk settles (first click wins) and edits the card; this file only speaks to the person clicking.

import {
  type ButtonInteraction,
  type Message,
  MessageFlags,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from "discord.js";
import { DENY_REASON_FIELD, denyReasonModal, discordTime } from "../approvals/card.js";
import { type ParsedCustomId, parseCustomId } from "../approvals/custom-ids.js";
import type { DecideResult, PersonDecision } from "../approvals/desk.js";
import { ANSWER_FIELD, answerFromSelect, answerFromText, answerModal } from "../approvals/question.js";
import { writeInWindow } from "../dashboard/live/index.js";
import type { DecisionRow } from "../store/index.js";
import type { BotContext } from "./context.js";

const questionIdOf = (footer: string | undefined) => /^Question ([a-z0-9]+)$/.exec(footer ?? "")?.[1];

/** Acknowledges an answer typed as a reply to the question. */
const ANSWERED_REACTION = "✅";

type DecisionInteraction = ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

/** Whether a custom id is one of the cards' (the dashboard's buttons have their own). */
export function isDecisionCustomId(customId: string): boolean {
  return parseCustomId(customId) !== undefined;
}

const OUTCOME_WORDS: Record<string, string> = {
  approved: "approved",
  approved_by_all: "approved (Approve all for this run)",
  denied: "denied",
  answered: "answered",
  timed_out: "closed: nobody decided in time",
  cancelled: "closed: the run was cancelled",
  expired: "closed: ompcord restarted while it waited",
};

/** "Already approved by X at <t:…:t> (<t:…:R>)." */
export function alreadyDecided(row: DecisionRow): string {
  const what = OUTCOME_WORDS[row.outcome] ?? row.outcome;
  const by = row.decidedBy ? ` by <@${row.decidedBy}>` : "";
  const at = row.decidedAt ? ` at ${discordTime(row.decidedAt)}` : "";
  return `This was already ${what}${by}${at}.`;
}

function notAllowed(ctx: BotContext, row: DecisionRow | undefined): string {
  const who = row ? `<@${row.requestedFor}> (who queued this prompt)` : "the person who queued this prompt";
  return `🚫 Only ${who}${ctx.config.approvals.deciders?.length ? " or the approvers named in ompcord's settings" : ""} can decide this.`;
}

async function privately(interaction: DecisionInteraction, content: string): Promise<void> {
  const options = { content, allowedMentions: { parse: [] }, flags: MessageFlags.Ephemeral } as const;
  if (interaction.deferred || interaction.replied) await interaction.followUp(options);
  else await interaction.reply(options);
}

export async function handleDecisionInteraction(
  ctx: BotContext,
  interaction: DecisionInteraction,
): Promise<void> {
  const desk = ctx.decisions;
  const parsed = parseCustomId(interaction.customId) as ParsedCustomId;
  if (!desk) return privately(interaction, "🚫 This bot takes no approvals or answers.");
  if (parsed.kind === "stale") {
    return privately(interaction, "🚫 This card is from an older ompcord and no longer works.");
  }
  const row = desk.row(parsed.id);
  if (!row) return privately(interaction, "🚫 This card no longer belongs to a decision ompcord knows.");
  if (row.outcome !== "pending") return privately(interaction, alreadyDecided(row));
  if (!desk.mayDecide(row, interaction.user.id)) return privately(interaction, notAllowed(ctx, row));

  let decision: PersonDecision | undefined;
  if (parsed.kind === "approval") {
    switch (parsed.action) {
      case "approve":
        decision = { kind: "approve" };
        break;
      case "approve_all":
        decision = { kind: "approve_all" };
        break;
      case "deny":
        decision = { kind: "deny" };
        break;
      case "deny_reason":
        if (!interaction.isButton()) return;
        return interaction.showModal(denyReasonModal(row.id, desk.title(row.id) ?? row.toolName));
      case "deny_modal":
        if (!interaction.isModalSubmit()) return;
        decision = { kind: "deny", reason: interaction.fields.getTextInputValue(DENY_REASON_FIELD) };
        break;
    }
  } else {
    const question = desk.question(row.id);
    if (!question) return privately(interaction, alreadyDecided(row));
    switch (parsed.action) {
      case "choice":
        decision = { kind: "answer", answer: { kind: "choices", indexes: [parsed.choice ?? -1] } };
        if ((parsed.choice ?? -1) >= question.options.length) decision = undefined;
        break;
      case "select": {
        if (!interaction.isStringSelectMenu()) return;
        const answer = answerFromSelect(question, interaction.values);
        if (answer) decision = { kind: "answer", answer };
        break;
      }
      case "text":
        if (!interaction.isButton()) return;
        return interaction.showModal(answerModal(question));
      case "text_modal":
        if (!interaction.isModalSubmit()) return;
        decision = {
          kind: "answer",
          answer: answerFromText(question, interaction.fields.getTextInputValue(ANSWER_FIELD)),
        };
        break;
    }
  }
  if (!decision) return privately(interaction, "🚫 That is not one of this question's choices.");
  // Acknowledged before deciding: the desk's edit of the card (the decision, no buttons) then comes
  // after the acknowledgement, which is what Discord shows as the click's result.
  if (interaction.isModalSubmit() && !interaction.isFromMessage()) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  } else {
    await interaction.deferUpdate();
  }
  const result: DecideResult = desk.decide(row.id, interaction.user.id, decision);
  if (!result.ok) {
    if (result.why === "already") return privately(interaction, alreadyDecided(result.row));
    if (result.why === "not_allowed") return privately(interaction, notAllowed(ctx, row));
    return privately(interaction, "🚫 This card no longer belongs to a decision ompcord knows.");
  }
  if (interaction.isModalSubmit() && !interaction.isFromMessage()) {
    await interaction.editReply({ content: "Done.", allowedMentions: { parse: [] } });
  }
}

/**
 * A plain message that replies to an open question's message answers it (when its author may decide).
 * True when the message was taken as an answer (or refused as one); false lets the plain-message
 * setting apply.
 */
export async function answerQuestionByReply(ctx: BotContext, message: Message): Promise<boolean> {
  const desk = ctx.decisions;
  const repliedTo = message.reference?.messageId;
  if (!desk || !repliedTo || message.author.bot || message.system) return false;
  // The card's id may not be stored yet when a quick reply arrives: the question is then read from the
  // replied-to message's footer (`Question <id>`), which only the bot's own question carries.
  let row = desk.questionByMessage(message.channelId, repliedTo);
  if (!row) {
    const referenced = await message.fetchReference().catch(() => undefined);
    const id =
      referenced?.author.id === ctx.client.user?.id
        ? questionIdOf(referenced?.embeds[0]?.footer?.text)
        : undefined;
    const candidate = id ? desk.row(id) : undefined;
    if (candidate?.kind === "question" && candidate.threadId === message.channelId) row = candidate;
  }
  if (row && row.outcome !== "pending") return false;
  const question = row ? desk.question(row.id) : undefined;
  if (!row || !question || message.content.trim() === "") return false;
  const reply = (content: string) =>
    ctx.outbox.enqueue({ threadId: message.channelId, sessionId: row.sessionId }, [
      { kind: "reply", message: { content, allowedMentions: { parse: [] }, replyTo: message.id } },
    ]);
  if (!desk.mayDecide(row, message.author.id)) {
    reply(notAllowed(ctx, row));
    return true;
  }
  const result = desk.decide(row.id, message.author.id, {
    kind: "answer",
    answer: answerFromText(question, message.content),
  });
  if (!result.ok) {
    if (result.why === "already") reply(alreadyDecided(result.row));
    return true;
  }
  await writeInWindow(ctx.writes.for(message.channelId), () => message.react(ANSWERED_REACTION)).catch(
    (error: unknown) =>
      ctx.logger.warn({ err: error, messageId: message.id }, "could not react to an answer"),
  );
  return true;
}
