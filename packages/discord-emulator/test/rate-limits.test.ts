import { AttachmentBuilder, DiscordAPIError, HTTPError, type TextChannel } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers.js";

describe("rate limits and injected faults", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("six quick edits in one channel meet exactly one 429, which discord.js waits out", async () => {
    h = await startHarness();
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    const message = await channel.send("dashboard v0");
    const edits = await Promise.all(Array.from({ length: 6 }, (_, i) => message.edit(`dashboard v${i + 1}`)));
    expect(edits.map((m) => m.content)).toEqual(Array.from({ length: 6 }, (_, i) => `dashboard v${i + 1}`));
    const counters = h.emu.counters;
    expect(counters.rateLimited).toBe(1);
    expect(counters.rateLimitedByScope).toEqual({ shared: 1 });
    expect(counters.requests["PATCH /channels/:channel_id/messages/:message_id"]).toBe(7);
    expect(h.emu.message(message.id).history.map((v) => v.content)).toEqual([
      "dashboard v0",
      ...edits.map((m) => m.content),
    ]);
  }, 60_000);

  it("route buckets are advertised in Discord's headers and a 429 carries retry_after", async () => {
    h = await startHarness({ rateLimits: { messageCreate: { limit: 2, windowMs: 60_000 } } });
    const url = `${h.emu.restUrl}/v10/channels/${h.world.channelId}/messages`;
    const post = () =>
      fetch(url, {
        method: "POST",
        headers: { Authorization: `Bot ${h!.emu.botToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ content: "hi" }),
      });
    const first = await post();
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(first.headers.get("x-ratelimit-bucket")).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(first.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(0);
    await post();
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await limited.json()) as { message: string; retry_after: number; global: boolean };
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(0);
  });

  it("more than 50 bot requests within the global window meet the global limit", async () => {
    // 55 requests at once arrive over more than a second on a loaded machine and could straddle the
    // default 1 s window; a minute-long window keeps them in one (the 1 s default: rate-limiter.test.ts).
    h = await startHarness({ rateLimits: { global: { limit: 50, windowMs: 60_000 } } });
    const get = () =>
      fetch(`${h!.emu.restUrl}/v10/users/@me`, { headers: { Authorization: `Bot ${h!.emu.botToken}` } });
    const responses = await Promise.all(Array.from({ length: 55 }, get));
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.headers.get("x-ratelimit-global")).toBe("true");
    expect(((await limited[0]!.json()) as { global: boolean }).global).toBe(true);
    expect(h.emu.counters.rateLimitedByScope.global).toBe(limited.length);
  });

  it("injected 5xx failures are retried by discord.js until they run out", async () => {
    h = await startHarness();
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    h.emu.faults.failNextRequests(2, { route: "POST /channels" });
    const sent = await channel.send("after two failures");
    expect(sent.content).toBe("after two failures");
    expect(h.emu.counters.injectedFailures).toBe(2);

    h.emu.faults.failNextRequests(4, { status: 503 });
    const error = await channel.send("never").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(503);
  });

  it("injects a 4xx with Discord's error code, and can fail only the uploads", async () => {
    h = await startHarness();
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    h.emu.faults.failNextRequests(1, { status: 403, code: 50001, route: "POST /channels" });
    const refused = await channel.send("not allowed").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect((refused as DiscordAPIError).status).toBe(403);
    expect((refused as DiscordAPIError).code).toBe(50001);

    h.emu.faults.failNextRequests(4, { status: 500, uploadsOnly: true });
    const plain = await channel.send("no files here");
    expect(plain.content).toBe("no files here");
    const upload = await channel
      .send({ content: "with a file", files: [new AttachmentBuilder(Buffer.from("x"), { name: "a.txt" })] })
      .catch((e: unknown) => e);
    expect(upload).toBeInstanceOf(HTTPError);
    expect(h.emu.counters.injectedFailures).toBe(5);
    expect(() => h!.emu.faults.failNextRequests(1, { status: 429 })).toThrow(
      /Expected `status` to be a 4xx \(not 429\) or 5xx status, got `429`/,
    );
  });

  it("fails only the requests for one channel when given its id, leaving every other channel's alone", async () => {
    h = await startHarness();
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    const other = h.emu.createChannel({ guildId: h.world.guildId, name: "other" });
    const otherChannel = (await h.client.channels.fetch(other.id)) as TextChannel;
    h.emu.faults.failNextRequests(1, { status: 403, code: 50001, channelId: channel.id });
    // Another channel's message goes through and leaves the failure in place for the named channel.
    const elsewhere = await otherChannel.send("elsewhere");
    expect(elsewhere.content).toBe("elsewhere");
    expect(h.emu.counters.injectedFailures).toBe(0);
    const refused = await channel.send("refused").catch((e: unknown) => e);
    expect((refused as DiscordAPIError).status).toBe(403);
    expect(h.emu.counters.injectedFailures).toBe(1);
    expect(() => h!.emu.faults.failNextRequests(1, { channelId: "general" })).toThrow(
      /Expected `channelId` to be a snowflake, got `general`/,
    );
  });

  it("added latency delays every REST answer", async () => {
    h = await startHarness();
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    h.emu.faults.setLatency(150);
    const started = performance.now();
    await channel.send("slow");
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(() => h!.emu.faults.failNextRequests(0)).toThrow(
      /Expected `count` to be an integer from 1 and up, got `0`/,
    );
  });
});
