import { ChannelType, Events, type Guild } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, nextEvent, startHarness } from "./helpers.js";

describe("login and caches", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("an unmodified discord.js client logs in as the bot user", () => {
    expect(h.client.user.id).toBe(h.emu.botUser.id);
    expect(h.client.application.id).toBe(h.emu.applicationId);
  });

  it("fills the guild, channel and member caches from GUILD_CREATE", () => {
    const guild = h.client.guilds.cache.get(h.world.guildId);
    expect(guild?.name).toBe("ompcord-dev");
    const channel = guild?.channels.cache.get(h.world.channelId);
    expect(channel?.type).toBe(ChannelType.GuildText);
    expect(guild?.members.cache.has(h.world.users.alice.id)).toBe(true);
    expect(guild?.roles.everyone.id).toBe(h.world.guildId);
  });

  it("answers users/@me and guild fetches over REST", async () => {
    const app = await h.client.application.fetch();
    expect(app.id).toBe(h.emu.applicationId);
    const member = await h.client.guilds.cache
      .get(h.world.guildId)!
      .members.fetch({ user: h.world.users.bob.id, force: true });
    expect(member.user.username).toBe("bob");
    expect(h.emu.counters.requests["GET /gateway/bot"]).toBe(1);
  });

  it("a guild created after login arrives as GUILD_CREATE with its channels", async () => {
    const joined = nextEvent<[Guild]>(h.client, Events.GuildCreate);
    const guild = h.emu.createGuild({ name: "second" });
    const [received] = await joined;
    expect(received.id).toBe(guild.id);
    const channel = h.emu.createChannel({ guildId: guild.id, name: "general" });
    const created = await h.client.channels.fetch(channel.id);
    expect(created?.id).toBe(channel.id);
  });

  it("fetching all members goes through the gateway (op 8) and is answered with a chunk", async () => {
    const guild = h.client.guilds.cache.get(h.world.guildId)!;
    const members = await guild.members.fetch({ time: 30_000 });
    expect(members.map((m) => m.user.username).sort()).toEqual(["alice", "bob", "ompcord"]);
  });
});
