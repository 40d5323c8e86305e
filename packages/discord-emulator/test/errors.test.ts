import { DiscordAPIError, type TextChannel } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers.js";

const x = (n: number) => "x".repeat(n);

describe("Discord-shaped errors surface as DiscordAPIError", () => {
  let h: Harness;
  let channel: TextChannel;
  beforeAll(async () => {
    h = await startHarness({ rateLimits: false });
    channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
  });
  afterAll(async () => {
    await h?.close();
  });

  const failure = async (action: Promise<unknown>): Promise<DiscordAPIError> => {
    const error = await action.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordAPIError);
    return error as DiscordAPIError;
  };

  const invalidBodies: [string, Parameters<TextChannel["send"]>[0], string[]][] = [
    ["content over 2000", { content: x(2001) }, ["content"]],
    ["embed title over 256", { embeds: [{ title: x(257) }] }, ["embeds", "0", "title"]],
    ["embed description over 4096", { embeds: [{ description: x(4097) }] }, ["embeds", "0", "description"]],
    [
      "more than 25 fields",
      { embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: "n", value: "v" })) }] },
      ["embeds", "0", "fields"],
    ],
    [
      "field name over 256",
      { embeds: [{ fields: [{ name: x(257), value: "v" }] }] },
      ["embeds", "0", "fields", "0", "name"],
    ],
    [
      "field value over 1024",
      { embeds: [{ fields: [{ name: "n", value: x(1025) }] }] },
      ["embeds", "0", "fields", "0", "value"],
    ],
    ["footer over 2048", { embeds: [{ footer: { text: x(2049) } }] }, ["embeds", "0", "footer", "text"]],
    [
      "6000 chars across embeds",
      { embeds: [{ description: x(4000) }, { description: x(2001) }] },
      ["embeds"],
    ],
    ["more than 10 embeds", { embeds: Array.from({ length: 11 }, () => ({ title: "t" })) }, ["embeds"]],
  ];

  for (const [name, body, path] of invalidBodies) {
    it(`${name} answers 400 Invalid Form Body (50035) naming the field`, async () => {
      const error = await failure(channel.send(body));
      expect(error.status).toBe(400);
      expect(error.code).toBe(50035);
      let node = (error.rawError as { errors: Record<string, unknown> }).errors;
      for (const key of path) node = node[key] as Record<string, unknown>;
      expect(node._errors).toBeInstanceOf(Array);
    });
  }

  it("a thread name over 100 chars answers 50035", async () => {
    const message = await channel.send("starter");
    const error = await failure(message.startThread({ name: x(101) }));
    expect(error.code).toBe(50035);
    expect(Object.keys((error.rawError as { errors: object }).errors)).toEqual(["name"]);
  });

  it("the same limits apply to edits", async () => {
    const message = await channel.send("short");
    const error = await failure(message.edit({ embeds: [{ title: x(300) }] }));
    expect(error.code).toBe(50035);
    expect(h.emu.message(message.id).history).toHaveLength(1);
  });

  it("counts every validation error served", () => {
    expect(h.emu.counters.validationErrors).toBe(invalidBodies.length + 2);
  });

  it("an unknown channel answers 404 with 10003", async () => {
    const error = await failure(
      h.client.rest.post("/channels/1234567890/messages", { body: { content: "hi" } }),
    );
    expect([error.status, error.code]).toEqual([404, 10003]);
  });

  it("an unknown message answers 404 with 10008", async () => {
    const error = await failure(channel.messages.fetch({ message: "1234567890", force: true }));
    expect([error.status, error.code]).toEqual([404, 10008]);
  });

  it("a channel hidden from the bot answers 403 Missing Access (50001)", async () => {
    const hidden = h.emu.createChannel({ guildId: h.world.guildId, name: "staff", hiddenFromBot: true });
    const error = await failure(
      h.client.rest.post(`/channels/${hidden.id}/messages`, { body: { content: "hi" } }),
    );
    expect([error.status, error.code]).toEqual([403, 50001]);
  });

  it("an empty message, or an edit that empties one, answers 50006", async () => {
    const error = await failure(
      h.client.rest.post(`/channels/${channel.id}/messages`, { body: { content: "" } }),
    );
    expect(error.code).toBe(50006);
    const message = await channel.send("not empty");
    expect((await failure(message.edit({ content: "" }))).code).toBe(50006);
  });

  it("a route the emulator does not know answers 404 and is counted by its shape", async () => {
    const error = await failure(h.client.rest.get(`/channels/${channel.id}/webhooks`));
    expect(error.status).toBe(404);
    expect(h.emu.counters.requests["GET /channels/:id/webhooks (unknown route)"]).toBe(1);
  });
});
