import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  DiscordAPIError,
  Events,
  type Interaction,
  LabelBuilder,
  ModalBuilder,
  type ModalSubmitInteraction,
  StringSelectMenuBuilder,
  type StringSelectMenuInteraction,
  StringSelectMenuOptionBuilder,
  type TextChannel,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { type Harness, nextEvent, startHarness } from "./helpers.js";

const x = (n: number) => "x".repeat(n);

const nextInteraction = <T extends Interaction>(h: Harness, accept: (i: Interaction) => boolean) =>
  nextEvent<[T]>(h.client, Events.InteractionCreate, (i) => accept(i as Interaction)).then(([i]) => i);

/** Walks a 50035 error tree down `path` and returns the codes at its leaf. */
function codesAt(error: unknown, path: (string | number)[]): string[] {
  expect(error).toBeInstanceOf(DiscordAPIError);
  const api = error as DiscordAPIError;
  expect([api.status, api.code]).toEqual([400, 50035]);
  let node = (api.rawError as { errors: Record<string, unknown> }).errors;
  for (const key of path) {
    expect(node, `no error at ${path.join(".")}: ${JSON.stringify(api.rawError)}`).toHaveProperty(
      String(key),
    );
    node = node[String(key)] as Record<string, unknown>;
  }
  return ((node._errors ?? []) as { code: string }[]).map((e) => e.code);
}

const failure = (action: Promise<unknown>) =>
  action.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (e: unknown) => e,
  );

const command = {
  name: "ask",
  description: "ask",
  options: [{ type: 1, name: "free", description: "free text" }],
};

const option = (i: number) => ({ label: `Choice ${i}`, value: `v${i}` });
const selectRow = (select: Record<string, unknown>) => [
  { type: 1, components: [{ type: 3, custom_id: "pick", options: [option(1), option(2)], ...select }] },
];

