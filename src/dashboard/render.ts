// Renders a DashboardView into a discord.js message payload that Discord always accepts, whatever the view.

import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  ComponentType,
} from "discord-api-types/v10";
import { DISCORD_LIMITS, DISPLAY_LIMITS, EMPTY_VALUE } from "../format/limits.js";
import {
  escapeCodeBlock,
  escapeMassMentions,
  escapeMentions,
  formatCost,
  formatDuration,
  formatTokens,
  nonEmpty,
  stripControlCharacters,
  truncateEnd,
  truncateMiddle,
  truncateStart,
} from "../format/text.js";
import { dashboardCustomId } from "./custom-ids.js";
import { BOT_STOPPED_LOOK, DASHBOARD_STATES, type DashboardView, isCancellable, isRunning } from "./view.js";

export interface DashboardPayload {
  embeds: [APIEmbed];
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  allowedMentions: { parse: [] };
}

const FENCE_OPEN = "```\n";
const FENCE_CLOSE = "\n```";
const NO_OUTPUT = "*No output yet.*";

function field(name: string, value: string, inline: boolean): APIEmbedField {
  return {
    name: truncateEnd(nonEmpty(name, EMPTY_VALUE), DISCORD_LIMITS.embedFieldName),
    value: truncateEnd(nonEmpty(value, EMPTY_VALUE), DISCORD_LIMITS.embedFieldValue),
    inline,
  };
}

function oneLine(text: string): string {
  return stripControlCharacters(text).replace(/\s+/g, " ").trim();
}

/**
 * How long the run has been going. A running prompt's time is a Discord timestamp (`<t:…:R>`, "started
 * 12 seconds ago"), counted by each reader's client: a number would be as old as the last edit, and a
 * quiet run (a long tool) is edited only every `HEARTBEAT_MS`, so a run cancelled after several seconds
 * still showed "0s". An ended run shows exactly how long it ran.
 */
function elapsed(view: DashboardView): string {
  if (view.pending && !view.stopped) return view.pending.waitingForSlot ? "not started" : "starting";
  if (!view.runStartedAt) return EMPTY_VALUE;
  if (view.runEndedAt) return formatDuration(view.runEndedAt.getTime() - view.runStartedAt.getTime());
  if (!isRunning(view)) return EMPTY_VALUE;
  return `started <t:${Math.floor(view.runStartedAt.getTime() / 1000)}:R>`;
}

function promptField(view: DashboardView): APIEmbedField | undefined {
  if (!view.prompt) return undefined;
  const author = /^\d+$/.test(view.prompt.authorId) ? `<@${view.prompt.authorId}>` : "someone";
  // Backtick runs are broken up: a truncated prompt could otherwise open a code block that swallows the rest.
  const text = truncateEnd(
    escapeCodeBlock(escapeMentions(stripControlCharacters(view.prompt.text).trim())),
    DISPLAY_LIMITS.dashboardPromptChars,
  );
  const quoted = nonEmpty(text, "(empty prompt)")
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
  return field(isRunning(view) ? "Prompt" : "Last prompt", `${quoted}\nqueued by ${author}`, false);
}

/** Discord failed messages the bot owes the thread: they wait for a retry, and people should know. */
function deliveryField(delivery: NonNullable<DashboardView["delivery"]>): APIEmbedField {
  const count = Math.max(1, Math.floor(delivery.messages));
  const what = delivery.answer ? "answer" : count === 1 ? "1 message" : `${count} messages`;
  const more = delivery.answer && count > 1 ? ` · ${count} messages in all` : "";
  return field("Delivery", `📨 ${what} waiting to be delivered (retrying)${more}`, false);
}

/** "retrying in 20 s: 529 overloaded", "compacting…". */
function activityText(activity: NonNullable<DashboardView["activity"]>): string {
  if (activity.kind === "compacting") return "🗜️ compacting…";
  const seconds = Math.max(0, Math.round(activity.delayMs / 1000));
  const wait = seconds < 60 ? `${seconds} s` : formatDuration(activity.delayMs);
  const attempt = activity.maxAttempts > 0 ? ` (attempt ${activity.attempt} of ${activity.maxAttempts})` : "";
  const reason = oneLine(activity.reason);
  return `⏳ retrying in ${wait}${attempt}${reason ? `: ${reason}` : ""}`;
}

