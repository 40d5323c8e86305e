import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  DiscordAPIError,
  Events,
  type Interaction,
  MessageFlags,
  SlashCommandBuilder,
  type TextChannel,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { type Harness, loggedInClient, nextEvent, startHarness } from "./helpers.js";

const omp = new SlashCommandBuilder()
  .setName("omp")
  .setDescription("OMP sessions")
  .addSubcommand((s) =>
    s
      .setName("say")
      .setDescription("queue a prompt")
      .addStringOption((o) => o.setName("prompt").setDescription("text").setRequired(true)),
  )
  .addSubcommand((s) =>
    s
      .setName("new")
      .setDescription("new session")
      .addStringOption((o) => o.setName("prompt").setDescription("text").setRequired(true))
      .addStringOption((o) => o.setName("name").setDescription("thread name")),
  )
  .addSubcommand((s) => s.setName("status").setDescription("status"));

const nextInteraction = <T extends Interaction>(h: Harness, accept: (i: Interaction) => boolean) =>
  nextEvent<[T]>(h.client, Events.InteractionCreate, (i) => accept(i as Interaction)).then(([i]) => i);

describe("slash commands and buttons", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.client.application.commands.set([omp.toJSON()], h.world.guildId);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("registers commands with a bulk overwrite and lists them", async () => {
    const listed = await h.client.application.commands.fetch({ guildId: h.world.guildId });
    expect(listed.map((c) => c.name)).toEqual(["omp"]);
    expect(h.emu.counters.requests["PUT /applications/:application_id/guilds/:guild_id/commands"]).toBe(1);
  });

  it("refuses to run a command the bot never registered", () => {
    expect(() =>
      h.emu.as(h.world.users.alice).runCommand({ channelId: h.world.channelId, name: "nope" }),
    ).toThrow(/\/nope is not registered/);
  });

  it("refuses options the command does not define or of the wrong type", () => {
    const alice = h.emu.as(h.world.users.alice);
    const run = (options: Record<string, string | number>) =>
      alice.runCommand({ channelId: h.world.channelId, name: "omp", subcommand: "say", options });
    expect(() => run({ prompt: 5 })).toThrow(/option "prompt" takes a string, got `5`/);
    expect(() => run({ prompt: "x", colour: "red" })).toThrow(/has no option "colour"; it has: prompt/);
    expect(() => run({})).toThrow(/needs option "prompt"/);
    expect(() => alice.runCommand({ channelId: h.world.channelId, name: "omp" })).toThrow(
      /\/omp needs a Subcommand: say, new, status/,
    );
  });

  it("a subcommand with options answered with deferReply then editReply", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = h.emu.as(h.world.users.alice).runCommand({
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "new",
      options: { prompt: "write a parser", name: "parser" },
    });
    const interaction = await received;
    expect(interaction.commandName).toBe("omp");
    expect(interaction.options.getSubcommand()).toBe("new");
    expect(interaction.options.getString("prompt")).toBe("write a parser");
    expect(interaction.options.getString("name")).toBe("parser");
    expect(interaction.user.id).toBe(h.world.users.alice.id);

    await interaction.deferReply();
    expect(handle.view()).toMatchObject({ callbackType: 5, deferred: true });
    await interaction.editReply("Session started");
    const reply = await handle.waitForReply();
    expect(reply.original?.content).toBe("Session started");
    expect(reply.original?.ephemeral).toBe(false);
    expect(h.emu.messages(h.world.channelId).some((m) => m.id === reply.original?.id)).toBe(true);
  });

  it("an ephemeral reply is readable on the interaction and absent from the channel", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = h.emu.as(h.world.users.bob).runCommand({
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "status",
    });
    const interaction = await received;
    await interaction.reply({ content: "Not allowed here", flags: MessageFlags.Ephemeral });
    const reply = await h.emu.waitForInteractionReply(handle.id);
    expect(reply.original).toMatchObject({ content: "Not allowed here", ephemeral: true });
    expect(h.emu.messages(h.world.channelId).some((m) => m.content === "Not allowed here")).toBe(false);

    await interaction.followUp({ content: "queue: empty", flags: MessageFlags.Ephemeral });
    expect(handle.view().followUps.map((m) => [m.content, m.ephemeral])).toEqual([["queue: empty", true]]);
  });

  it("a button click answered with update edits the message it is on", async () => {
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId("omp:cancel").setLabel("Cancel").setStyle(ButtonStyle.Secondary),
      new ButtonBuilder().setCustomId("omp:stop").setLabel("Stop").setStyle(ButtonStyle.Danger),
    );
    const dashboard = await channel.send({ embeds: [{ title: "Busy" }], components: [row] });

    const received = nextInteraction<ButtonInteraction>(h, (i) => i.isButton());
    const handle = h.emu
      .as(h.world.users.alice)
      .clickButton({ messageId: dashboard.id, customId: "omp:cancel" });
    const click = await received;
    expect(click.customId).toBe("omp:cancel");
    expect(click.message.id).toBe(dashboard.id);
    await click.update({ embeds: [{ title: "Cancelling" }], components: [] });

    const view = await handle.waitForReply();
    expect(view.callbackType).toBe(7);
    expect(h.emu.message(dashboard.id).embeds[0]?.title).toBe("Cancelling");
    expect(h.emu.message(dashboard.id).components).toEqual([]);
    expect(() =>
      h.emu.as(h.world.users.alice).clickButton({ messageId: dashboard.id, customId: "omp:stop" }),
    ).toThrow(/has no button "omp:stop"/);
  });

  it("a button answered with deferUpdate, then a message edit", async () => {
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId("omp:stop").setLabel("Stop").setStyle(ButtonStyle.Danger),
    );
    const dashboard = await channel.send({ embeds: [{ title: "Busy" }], components: [row] });
    const received = nextInteraction<ButtonInteraction>(h, (i) => i.isButton());
    const handle = h.emu
      .as(h.world.users.alice)
      .clickButton({ messageId: dashboard.id, customId: "omp:stop" });
    const click = await received;
    await click.deferUpdate();
    expect(handle.view()).toMatchObject({ callbackType: 6, deferred: true });
    await dashboard.edit({ embeds: [{ title: "Stopped" }], components: [] });
    const view = await handle.waitForReply();
    expect(view.message?.embeds[0]?.title).toBe("Stopped");
    // After deferUpdate, @original is the message the button was on.
    await click.editReply({ embeds: [{ title: "Stopped by alice" }] });
    expect(h.emu.message(dashboard.id).embeds[0]?.title).toBe("Stopped by alice");
  });

  it("a public deferral deleted and followed up privately leaves only an ephemeral message", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = h.emu.as(h.world.users.alice).runCommand({
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "say",
      options: { prompt: "not a session" },
    });
    const interaction = await received;
    await interaction.deferReply();
    await interaction.deleteReply();
    await interaction.followUp({ content: "This thread is not a session", flags: MessageFlags.Ephemeral });
    const view = await handle.waitForReply();
    expect(view.original?.deleted).toBe(true);
    expect(view.followUps.map((m) => [m.content, m.ephemeral])).toEqual([
      ["This thread is not a session", true],
    ]);
  });

  it("after an ephemeral deferral the first follow-up fills in the loading message", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = h.emu.as(h.world.users.alice).runCommand({
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "status",
    });
    const interaction = await received;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    expect(handle.view().original).toMatchObject({ ephemeral: true, flags: 64 | 128 });
    await interaction.followUp("status: ok");
    const view = await handle.waitForReply();
    expect(view.original).toMatchObject({ content: "status: ok", ephemeral: true, flags: 64 });
    expect(view.followUps).toEqual([]);
  });

  it("a callback after Discord's 3 seconds fails with Unknown interaction", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = h.emu.as(h.world.users.alice).runCommand({
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "say",
      options: { prompt: "late" },
    });
    const interaction = await received;
    await new Promise((r) => setTimeout(r, 3_100));
    const error = await interaction.reply("too late").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(10062);
    expect((error as DiscordAPIError).status).toBe(404);
    expect(handle.view().callbackType).toBeNull();
  });

  it("a second acknowledgement fails with 40060", async () => {
    const received = nextInteraction<ChatInputCommandInteraction>(h, (i) => i.isChatInputCommand());
    const handle = h.emu.as(h.world.users.alice).runCommand({
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "status",
    });
    const interaction = await received;
    await interaction.reply("ok");
    const error = await h.client.rest
      .post(`/interactions/${handle.id}/${handle.token}/callback`, {
        body: { type: 4, data: { content: "again" } },
        auth: false,
      })
      .catch((e: unknown) => e);
    expect((error as DiscordAPIError).code).toBe(40060);
  });
});

describe("interaction token lifetime", () => {
  it("editing a reply after the token expired fails with Invalid Webhook Token", async () => {
    const emu = await startEmulator({ interactionTokenLifetimeMs: 300 });
    const world = emu.seed();
    const client = await loggedInClient(emu);
    try {
      await client.application.commands.set([omp.toJSON()], world.guildId);
      const received = nextEvent<[ChatInputCommandInteraction]>(client, Events.InteractionCreate);
      emu.as(world.users.alice).runCommand({ channelId: world.channelId, name: "omp", subcommand: "status" });
      const [interaction] = await received;
      await interaction.deferReply();
      await new Promise((r) => setTimeout(r, 400));
      const error = await interaction.editReply("done").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DiscordAPIError);
      expect((error as DiscordAPIError).code).toBe(50027);
    } finally {
      await client.destroy();
      await emu.close();
    }
  });
});