describe("modals", () => {
  let h: Harness;
  let channel: TextChannel;
  beforeAll(async () => {
    h = await startHarness({ rateLimits: false });
    channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    await h.client.application.commands.set([command], h.world.guildId);
  });
  afterAll(async () => {
    await h?.close();
  });

  const runFree = (user = h.world.users.alice) =>
    h.emu.as(user).runCommand({ channelId: h.world.channelId, name: "ask", subcommand: "free" });

  it("a slash command shows a modal; the submit reaches discord.js with the typed values", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = runFree();
    const slash = await received;
    const modal = new ModalBuilder()
      .setCustomId("omp:q:text:1")
      .setTitle("The agent asks")
      .addLabelComponents(
        new LabelBuilder()
          .setLabel("Your answer")
          .setTextInputComponent(
            new TextInputBuilder().setCustomId("answer").setStyle(TextInputStyle.Paragraph).setMaxLength(200),
          ),
        new LabelBuilder()
          .setLabel("Which branch?")
          .setStringSelectMenuComponent(
            new StringSelectMenuBuilder()
              .setCustomId("branch")
              .addOptions(
                new StringSelectMenuOptionBuilder().setLabel("main").setValue("main"),
                new StringSelectMenuOptionBuilder().setLabel("dev").setValue("dev"),
              ),
          ),
      );
    await slash.showModal(modal);

    const shown = await handle.waitForReply();
    expect(shown.callbackType).toBe(9);
    expect(shown.modal?.title).toBe("The agent asks");
    expect(shown.modalSubmitInteractionId).toBeNull();

    const submitted = nextInteraction<ModalSubmitInteraction>(h, (i) => i.isModalSubmit());
    const submit = h.emu
      .as(h.world.users.alice)
      .submitModal({ interactionId: handle.id, values: { answer: "use the\nsecond one", branch: ["dev"] } });
    const modalSubmit = await submitted;
    expect(modalSubmit.customId).toBe("omp:q:text:1");
    expect(modalSubmit.user.id).toBe(h.world.users.alice.id);
    expect(modalSubmit.fields.getTextInputValue("answer")).toBe("use the\nsecond one");
    expect(modalSubmit.fields.getStringSelectValues("branch")).toEqual(["dev"]);
    expect(modalSubmit.message).toBeNull();
    expect(submit.view().type).toBe(5);
    expect(h.emu.interaction(handle.id).modalSubmitInteractionId).toBe(submit.id);

    await modalSubmit.reply({ content: "Answer sent to the agent." });
    const reply = await submit.waitForReply();
    expect(reply.original?.content).toBe("Answer sent to the agent.");
  });

  it("a button opens a legacy action-row modal; awaitModalSubmit gets it and updates the button's message", async () => {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId("deny-reason").setLabel("Deny…").setStyle(ButtonStyle.Danger),
    );
    const card = await channel.send({ content: "Run `rm -rf build`?", components: [row] });
    const clicked = nextInteraction<ButtonInteraction>(h, (i) => i.isButton());
    const click = h.emu.as(h.world.users.bob).clickButton({ messageId: card.id, customId: "deny-reason" });
    const button = await clicked;
    const modal = new ModalBuilder()
      .setCustomId("deny-modal")
      .setTitle("Deny with a reason")
      .addActionRowComponents(
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder()
            .setCustomId("reason")
            .setLabel("Why?")
            .setStyle(TextInputStyle.Short)
            .setRequired(true),
        ),
      );
    await button.showModal(modal);
    await click.waitForReply();
    expect(h.emu.interaction(click.id).modal?.components).toHaveLength(1);

    const awaited = button.awaitModalSubmit({ time: 30_000, filter: (m) => m.customId === "deny-modal" });
    const submit = h.emu
      .as(h.world.users.bob)
      .submitModal({ interactionId: click.id, values: { reason: "wrong dir" } });
    const modalSubmit = await awaited;
    expect(modalSubmit.fields.getTextInputValue("reason")).toBe("wrong dir");
    expect(modalSubmit.isFromMessage()).toBe(true);
    expect(modalSubmit.message?.id).toBe(card.id);
    // The submission comes back with Discord's shape: the action row and its text input, with ids.
    const data = submit.view().data as { components: { type: number; id: number; components: unknown[] }[] };
    expect(data.components).toEqual([
      { type: 1, id: 1, components: [{ type: 4, id: 2, custom_id: "reason", value: "wrong dir" }] },
    ]);

    if (!modalSubmit.isFromMessage()) throw new Error("expected a modal from a message");
    await modalSubmit.update({ content: "Denied by bob: wrong dir", components: [] });
    const updated = await submit.waitForReply();
    expect(updated.callbackType).toBe(7);
    expect(h.emu.message(card.id)).toMatchObject({ content: "Denied by bob: wrong dir", components: [] });
  });

  it("the person submitting must fill the modal as the Discord client would let them", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = runFree();
    const slash = await received;
    await slash.showModal({
      custom_id: "m",
      title: "t",
      components: [
        {
          type: 1,
          components: [
            { type: 4, custom_id: "short", label: "Short", style: 1, min_length: 3, max_length: 5 },
          ],
        },
        {
          type: 1,
          components: [{ type: 4, custom_id: "optional", label: "Optional", style: 2, required: false }],
        },
      ],
    });
    await handle.waitForReply();
    const alice = h.emu.as(h.world.users.alice);
    const submit = (values: Record<string, string | string[]>) =>
      alice.submitModal({ interactionId: handle.id, values });
    expect(() => submit({})).toThrow(/Modal field "short" is required/);
    expect(() => submit({ short: "ab" })).toThrow(/takes 3 to 5 characters, got 2/);
    expect(() => submit({ short: "abcdef" })).toThrow(/takes 3 to 5 characters, got 6/);
    expect(() => submit({ short: "abc", colour: "red" })).toThrow(
      /has no field "colour"; it has: short, optional/,
    );
    expect(() => submit({ short: ["abc"] })).toThrow(/takes text, got a list/);
    expect(() =>
      h.emu.as(h.world.users.bob).submitModal({ interactionId: handle.id, values: { short: "abc" } }),
    ).toThrow(/shown to another user/);

    const ok = submit({ short: "abcd" });
    const view = ok.view().data as { components: { components: { value: string }[] }[] };
    expect(view.components.map((row) => row.components[0]?.value)).toEqual(["abcd", ""]);
    expect(() => submit({ short: "abcd" })).toThrow(/already submitted/);
  });

  it("submitting needs a modal: an interaction answered otherwise refuses", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = runFree();
    await (await received).reply("no modal here");
    expect(() => h.emu.as(h.world.users.alice).submitModal({ interactionId: handle.id, values: {} })).toThrow(
      /was not answered with a modal \(callback type: 4\)/,
    );
  });

  const modalCallback = async (data: Record<string, unknown>) => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = runFree();
    await received;
    const error = await failure(
      h.client.rest.post(`/interactions/${handle.id}/${handle.token}/callback`, {
        body: { type: 9, data },
        auth: false,
      }),
    );
    // A refused modal leaves the interaction unanswered: the bot may still answer it.
    expect(handle.view().callbackType).toBeNull();
    return error;
  };
  const textRow = (input: Record<string, unknown> = {}) => ({
    type: 1,
    components: [{ type: 4, custom_id: `in${Math.random()}`, label: "L", style: 1, ...input }],
  });
  const validModal = (extra: Record<string, unknown> = {}) => ({
    custom_id: "m",
    title: "Title",
    components: [textRow()],
    ...extra,
  });

  const invalidModals: [string, Record<string, unknown>, (string | number)[], string][] = [
    ["a title over 45", validModal({ title: x(46) }), ["data", "title"], "BASE_TYPE_BAD_LENGTH"],
    ["no title", validModal({ title: undefined }), ["data", "title"], "BASE_TYPE_REQUIRED"],
    [
      "a custom id over 100",
      validModal({ custom_id: x(101) }),
      ["data", "custom_id"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    ["no components", validModal({ components: [] }), ["data", "components"], "BASE_TYPE_BAD_LENGTH"],
    [
      "six components",
      validModal({ components: Array.from({ length: 6 }, () => textRow()) }),
      ["data", "components"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "a row of two text inputs",
      validModal({
        components: [{ type: 1, components: [...textRow().components, ...textRow().components] }],
      }),
      ["data", "components", 0, "components"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "a button in a modal row",
      validModal({
        components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: "b", label: "b" }] }],
      }),
      ["data", "components", 0, "components", 0, "type"],
      "BASE_TYPE_CHOICES",
    ],
    [
      "a text input label over 45",
      validModal({ components: [textRow({ label: x(46) })] }),
      ["data", "components", 0, "components", 0, "label"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "a text input without a label in an action row",
      validModal({ components: [textRow({ label: undefined })] }),
      ["data", "components", 0, "components", 0, "label"],
      "BASE_TYPE_REQUIRED",
    ],
    [
      "a text input style 3",
      validModal({ components: [textRow({ style: 3 })] }),
      ["data", "components", 0, "components", 0, "style"],
      "BASE_TYPE_CHOICES",
    ],
    [
      "min_length over 4000",
      validModal({ components: [textRow({ min_length: 4001 })] }),
      ["data", "components", 0, "components", 0, "min_length"],
      "NUMBER_TYPE_MAX",
    ],
    [
      "max_length 0",
      validModal({ components: [textRow({ max_length: 0 })] }),
      ["data", "components", 0, "components", 0, "max_length"],
      "NUMBER_TYPE_MIN",
    ],
    [
      "a value over 4000",
      validModal({ components: [textRow({ value: x(4001) })] }),
      ["data", "components", 0, "components", 0, "value"],
      "BASE_TYPE_MAX_LENGTH",
    ],
    [
      "a placeholder over 100",
      validModal({ components: [textRow({ placeholder: x(101) })] }),
      ["data", "components", 0, "components", 0, "placeholder"],
      "BASE_TYPE_MAX_LENGTH",
    ],
    [
      "a label component's label over 45",
      validModal({
        components: [{ type: 18, label: x(46), component: { type: 4, custom_id: "a", style: 1 } }],
      }),
      ["data", "components", 0, "label"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "a label around a button",
      validModal({
        components: [{ type: 18, label: "L", component: { type: 2, style: 1, custom_id: "b", label: "b" } }],
      }),
      ["data", "components", 0, "component", "type"],
      "BASE_TYPE_CHOICES",
    ],
    [
      "two fields with one custom id",
      validModal({
        components: [
          { type: 1, components: [{ type: 4, custom_id: "same", label: "A", style: 1 }] },
          { type: 1, components: [{ type: 4, custom_id: "same", label: "B", style: 1 }] },
        ],
      }),
      ["data", "components", 1, "components", 0, "custom_id"],
      "COMPONENT_CUSTOM_ID_DUPLICATED",
    ],
  ];
  for (const [name, data, path, code] of invalidModals) {
    it(`a modal with ${name} answers 50035 naming the field`, async () => {
      expect(codesAt(await modalCallback(data), path)).toContain(code);
    });
  }

  it("a modal at the limits is accepted", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = runFree();
    await received;
    const full = (i: number) =>
      textRow({
        custom_id: `f${i}`,
        label: x(45),
        style: 2,
        min_length: 0,
        max_length: 4000,
        value: x(4000),
        placeholder: x(100),
      });
    await h.client.rest.post(`/interactions/${handle.id}/${handle.token}/callback`, {
      body: { type: 9, data: { custom_id: x(100), title: x(45), components: [0, 1, 2, 3, 4].map(full) } },
      auth: false,
    });
    expect(handle.view().modal?.components).toHaveLength(5);
  });

  it("a modal cannot answer a modal submit, and a shown modal acknowledges the interaction", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = runFree();
    const slash = await received;
    await slash.showModal({ custom_id: "m", title: "Title", components: [textInput("only")] });
    const again = await failure(
      h.client.rest.post(`/interactions/${handle.id}/${handle.token}/callback`, {
        body: { type: 4, data: { content: "too late" } },
        auth: false,
      }),
    );
    expect((again as DiscordAPIError).code).toBe(40060);

    const submitted = nextInteraction<ModalSubmitInteraction>(h, (i) => i.isModalSubmit());
    const submit = h.emu
      .as(h.world.users.alice)
      .submitModal({ interactionId: handle.id, values: { only: "x" } });
    await submitted;
    const error = await failure(
      h.client.rest.post(`/interactions/${submit.id}/${submit.token}/callback`, {
        body: { type: 9, data: validModal() },
        auth: false,
      }),
    );
    expect(codesAt(error, ["type"])).toEqual(["BASE_TYPE_CHOICES"]);
  });
});