/** "63 % · 20,160 of 32,000 tokens": how full the agent's context window is. */
export function contextText(context: NonNullable<DashboardView["context"]>): string {
  const ratio = context.tokens / context.contextWindow;
  const percent = Number.isFinite(ratio) ? Math.max(0, Math.round(ratio * 100)) : 0;
  return `${percent} % · ${formatTokens(context.tokens)} of ${formatTokens(context.contextWindow)} tokens`;
}

/**
 * The output tail as a code block of at most `budget` characters, newest lines kept. Backtick runs are
 * broken up so agent output can never close the block early.
 */
export function renderTail(tail: readonly string[], budget: number): string {
  const room = budget - FENCE_OPEN.length - FENCE_CLOSE.length;
  if (tail.length === 0 || room < 1) return truncateEnd(NO_OUTPUT, Math.max(0, budget));
  const kept: string[] = [];
  let used = 0;
  for (let i = tail.length - 1; i >= 0; i--) {
    const line = escapeCodeBlock(stripControlCharacters(tail[i]!).replace(/\n/g, " "));
    const cost = line.length + (kept.length > 0 ? 1 : 0);
    if (used + cost > room) {
      // The newest line alone is too long: keep its end, the freshest part.
      if (kept.length === 0) kept.push(truncateStart(line, room));
      break;
    }
    kept.push(line);
    used += cost;
  }
  kept.reverse();
  // The fences sit on their own lines, so a backtick at either edge of the body cannot join them.
  return `${FENCE_OPEN}${kept.join("\n")}${FENCE_CLOSE}`;
}

function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

/** Discord's `<t:…:t>` (a time in each reader's own zone) and `<t:…:R>` ("in 2 hours") of one moment. */
function discordTimes(at: Date): { time: string; relative: string } {
  const seconds = Math.floor(at.getTime() / 1000);
  return { time: `<t:${seconds}:t>`, relative: `<t:${seconds}:R>` };
}

/** The run sleeps until a usage limit resets: when it resumes, the time limit paused meanwhile. */
function usageWaitField(resumesAt: Date): APIEmbedField {
  const { time, relative } = discordTimes(resumesAt);
  return field("Paused", `⏳ usage limit: resumes ${time} (${relative})`, false);
}

/** The run is waiting for a usage limit to reset: Stop waiting (a cancel) is offered beside Cancel. */
function isWaitingForUsage(view: DashboardView): boolean {
  return view.usageWait !== undefined && isCancellable(view);
}

function buttons(view: DashboardView): DashboardPayload["components"] {
  const cancelId = dashboardCustomId("cancel", view.sessionId);
  const stopId = dashboardCustomId("stop", view.sessionId);
  const stopWaitId = dashboardCustomId("stopwait", view.sessionId);
  // An id Discord would refuse must not sink the whole edit: drop the buttons instead.
  if (stopId.length > DISCORD_LIMITS.customId || cancelId.length > DISCORD_LIMITS.customId) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        ...(isWaitingForUsage(view) && stopWaitId.length <= DISCORD_LIMITS.customId
          ? [
              {
                type: ComponentType.Button as const,
                style: ButtonStyle.Primary as const,
                label: "Stop waiting",
                emoji: { name: "⏳" },
                custom_id: stopWaitId,
              },
            ]
          : []),
        {
          type: ComponentType.Button,
          style: ButtonStyle.Danger,
          label: "Cancel",
          emoji: { name: "⏹️" },
          custom_id: cancelId,
          disabled: !isCancellable(view),
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: "Stop session",
          emoji: { name: "🛑" },
          custom_id: stopId,
          disabled: view.stopped,
        },
      ],
    },
  ];
}

/**
 * The dashboard message for `view`. The payload depends on the view alone (a running prompt's elapsed
 * time is a Discord timestamp); `_now` is still accepted from callers that pass the paint time.
 */
