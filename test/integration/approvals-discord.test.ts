// Approval cards and questions as Discord takes them: rendered by src/approvals, sent by a real discord.js
// client to the emulator (which checks Discord's limits on messages, components and modals), and
// answered by emulated people clicking, choosing and typing; every custom id parses back.
import { type Emulator, startEmulator } from "@ompcord/discord-emulator";
import {
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  type MessageEditOptions,
  type TextChannel,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApprovalCardInput,
  type ApprovalOutcome,
  type CardMessage,
  DENY_REASON_FIELD,
  denyReasonModal,
  renderApprovalCard,
} from "../../src/approvals/card.js";
import { parseCustomId } from "../../src/approvals/custom-ids.js";
import { approvalFor } from "../../src/approvals/policy.js";
import {
  ANSWER_FIELD,
  answerFromSelect,
  answerFromText,
  answerModal,
  type QuestionInput,
  renderQuestion,
} from "../../src/approvals/question.js";
import { createRedactor } from "../../src/output/redact.js";

const redactor = createRedactor();
const AT = new Date("2026-12-07T10:00:00Z");

/**
 * A CardMessage as discord.js send/edit options. `files` only when there are some: discord.js turns
 * `files: []` into `attachments: []`, which on an edit removes what the first post attached.
 */
const asOptions = (message: CardMessage) => ({
  content: message.content,
  embeds: message.embeds,
  components: message.components,
  allowedMentions: message.allowedMentions,
  ...(message.files.length > 0
    ? { files: message.files.map((f) => ({ attachment: Buffer.from(f.text), name: f.name })) }
    : {}),
});

function approval(id: string, toolName: string, input: unknown): ApprovalCardInput {
  const verdict = approvalFor("writes", toolName, input);
  return {
    approvalId: id,
    toolName,
    input,
    call: verdict.call,
    reason: verdict.reason,
    requestedAt: AT,
    timeoutMs: 600_000,
  };
}