describe("string select menus", () => {
  let h: Harness;
  let channel: TextChannel;
  beforeAll(async () => {
    h = await startHarness({ rateLimits: false });
    channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a user chooses values in a StringSelectMenuBuilder menu; discord.js gets them and updates", async () => {
    const menu = new StringSelectMenuBuilder()
      .setCustomId("omp:q:select:7")
      .setPlaceholder("Pick the files to keep")
      .setMinValues(1)
      .setMaxValues(2)
      .addOptions(
        ["a.ts", "b.ts", "c.ts"].map((f) => new StringSelectMenuOptionBuilder().setLabel(f).setValue(f)),
      );
    const question = await channel.send({
      content: "Which files?",
      components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu)],
    });
    expect(h.emu.message(question.id).components[0]?.components[0]).toMatchObject({ type: 3, max_values: 2 });

    const received = nextInteraction<StringSelectMenuInteraction>(h, (i) => i.isStringSelectMenu());
    const handle = h.emu
      .as(h.world.users.alice)
      .selectOptions({ messageId: question.id, customId: "omp:q:select:7", values: ["c.ts", "a.ts"] });
    const chosen = await received;
    expect(chosen.customId).toBe("omp:q:select:7");
    expect(chosen.values).toEqual(["c.ts", "a.ts"]);
    expect(chosen.message.id).toBe(question.id);
    expect(handle.view().data).toEqual({
      custom_id: "omp:q:select:7",
      component_type: 3,
      values: ["c.ts", "a.ts"],
    });

    await chosen.update({ content: "Answered by alice: c.ts, a.ts", components: [] });
    expect((await handle.waitForReply()).callbackType).toBe(7);
    expect(h.emu.message(question.id).components).toEqual([]);
  });

  it("a user can only choose what the menu offers, as many as it allows", async () => {
    const posted = await h.client.rest.post(`/channels/${h.world.channelId}/messages`, {
      body: { content: "pick", components: selectRow({ min_values: 1, max_values: 1 }) },
    });
    const messageId = (posted as { id: string }).id;
    const alice = h.emu.as(h.world.users.alice);
    const choose = (values: string[], customId = "pick") =>
      alice.selectOptions({ messageId, customId, values });
    expect(() => choose(["v9"])).toThrow(/has no option "v9"; it has: v1, v2/);
    expect(() => choose(["v1", "v2"])).toThrow(/takes 1 value\(s\), got 2/);
    expect(() => choose([])).toThrow(/takes 1 value\(s\), got 0/);
    expect(() => choose(["v1"], "other")).toThrow(/has no select menu "other"; it has: pick/);

    const disabled = await h.client.rest.post(`/channels/${h.world.channelId}/messages`, {
      body: { content: "off", components: selectRow({ disabled: true }) },
    });
    expect(() =>
      alice.selectOptions({ messageId: (disabled as { id: string }).id, customId: "pick", values: ["v1"] }),
    ).toThrow(/is disabled/);
  });

  const post = (components: unknown) =>
    h.client.rest.post(`/channels/${h.world.channelId}/messages`, { body: { content: "c", components } });

  const invalidSelects: [string, unknown, (string | number)[], string][] = [
    [
      "26 options",
      selectRow({ options: Array.from({ length: 26 }, (_, i) => option(i)) }),
      ["components", 0, "components", 0, "options"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "no options",
      selectRow({ options: [] }),
      ["components", 0, "components", 0, "options"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "an option label over 100",
      selectRow({ options: [{ label: x(101), value: "v" }] }),
      ["components", 0, "components", 0, "options", 0, "label"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "an option value over 100",
      selectRow({ options: [{ label: "l", value: x(101) }] }),
      ["components", 0, "components", 0, "options", 0, "value"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "an option description over 100",
      selectRow({ options: [{ label: "l", value: "v", description: x(101) }] }),
      ["components", 0, "components", 0, "options", 0, "description"],
      "BASE_TYPE_MAX_LENGTH",
    ],
    [
      "two options with one value",
      selectRow({ options: [option(1), { label: "again", value: "v1" }] }),
      ["components", 0, "components", 0, "options", 1],
      "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
    ],
    [
      "a placeholder over 150",
      selectRow({ placeholder: x(151) }),
      ["components", 0, "components", 0, "placeholder"],
      "BASE_TYPE_MAX_LENGTH",
    ],
    [
      "max_values 26",
      selectRow({ max_values: 26 }),
      ["components", 0, "components", 0, "max_values"],
      "NUMBER_TYPE_MAX",
    ],
    [
      "max_values 0",
      selectRow({ max_values: 0 }),
      ["components", 0, "components", 0, "max_values"],
      "NUMBER_TYPE_MIN",
    ],
    [
      "min_values -1",
      selectRow({ min_values: -1 }),
      ["components", 0, "components", 0, "min_values"],
      "NUMBER_TYPE_MIN",
    ],
    [
      "a custom id over 100",
      selectRow({ custom_id: x(101) }),
      ["components", 0, "components", 0, "custom_id"],
      "BASE_TYPE_BAD_LENGTH",
    ],
    [
      "a select beside a button",
      [
        {
          type: 1,
          components: [
            { type: 3, custom_id: "s", options: [option(1)] },
            { type: 2, style: 1, custom_id: "b", label: "b" },
          ],
        },
      ],
      ["components", 0, "components"],
      "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
    ],
    [
      "a button label over 80",
      [{ type: 1, components: [{ type: 2, style: 1, custom_id: "b", label: x(81) }] }],
      ["components", 0, "components", 0, "label"],
      "BASE_TYPE_MAX_LENGTH",
    ],
    [
      "a button and a select with one custom id",
      [
        { type: 1, components: [{ type: 2, style: 1, custom_id: "same", label: "b" }] },
        { type: 1, components: [{ type: 3, custom_id: "same", options: [option(1)] }] },
      ],
      ["components", 1, "components", 0, "custom_id"],
      "COMPONENT_CUSTOM_ID_DUPLICATED",
    ],
    [
      "a text input in a message",
      [{ type: 1, components: [{ type: 4, custom_id: "t", label: "t", style: 1 }] }],
      ["components", 0, "components", 0, "type"],
      "BASE_TYPE_CHOICES",
    ],
  ];
  for (const [name, components, path, code] of invalidSelects) {
    it(`a message with ${name} answers 50035 naming the field, and nothing is posted`, async () => {
      const before = h.emu.messages(h.world.channelId).length;
      expect(codesAt(await failure(post(components)), path)).toContain(code);
      expect(h.emu.messages(h.world.channelId)).toHaveLength(before);
    });
  }

  it("a select at the limits is accepted, and an edit is validated the same way", async () => {
    const full = selectRow({
      custom_id: x(100),
      placeholder: x(150),
      min_values: 25,
      max_values: 25,
      options: Array.from({ length: 25 }, (_, i) => ({
        label: x(100),
        value: `${i}`.padStart(100, "0"),
        description: x(100),
      })),
    });
    const posted = (await post(full)) as { id: string };
    const tooMany = selectRow({ options: Array.from({ length: 26 }, (_, i) => option(i)) });
    const error = await failure(
      h.client.rest.patch(`/channels/${h.world.channelId}/messages/${posted.id}`, {
        body: { components: tooMany },
      }),
    );
    expect(codesAt(error, ["components", 0, "components", 0, "options"])).toContain("BASE_TYPE_BAD_LENGTH");
    expect(h.emu.message(posted.id).history).toHaveLength(1);
  });
});

describe("modal submits follow the interaction deadlines", () => {
  it("a modal submit answered after the callback deadline fails with Unknown interaction", async () => {
    const deadlineMs = 1_000;
    const emu = await startEmulator({ interactionCallbackDeadlineMs: deadlineMs, rateLimits: false });
    try {
      const world = emu.seed();
      // Registered and answered over REST directly (no gateway client): the modal is shown well within
      // the deadline on a busy machine, then the submit is answered late on purpose.
      const rest = async (path: string, method: string, body: unknown, auth = true) => {
        const res = await fetch(`${emu.restUrl}/v10${path}`, {
          method,
          headers: {
            "Content-Type": "application/json",
            ...(auth ? { Authorization: `Bot ${emu.botToken}` } : {}),
          },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json().catch(() => ({}))) as { code?: number } };
      };
      await rest(`/applications/${emu.applicationId}/guilds/${world.guildId}/commands`, "PUT", [command]);
      const handle = emu
        .as(world.users.alice)
        .runCommand({ channelId: world.channelId, name: "ask", subcommand: "free" });
      const shown = await rest(
        `/interactions/${handle.id}/${handle.token}/callback`,
        "POST",
        {
          type: 9,
          data: { custom_id: "m", title: "t", components: [textInput("a")] },
        },
        false,
      );
      expect(shown.status).toBe(204);
      const submit = emu.as(world.users.alice).submitModal({ interactionId: handle.id, values: { a: "hi" } });
      await new Promise((r) => setTimeout(r, deadlineMs + 100));
      const late = await rest(
        `/interactions/${submit.id}/${submit.token}/callback`,
        "POST",
        { type: 4, data: { content: "late" } },
        false,
      );
      expect([late.status, late.body.code]).toEqual([404, 10062]);
    } finally {
      await emu.close();
    }
  });
});

function textInput(customId: string) {
  return { type: 1, components: [{ type: 4, custom_id: customId, label: "A", style: 1 }] };
}

describe("control API over HTTP: selects and modals", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rateLimits: false });
    await h.client.application.commands.set([command], h.world.guildId);
  });
  afterAll(async () => {
    await h?.close();
  });
  const control = async (path: string, body: unknown) => {
    const res = await fetch(`${h.emu.baseUrl}/_control/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("POST users/:id/selects and users/:id/modals act as the user", async () => {
    const alice = h.world.users.alice.id;
    const posted = (await h.client.rest.post(`/channels/${h.world.channelId}/messages`, {
      body: { content: "pick", components: selectRow({}) },
    })) as { id: string };
    const choosing = nextInteraction<StringSelectMenuInteraction>(h, (i) => i.isStringSelectMenu());
    const chose = await control(`users/${alice}/selects`, {
      messageId: posted.id,
      customId: "pick",
      values: ["v2"],
    });
    expect(chose.status).toBe(200);
    expect(chose.body.data).toMatchObject({ component_type: 3, values: ["v2"] });
    const select = await choosing;
    await select.showModal({ custom_id: "why", title: "Why?", components: [textInput("reason")] });
    await h.emu.waitForInteractionReply(String(chose.body.id));

    const refused = await control(`users/${alice}/modals`, {
      interactionId: chose.body.id,
      values: { reason: 5 },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/Expected `values`/) },
    });
    const submitting = nextInteraction<ModalSubmitInteraction>(h, (i) => i.isModalSubmit());
    const submitted = await control(`users/${alice}/modals`, {
      interactionId: chose.body.id,
      values: { reason: "because" },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body.type).toBe(5);
    expect((await submitting).fields.getTextInputValue("reason")).toBe("because");
  });
});