export function renderDashboard(view: DashboardView, _now?: Date): DashboardPayload {
  const look = view.botStopped ? BOT_STOPPED_LOOK : (DASHBOARD_STATES[view.state] ?? DASHBOARD_STATES.failed);
  const name = oneLine(view.sessionName) || "Session";
  const title = truncateEnd(`${look.emoji} ${name}`, DISCORD_LIMITS.embedTitle);

  const pending = view.stopped ? undefined : view.pending;
  const runNumber = Math.max(0, Math.floor(view.runNumber) || 0);
  const run = pending
    ? `#${runNumber + 1}, ${pending.waitingForSlot ? "queued" : "starting"}`
    : runNumber > 0
      ? `#${runNumber}`
      : "none yet";
  // While pending, the shown prompt is itself one of the queued prompts.
  const behind = Math.max(0, (Math.floor(view.queueDepth) || 0) - (pending ? 1 : 0));
  const fields: APIEmbedField[] = [
    field("State", view.stopped ? `${look.label} · stopped` : look.label, true),
    field("Run", run, true),
    field("Elapsed", elapsed(view), true),
    field("Queue", `${behind} waiting`, true),
  ];
  if (view.model) fields.push(field("Model", codeSpan(view.model), true));
  if (view.project) fields.push(field("Project", codeSpan(view.project), true));
  if (pending?.waitingForSlot) {
    const { inUse, max, usageWaits } = pending.waitingForSlot;
    // A run sleeping until a usage limit resets keeps its slot: say why the slot is not freeing up.
    const sleeping = usageWaits
      ? `; ${usageWaits === 1 ? "1 of them is" : `${usageWaits} of them are`} waiting for a usage limit to reset`
      : "";
    fields.push(
      field(
        "Queued",
        `Waiting for a free run slot (${inUse} of ${max} in use${sleeping}); it starts as soon as one frees up.`,
        false,
      ),
    );
  }
  if (view.usageWait && isWaitingForUsage(view)) fields.push(usageWaitField(view.usageWait.resumesAt));
  if (view.activity && isRunning(view))
    fields.push(field("Now", escapeMassMentions(activityText(view.activity)), false));
  if (view.context && view.context.contextWindow > 0)
    fields.push(field("Context", contextText(view.context), true));
  if (view.fallbackModel) {
    fields.push(
      field("Fallback", `fell back to \`${oneLine(view.fallbackModel).replace(/`/g, "ˋ")}\``, true),
    );
  }
  if (view.tokens !== undefined) fields.push(field("Tokens", formatTokens(view.tokens), true));
  if (view.cost !== undefined) fields.push(field("Cost", formatCost(view.cost), true));
  if (view.lastTool) {
    const tool = truncateMiddle(oneLine(view.lastTool), DISPLAY_LIMITS.dashboardToolChars).replace(/`/g, "ˋ");
    fields.push(field("Last tool", tool ? `\`${tool}\`` : EMPTY_VALUE, true));
  }
  const prompt = promptField(view);
  if (prompt) fields.push(prompt);
  if (view.delivery && view.delivery.messages > 0) fields.push(deliveryField(view.delivery));
  if (view.note?.trim()) {
    fields.push(
      field(
        "Note",
        // Notes may name who stopped the session (`<@id>`, shown as a name, never a ping in an embed).
        escapeMassMentions(
          truncateEnd(stripControlCharacters(view.note).trim(), DISPLAY_LIMITS.dashboardNoteChars),
        ),
        false,
      ),
    );
  }

  const embed: APIEmbed = {
    title,
    color: look.color,
    fields,
    footer: { text: truncateEnd(`Session ${oneLine(view.sessionId)}`, DISPLAY_LIMITS.dashboardFooterChars) },
  };
  const budget = Math.min(DISCORD_LIMITS.embedDescription, DISCORD_LIMITS.embedTotal - embedLength(embed));
  const description = renderTail(view.tail, budget);
  if (description) embed.description = description;

  return { embeds: [embed], components: buttons(view), allowedMentions: { parse: [] } };
}

/** A name (a model, a project) in an inline code span; backticks in it cannot end the span. */
function codeSpan(text: string): string {
  return `\`${truncateMiddle(oneLine(text), DISPLAY_LIMITS.dashboardToolChars).replace(/`/g, "ˋ")}\``;
}
