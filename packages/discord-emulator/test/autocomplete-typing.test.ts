// Autocomplete interactions (type 4, answered with callback type 8) through discord.js, validated as
// Discord does, and the typing indicator recorded where tests can see it.

import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  DiscordAPIError,
  Events,
  type Interaction,
  SlashCommandBuilder,
  type TextChannel,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, nextEvent, startHarness } from "./helpers.js";

const pick = new SlashCommandBuilder()
  .setName("pick")
  .setDescription("pick things")
  .addSubcommand((s) =>
    s
      .setName("model")
      .setDescription("pick a model")
      .addStringOption((o) => o.setName("prompt").setDescription("text").setRequired(true))
      .addStringOption((o) => o.setName("model").setDescription("model").setAutocomplete(true))
      .addStringOption((o) => o.setName("plain").setDescription("not autocompleted")),
  );

const nextInteraction = <T extends Interaction>(h: Harness, accept: (i: Interaction) => boolean) =>
  nextEvent<[T]>(h.client, Events.InteractionCreate, (i) => accept(i as Interaction)).then(([i]) => i);

describe("autocomplete", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.client.application.commands.set([pick.toJSON()], h.world.guildId);
  });
  afterAll(async () => {
    await h?.close();
  });

  const typeIn = (typed: string, options: Record<string, string> = {}) =>
    h.emu.as(h.world.users.alice).autocomplete({
      channelId: h.world.channelId,
      name: "pick",
      subcommand: "model",
      focused: "model",
      options: { ...options, model: typed },
    });

  it("reaches discord.js as an autocomplete with the focused option and the text so far, required options missing", async () => {
    const arrived = nextInteraction<AutocompleteInteraction>(h, (i) => i.isAutocomplete());
    const handle = typeIn("gp");
    const interaction = await arrived;
    expect(interaction.options.getSubcommand()).toBe("model");
    expect(interaction.options.getFocused(true)).toMatchObject({ name: "model", value: "gp" });
    expect(interaction.options.getString("prompt")).toBeNull();
    await interaction.respond([
      { name: "openai/gpt-5", value: "openai/gpt-5" },
      { name: "GPT mini", value: "openai/gpt-5-mini" },
    ]);
    const view = await handle.waitForReply({ timeoutMs: 10_000 });
    expect(view.callbackType).toBe(8);
    expect(view.choices).toEqual([
      { name: "openai/gpt-5", value: "openai/gpt-5" },
      { name: "GPT mini", value: "openai/gpt-5-mini" },
    ]);
  });

  it.each([
    ["26 choices", Array.from({ length: 26 }, (_, i) => ({ name: `m${i}`, value: `m${i}` })), "choices"],
    ["a name of 101 characters", [{ name: "n".repeat(101), value: "v" }], "name"],
    ["an empty name", [{ name: "", value: "v" }], "name"],
    ["a value of 101 characters", [{ name: "n", value: "v".repeat(101) }], "value"],
  ])("refuses %s with 50035, as Discord does", async (_what, choices, field) => {
    const arrived = nextInteraction<AutocompleteInteraction>(h, (i) => i.isAutocomplete());
    const handle = typeIn("x");
    const interaction = await arrived;
    const error = await interaction.respond(choices).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect(JSON.stringify((error as DiscordAPIError).rawError)).toContain(field);
    expect(handle.view().choices).toBeNull();
  });

  it("an autocomplete cannot be answered with a message, nor a command with choices", async () => {
    const arrived = nextInteraction<AutocompleteInteraction>(h, (i) => i.isAutocomplete());
    const handle = typeIn("x");
    const interaction = await arrived;
    const token = handle.token;
    const response = await fetch(`${h.emu.restUrl}/v10/interactions/${interaction.id}/${token}/callback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: 4, data: { content: "hi" } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: number }).code).toBe(50035);

    const command = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    h.emu.as(h.world.users.alice).runCommand({
      channelId: h.world.channelId,
      name: "pick",
      subcommand: "model",
      options: { prompt: "p" },
    });
    const ran = await command;
    const refused = await ran.client.rest
      .post(`/interactions/${ran.id}/${ran.token}/callback`, {
        body: { type: 8, data: { choices: [] } },
        auth: false,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((refused as DiscordAPIError).code).toBe(50035);
  });

  it("the actor refuses to autocomplete an option that is not autocompleted", () => {
    expect(() =>
      h.emu.as(h.world.users.alice).autocomplete({
        channelId: h.world.channelId,
        name: "pick",
        subcommand: "model",
        focused: "plain",
      }),
    ).toThrow(/not autocompleted/);
  });
});

describe("the typing indicator", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("records each POST /channels/:id/typing with the channel and the bot", async () => {
    const channel = (await h.client.channels.fetch(h.world.channelId)) as TextChannel;
    expect(h.emu.typingIn(channel.id)).toEqual([]);
    await channel.sendTyping();
    await channel.sendTyping();
    const typing = h.emu.typingIn(channel.id);
    expect(typing).toHaveLength(2);
    expect(typing[0]!.userId).toBe(h.client.user.id);
    expect(h.emu.counters.requests["POST /channels/:channel_id/typing"]).toBe(2);
  });
});
