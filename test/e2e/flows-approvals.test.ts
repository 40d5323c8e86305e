// Approvals from Discord end to end (SPEC §6): real omp against the fake model calls tools, the ompcord
// extension's gate holds each call the policy names, the bot posts a card in the thread, and emulated
// people click it through discord.js. What the agent reads afterwards is the fake model's next request.

import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { customIdOf } from "../support/components.js";
import { type ChatRequest, contentText } from "../support/fake-model/index.js";

/** The tool results the agent received in its requests, as text. */
function toolResults(requests: readonly ChatRequest[]): string[] {
  return requests
    .flatMap((r) => r.messages ?? [])
    .filter((m) => m.role === "tool")
    .map((m) => contentText(m.content));
}

const isCard = (m: MessageView) => m.author.bot && (m.embeds[0]?.footer?.text ?? "").startsWith("Approval ");
const open = (m: MessageView) => (m.components?.length ?? 0) > 0;
const footer = (m: MessageView) => m.embeds[0]?.footer?.text ?? "";
const isQuestion = (m: MessageView) =>
  m.author.bot && (m.embeds[0]?.footer?.text ?? "").startsWith("Question ");

describe("approvals under the writes policy", () => {
  let h: BotHarness;

  beforeAll(async () => {
    h = await startBotHarness({
      env: { OMPCORD_APPROVALS: "writes" },
      moreAllowedUsers: ["carol"],
      channelProject: true,
    });
    // A person's own omp gate, in their settings and in the project's: under -p it could only fail a
    // call Discord approved. The bot's overlay pins omp's gate open; these must not break approved runs.
    const strict = "tools:\n  approvalMode: always-ask\n  approval:\n    bash: prompt\n";
    mkdirSync(join(h.home.workDir, ".omp"), { recursive: true });
    writeFileSync(join(h.home.workDir, ".omp", "config.yml"), strict);
    appendFileSync(join(h.home.home, ".omp", "agent", "config.yml"), strict);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Waits for the next open card (with buttons) in the thread. */
  const nextCard = (threadId: string, after = new Set<string>()) =>
    h.emu.waitForMessage(
      (m) => m.channelId === threadId && isCard(m) && !after.has(m.id) && (m.components?.length ?? 0) > 0,
      { timeoutMs: RUN_WAIT_MS },
    );
  const settledCard = (id: string) =>
    h.emu.waitFor(
      () => {
        const card = h.emu.message(id);
        return card && (card.components?.length ?? 0) === 0 ? card : undefined;
      },
      { timeoutMs: EVENT_WAIT_MS, what: `card ${id} settled` },
    );

  it("Approve runs the command; the card says who approved, loses its buttons, and pings the author once", async () => {
    h.model.on("approve me", [
      { kind: "tool", name: "bash", args: { command: "echo approved-output-42" } },
      { kind: "text", text: "approve done" },
    ]);
    const { thread } = await h.launch("approve me");
    const card = await nextCard(thread.id);
    expect(card.embeds[0]?.title).toContain("🟡");
    expect(card.content).toContain(`<@${h.alice}>`);
    expect(card.allowedMentions).toMatchObject({ users: [h.alice] });
    await h.waitForDashboard(thread.id, (d) => d.state === "waiting" && /approval of bash/.test(d.text));

    // bob is no allowed user: privately refused, nothing decided.
    const refused = h.emu
      .as(h.bob)
      .clickButton({ messageId: card.id, customId: customIdOf(card, "approve") });
    await refused.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    expect(refused.view().original?.ephemeral).toBe(true);
    expect(answerText(refused.view())).toMatch(/Only <@\d+> \(who queued this prompt\)/);
    expect(h.emu.message(card.id)?.components?.length).toBeGreaterThan(0);

    // A double click: alice approves, carol denies in the same instant, before the card loses its
    // buttons. The first wins; the second is privately told who decided and when.
    const click = h.emu
      .as(h.alice)
      .clickButton({ messageId: card.id, customId: customIdOf(card, "approve") });
    const late = h.emu.as(h.allowedUsers.carol!).clickButton({
      messageId: card.id,
      customId: customIdOf(card, "deny"),
    });
    await click.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    // Told privately (a reply, or a follow-up when the click was already acknowledged).
    const told = await h.emu.waitFor(
      () => {
        const view = late.view();
        const notes = [view.original, ...view.followUps].filter((m) => m?.ephemeral);
        return notes.find((m) => /already/.test(m?.content ?? ""));
      },
      { timeoutMs: EVENT_WAIT_MS, what: "the late click's private note" },
    );
    expect(told.content).toMatch(
      new RegExp(`already approved by <@${h.alice}> at <t:\\d+:t> \\(<t:\\d+:R>\\)`),
    );
    const settled = await settledCard(card.id);
    expect(settled.embeds[0]?.fields?.find((f) => f.name === "Decision")?.value).toMatch(
      new RegExp(`Approved by <@${h.alice}> at <t:\\d+:t> \\(<t:\\d+:R>\\)`),
    );
    expect(settled.content).toBe("");
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("approve done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    expect(toolResults(h.model.requestsMatching("approve me")).join("\n")).toContain("approved-output-42");
    const rows = h.app!.store.sqlite.prepare("SELECT outcome, decided_by FROM decisions").all();
    expect(rows).toEqual([{ outcome: "approved", decided_by: h.alice }]);
  });

  it("two cards in one run mention the author once; the run's end mentions them once more", async () => {
    h.model.on("two cards please", [
      { kind: "tool", name: "bash", args: { command: "echo one" } },
      { kind: "tool", name: "bash", args: { command: "echo two" } },
      { kind: "text", text: "two cards done" },
    ]);
    const { thread } = await h.launch("two cards please");
    const first = await nextCard(thread.id);
    expect(first.allowedMentions?.users).toEqual([h.alice]);
    const click = (card: MessageView) =>
      h.emu.as(h.alice).clickButton({ messageId: card.id, customId: customIdOf(card, "approve") });
    await click(first).waitForReply({ timeoutMs: EVENT_WAIT_MS });
    const second = await nextCard(thread.id, new Set([first.id]));
    expect(second.content).toBe("");
    expect(second.allowedMentions?.users ?? []).toEqual([]);
    await click(second).waitForReply({ timeoutMs: EVENT_WAIT_MS });
    const endPing = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.startsWith("🔔"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(endPing.content).toContain(`<@${h.alice}> run #1, which waited for you, has ended`);
    expect(endPing.allowedMentions?.users).toEqual([h.alice]);
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("two cards done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    const mentioning = h.emu
      .messages(thread.id)
      .filter((m) => m.author.bot && (m.allowedMentions?.users?.length ?? 0) > 0);
    // The first card mentioned alice when posted (above); settled, its edit mentions nobody.
    expect(mentioning.map((m) => m.id)).toEqual([endPing.id]);
  });

  it("Deny… with a reason: the tool does not run and the agent's next request carries the reason", async () => {
    h.model.on("deny me with a reason", [
      { kind: "tool", name: "bash", args: { command: "touch /tmp/ompcord-should-not-exist" } },
      { kind: "text", text: "deny done" },
    ]);
    const { thread } = await h.launch("deny me with a reason");
    const card = await nextCard(thread.id);
    const open = h.emu
      .as(h.alice)
      .clickButton({ messageId: card.id, customId: customIdOf(card, "deny_reason") });
    await open.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    const shown = h.emu.interaction(open.view().id);
    expect(shown?.modal).toBeDefined();
    const submit = h.emu.as(h.alice).submitModal({
      interactionId: open.view().id,
      values: { reason: "use the staging database instead" },
    });
    await submit.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    const settled = await settledCard(card.id);
    expect(settled.embeds[0]?.fields?.find((f) => f.name === "Decision")?.value).toContain(
      "use the staging database instead",
    );
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("deny done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    const results = toolResults(h.model.requestsMatching("deny me with a reason")).join("\n");
    expect(results).toContain("The person denied this tool call: use the staging database instead");
  });

  it("Approve all for this run approves the run's later calls without a card; reads never ask", async () => {
    h.model.on("approve them all", [
      { kind: "tool", name: "read", args: { path: "README-missing.txt" } },
      { kind: "tool", name: "bash", args: { command: "echo first-call" } },
      { kind: "tool", name: "bash", args: { command: "echo second-call" } },
      { kind: "text", text: "all done" },
    ]);
    const { thread } = await h.launch("approve them all");
    const card = await nextCard(thread.id);
    expect(card.embeds[0]?.title).toContain("bash");
    const click = h.emu
      .as(h.alice)
      .clickButton({ messageId: card.id, customId: customIdOf(card, "approve_all") });
    await click.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("all done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    expect(h.emu.messages(thread.id).filter(isCard)).toHaveLength(1);
    const results = toolResults(h.model.requestsMatching("approve them all")).join("\n");
    expect(results).toContain("first-call");
    expect(results).toContain("second-call");
    const queue = await h.command(h.alice, thread.id, "queue");
    expect(answerText(queue)).toMatch(
      new RegExp(`approved \\(all for the run\\) by <@${h.alice}> <t:\\d+:t>`),
    );
    const outcomes = h
      .app!.store.sqlite.prepare(
        "SELECT d.tool_name, d.outcome FROM decisions d JOIN runs r ON r.id = d.run_id JOIN sessions s ON s.id = r.session_id WHERE s.thread_id = ? ORDER BY d.created_at",
      )
      .all(thread.id);
    expect(outcomes).toEqual([
      { tool_name: "bash", outcome: "approved_by_all" },
      { tool_name: "bash", outcome: "approved_by_all" },
    ]);
  });

  it("/omp cancel while a card waits: the card is resolved cancelled, the command never runs", async () => {
    h.model.on("cancel while waiting", [
      { kind: "tool", name: "bash", args: { command: "echo must-not-run" } },
      { kind: "text", text: "cancel done" },
    ]);
    const { thread } = await h.launch("cancel while waiting");
    const card = await nextCard(thread.id);
    await h.command(h.alice, thread.id, "cancel");
    const settled = await settledCard(card.id);
    expect(settled.embeds[0]?.title).toMatch(/Cancelled/i);
    expect(settled.embeds[0]?.fields?.find((f) => f.name === "Decision")?.value).toContain(
      "Nothing was approved",
    );
    expect(toolResults(h.model.requestsMatching("cancel while waiting")).join("\n")).not.toContain(
      "must-not-run",
    );
  });

  it("the agent's question with choices is answered by a button", async () => {
    h.model.on("ask me something", [
      {
        kind: "tool",
        name: "ask",
        args: { question: "Which branch?", options: [{ label: "main" }, { label: "dev" }] },
      },
      { kind: "text", text: "question done" },
    ]);
    const { thread } = await h.launch("ask me something");
    const question = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && isQuestion(m) && (m.components?.length ?? 0) > 0,
      { timeoutMs: RUN_WAIT_MS },
    );
    const dev = ((question.components ?? [])[0] as { components: { custom_id: string; label: string }[] })
      .components[1]!;
    expect(dev.label).toBe("dev");
    const click = h.emu.as(h.alice).clickButton({ messageId: question.id, customId: dev.custom_id });
    await click.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("question done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    expect(toolResults(h.model.requestsMatching("ask me something")).join("\n")).toContain(
      "The person chose: dev",
    );
  });

  it("a free-text question is answered by a reply to its message; a plain message that is no reply does not answer it", async () => {
    h.model.on("ask for a name", [
      { kind: "tool", name: "ask", args: { question: "What should the file be called?" } },
      { kind: "text", text: "name done" },
    ]);
    h.model.on("unrelated chatter", { kind: "text", text: "chatter answered" });
    const { thread } = await h.launch("ask for a name");
    const question = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && footer(m).startsWith("Question ") && open(m),
      { timeoutMs: RUN_WAIT_MS },
    );
    h.emu.as(h.alice).postMessage(thread.id, { content: "unrelated chatter" });
    h.emu.as(h.alice).postMessage(thread.id, { content: "call it plan.md", replyTo: question.id });
    const settled = await h.emu.waitFor(
      () => {
        const now = h.emu.message(question.id);
        return now && !open(now) ? now : undefined;
      },
      { timeoutMs: EVENT_WAIT_MS, what: "the question answered" },
    );
    expect(settled.embeds[0]?.fields?.[0]?.value).toContain("call it plan.md");
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("name done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    expect(toolResults(h.model.requestsMatching("ask for a name"))).toContain(
      "The person answered: call it plan.md",
    );
    // The message that was no reply followed the plain-message setting: queued as the next prompt.
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("chatter answered"), {
      timeoutMs: RUN_WAIT_MS,
    });
  });

  it("past five choices the question is a select menu; Something else… takes typed words through a modal", async () => {
    const options = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"].map((label) => ({ label }));
    h.model.on("pick from six", [
      { kind: "tool", name: "ask", args: { question: "Which one?", options } },
      { kind: "tool", name: "ask", args: { question: "Anything to add?", options: [{ label: "no" }] } },
      { kind: "text", text: "six done" },
    ]);
    const { thread } = await h.launch("pick from six");
    const menu = await h.emu.waitForMessage((m) => m.channelId === thread.id && isQuestion(m) && open(m), {
      timeoutMs: RUN_WAIT_MS,
    });
    const select = ((menu.components ?? [])[0] as { components: { custom_id: string; type: number }[] })
      .components[0]!;
    expect(select.type).toBe(3);
    const chose = h.emu
      .as(h.alice)
      .selectOptions({ messageId: menu.id, customId: select.custom_id, values: ["5"] });
    await chose.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    const second = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && isQuestion(m) && open(m) && m.id !== menu.id,
      { timeoutMs: RUN_WAIT_MS },
    );
    const textButton = h.emu
      .as(h.alice)
      .clickButton({ messageId: second.id, customId: customIdOf(second, "text") });
    await textButton.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    expect(h.emu.interaction(textButton.view().id)?.modal).toBeDefined();
    const typed = h.emu.as(h.alice).submitModal({
      interactionId: textButton.view().id,
      values: { answer: "only that it should be quick" },
    });
    await typed.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("six done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    const results = toolResults(h.model.requestsMatching("pick from six")).join("\n");
    expect(results).toContain("The person chose: zeta");
    expect(results).toContain("The person answered: only that it should be quick");
  });
});
