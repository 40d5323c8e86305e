// Steering as people see it in Discord: the words of `/omp steer`'s reply as the steer goes from queued
// to delivered (or to a follow-up), the ⚡ Steer now button on a queued follow-up, and its click.

import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type MessageActionRowComponentBuilder,
} from "discord.js";
import { escapeMentions, stripControlCharacters, truncateEnd } from "../format/index.js";
import type { SteerWatcher } from "../sessions/steering.js";
import { ACCESS_RULES, checkAccess } from "./access/index.js";
import type { BotContext } from "./context.js";
import { interactionFacts } from "./facts.js";
import { NO_MENTIONS, refuse, replyPrivately } from "./replies.js";

/** How much of a prompt or steer a reply quotes back (`/omp say`'s acknowledgement too). */
const QUOTE_CHARS = 300;

/** `omp-steer:<sessionId>:<promptId>`: ⚡ Steer now on the acknowledgement of a queued follow-up. */
const STEER_NOW_PREFIX = "omp-steer";

/** When the agent reads a steer: said once, so `/omp steer`, a message and ⚡ tell the same story. */
export const STEER_TIMING =
  "the agent reads it at its next step: once the reply it is writing ends, or once a running command finishes (commands are not cut short)";

/** Told privately when there is nothing to steer. */
export const NOTHING_TO_STEER =
  "Nothing is running in this session, so there is nothing to steer. Use `/omp say` to queue it as the next prompt.";

/** A terminal mirror's thread shows a person's own omp: the bot runs no prompts there. */
export const MIRROR_TAKES_NO_PROMPTS =
  "This thread mirrors a terminal session on its owner's machine: the bot runs no prompts here. Its owner can steer it with `/omp steer`.";

/** A prompt or steer as a reply quotes it: redacted, one line, mention-safe, short. */
export function quoteText(ctx: Pick<BotContext, "redact">, text: string): string {
  return escapeMentions(
    truncateEnd(stripControlCharacters(ctx.redact(text)).replace(/\s+/g, " ").trim(), QUOTE_CHARS),
  );
}

/** Where a follow-up stands in line, as the replies say it. */
export function placeInLine(position: number): string {
  return position <= 1 ? "it runs now" : `it is #${position} in line`;
}

export const steerTexts = {
  queued: (quote: string) => `⚡ Steering queued: ${STEER_TIMING}.\n> ${quote}`,
  delivered: (quote: string) => `⚡ Steering delivered: the agent took it in the running turn.\n> ${quote}`,
  followUp: (quote: string, position: number) =>
    `⚡ The run ended before it took this steering, so it became a follow-up prompt: ${placeInLine(position)}.\n> ${quote}`,
};

/** The ⚡ Steer now button for a queued follow-up. */
export function steerNowRow(sessionId: string, promptId: string) {
  return new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`${STEER_NOW_PREFIX}:${sessionId}:${promptId}`)
      .setLabel("Steer now")
      .setEmoji("⚡")
      .setStyle(ButtonStyle.Secondary),
  );
}

/** The session and prompt of a ⚡ Steer now button, or undefined for any other custom id. */
export function parseSteerNowId(customId: string): { sessionId: string; promptId: string } | undefined {
  const [prefix, sessionId, promptId, ...rest] = customId.split(":");
  if (prefix !== STEER_NOW_PREFIX || !sessionId || !promptId || rest.length > 0) return undefined;
  return { sessionId, promptId };
}

/**
 * A watcher that edits one message as the steer goes on. An edit that fails (the interaction's token
 * expired after 15 minutes, the message was deleted) becomes a note in the thread for a follow-up, since
 * a prompt that runs unannounced would surprise; a lost "delivered" is only logged.
 */
export function editingWatcher(
  ctx: BotContext,
  options: { sessionId: string; quote: string; edit: (content: string) => Promise<unknown> },
): SteerWatcher {
  const { sessionId, quote, edit } = options;
  const log = (error: unknown) =>
    ctx.logger.warn({ err: error, sessionId }, "could not update a steering reply");
  return {
    delivered: () => void edit(steerTexts.delivered(quote)).catch(log),
    becameFollowUp: (position) =>
      void edit(steerTexts.followUp(quote, position)).catch((error: unknown) => {
        log(error);
        const session = ctx.sessions.byId(sessionId);
        if (!session) return;
        ctx.outbox.enqueue({ threadId: session.threadId, sessionId }, [
          {
            kind: "note",
            message: { content: steerTexts.followUp(quote, position), allowedMentions: { parse: [] } },
          },
        ]);
      }),
  };
}

/**
 * ⚡ Steer now: the queued follow-up leaves the queue and steers the running turn. Who may press it: the
 * rules of the dashboard's Cancel button (an allowed user, in the live session's thread).
 */
export async function handleSteerNow(
  ctx: BotContext,
  interaction: ButtonInteraction,
  target: { sessionId: string; promptId: string },
): Promise<void> {
  const session = ctx.sessions.byId(target.sessionId);
  if (!session || session.threadId !== interaction.channelId) {
    return refuse(interaction, "This button no longer belongs to a session.");
  }
  const access = checkAccess(
    ACCESS_RULES.button,
    interactionFacts(ctx, interaction, { session }),
    ctx.policy,
  );
  if (!access.ok) return refuse(interaction, access.reason);
  const edit = (content: string) =>
    interaction.editReply({ content, components: [], allowedMentions: NO_MENTIONS });
  const quote = quoteFromMessage(interaction.message.content);
  const result = ctx.steering.steerQueued(
    target.sessionId,
    target.promptId,
    editingWatcher(ctx, { sessionId: session.id, quote, edit }),
  );
  if (result.kind === "not-waiting") {
    return replyPrivately(
      interaction,
      "That prompt is no longer waiting (it has started, or the queue was dropped), so there is nothing to steer with it.",
    );
  }
  if (result.kind === "idle") {
    return replyPrivately(
      interaction,
      "Nothing is running right now, so there is nothing to steer into: the prompt stays in line and runs next.",
    );
  }
  const by = `<@${interaction.user.id}>`;
  const content =
    result.kind === "queued"
      ? `⚡ Steering now (${by} pressed ⚡): ${STEER_TIMING}.\n> ${quote}`
      : steerTexts.followUp(quote, result.position);
  await interaction.update({ content, components: [], allowedMentions: NO_MENTIONS });
}

/** The quote line of an acknowledgement the bot wrote (`…\n> quote`), already redacted and safe. */
function quoteFromMessage(content: string): string {
  const at = content.lastIndexOf("\n> ");
  return at === -1 ? "" : content.slice(at + 3);
}