describe("approval cards and questions through discord.js and the emulator", () => {
  let emu: Emulator;
  let client: Client<true>;
  let channel: TextChannel;
  let world: ReturnType<Emulator["seed"]>;

  const next = <T extends Interaction>(accept: (i: Interaction) => boolean) =>
    new Promise<T>((resolve) => {
      const listener = (i: Interaction) => {
        if (!accept(i)) return;
        client.off(Events.InteractionCreate, listener);
        resolve(i as T);
      };
      client.on(Events.InteractionCreate, listener);
    });

  beforeAll(async () => {
    emu = await startEmulator({ rateLimits: false });
    world = emu.seed();
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
      rest: { api: emu.restUrl },
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(emu.botToken);
    await ready;
    channel = (await client.channels.fetch(world.channelId)) as TextChannel;
  });
  afterAll(async () => {
    await client?.destroy();
    await emu?.close();
  });

  it("a long command's card is accepted with its attachment, and Deny… with a reason settles it", async () => {
    const input = approval("a1b2c3d4e5f6", "bash", {
      command: Array.from({ length: 800 }, (_, i) => `echo step ${i}`).join(" && "),
    });
    const card = await channel.send(
      asOptions(renderApprovalCard({ ...input, ping: world.users.alice.id }, redactor)),
    );
    const posted = emu.message(card.id);
    expect(posted.attachments.map((a) => a.filename)).toEqual(["tool-call-a1b2c3d4e5f6.txt"]);
    expect(posted.mentionIds).toEqual([world.users.alice.id]);
    expect(posted.components[0]?.components).toHaveLength(4);

    const clicked = next<Interaction>((i) => i.isButton());
    const click = emu
      .as(world.users.alice)
      .clickButton({ messageId: card.id, customId: "omp:approval.v1:deny_reason:a1b2c3d4e5f6" });
    const button = await clicked;
    if (!button.isButton()) throw new Error("expected a button");
    const parsed = parseCustomId(button.customId);
    expect(parsed).toMatchObject({ kind: "approval", action: "deny_reason", id: "a1b2c3d4e5f6" });
    await button.showModal(denyReasonModal("a1b2c3d4e5f6", "bash"));
    await click.waitForReply();

    const submitted = next<Interaction>((i) => i.isModalSubmit());
    emu
      .as(world.users.alice)
      .submitModal({ interactionId: click.id, values: { [DENY_REASON_FIELD]: "not on the shared box" } });
    const modal = await submitted;
    if (!modal.isModalSubmit() || !modal.isFromMessage())
      throw new Error("expected a modal submit from the card");
    expect(parseCustomId(modal.customId)).toMatchObject({ action: "deny_modal", id: "a1b2c3d4e5f6" });
    const reason = modal.fields.getTextInputValue(DENY_REASON_FIELD);
    const settled = renderApprovalCard(input, redactor, {
      kind: "denied",
      by: modal.user.id,
      at: AT,
      reason,
    });
    await modal.update(asOptions(settled) as MessageEditOptions);

    const after = emu.message(card.id);
    expect(after.attachments.map((a) => a.filename)).toEqual(["tool-call-a1b2c3d4e5f6.txt"]);
    expect(after.components).toEqual([]);
    expect(after.content).toBe("");
    expect(after.embeds[0]?.title).toBe("⛔ Denied: bash");
    expect(after.embeds[0]?.fields?.find((f) => f.name === "Decision")?.value).toContain(
      "“not on the shared box”",
    );
  });

  it("every settled variant of a card is an edit Discord accepts", async () => {
    const input = approval("f6e5d4c3b2a1", "edit", {
      path: "src/a.ts",
      old_string: "a",
      new_string: "b".repeat(5000),
    });
    const card = await channel.send(asOptions(renderApprovalCard(input, redactor)));
    const outcomes: ApprovalOutcome[] = [
      { kind: "approved", by: world.users.bob.id, at: AT, all: true },
      { kind: "denied", by: world.users.bob.id, at: AT, reason: "r".repeat(5000) },
      { kind: "timed_out", at: AT },
      { kind: "cancelled", at: AT, why: "/omp cancel" },
      { kind: "expired", at: AT },
    ];
    for (const outcome of outcomes) {
      const message = renderApprovalCard(input, redactor, outcome);
      await card.edit(asOptions(message));
      expect(emu.message(card.id).components).toEqual([]);
    }
    expect(emu.message(card.id).history).toHaveLength(outcomes.length + 1);
  });

  const ask = async (question: QuestionInput): Promise<Message> =>
    channel.send(asOptions(renderQuestion(question, redactor)));
  const settle = async (
    interaction: Interaction,
    question: QuestionInput,
    answer: ReturnType<typeof answerFromText>,
  ) => {
    const message = renderQuestion(question, redactor, {
      kind: "answered",
      by: interaction.user.id,
      at: AT,
      answer,
    });
    const edit = asOptions(message) as MessageEditOptions;
    if (interaction.isMessageComponent()) await interaction.update(edit);
    else if (interaction.isModalSubmit() && interaction.isFromMessage()) await interaction.update(edit);
    else throw new Error("expected a component or a modal submitted from the question");
  };

  it("a question with three choices is answered with a button", async () => {
    const question: QuestionInput = {
      questionId: "q3choices000",
      question: "Which branch?",
      options: [{ label: "main" }, { label: "dev" }, { label: "release" }],
      askedAt: AT,
    };
    const message = await ask(question);
    const clicked = next<Interaction>((i) => i.isButton());
    emu
      .as(world.users.bob)
      .clickButton({ messageId: message.id, customId: "omp:question.v1:choice.1:q3choices000" });
    const click = await clicked;
    if (!click.isButton()) throw new Error("expected a button");
    const parsed = parseCustomId(click.customId);
    expect(parsed).toMatchObject({ kind: "question", action: "choice", choice: 1 });
    await settle(click, question, {
      kind: "choices",
      indexes: [parsed?.kind === "question" ? (parsed.choice ?? -1) : -1],
    });
    expect(emu.message(message.id).embeds[0]?.fields?.[0]?.value).toContain("“dev”");
  });

  it("a question with eight choices, several at once, is answered in the select menu", async () => {
    const question: QuestionInput = {
      questionId: "q8multi00000",
      question: "Which files may I delete?",
      options: Array.from({ length: 8 }, (_, i) => ({ label: `file-${i}.log`, description: `${i} KB` })),
      multi: true,
      askedAt: AT,
    };
    const message = await ask(question);
    const chosen = next<Interaction>((i) => i.isStringSelectMenu());
    emu.as(world.users.alice).selectOptions({
      messageId: message.id,
      customId: "omp:question.v1:select:q8multi00000",
      values: ["6", "2"],
    });
    const select = await chosen;
    if (!select.isStringSelectMenu()) throw new Error("expected a select");
    const answer = answerFromSelect(question, select.values);
    expect(answer).toEqual({ kind: "choices", indexes: [6, 2] });
    await settle(select, question, answer!);
    expect(emu.message(message.id).embeds[0]?.fields?.[0]?.value).toContain("“file-6.log, file-2.log”");
  });

  it("a question with thirty choices is answered by typing a number in the modal", async () => {
    const question: QuestionInput = {
      questionId: "q30numbered0",
      question: "Which test to run first?",
      header: "Tests",
      options: Array.from({ length: 30 }, (_, i) => ({ label: `test ${i + 1}` })),
      askedAt: AT,
    };
    const message = await ask(question);
    expect(emu.message(message.id).components).toHaveLength(1);
    const clicked = next<Interaction>((i) => i.isButton());
    const click = emu
      .as(world.users.alice)
      .clickButton({ messageId: message.id, customId: "omp:question.v1:text:q30numbered0" });
    const button = await clicked;
    if (!button.isButton()) throw new Error("expected a button");
    await button.showModal(answerModal(question));
    await click.waitForReply();
    const submitted = next<Interaction>((i) => i.isModalSubmit());
    emu.as(world.users.alice).submitModal({ interactionId: click.id, values: { [ANSWER_FIELD]: "7" } });
    const modal = await submitted;
    if (!modal.isModalSubmit()) throw new Error("expected a modal submit");
    const answer = answerFromText(question, modal.fields.getTextInputValue(ANSWER_FIELD));
    expect(answer).toEqual({ kind: "choices", indexes: [6] });
    await settle(modal, question, answer);
    expect(emu.message(message.id).embeds[0]?.fields?.[0]?.value).toContain("“test 7”");
  });

  it("nothing the bot sent was refused", () => {
    expect(emu.counters.validationErrors).toBe(0);
  });
});
