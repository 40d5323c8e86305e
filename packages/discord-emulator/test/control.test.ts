import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  Events,
  MessageFlags,
  type MessageReaction,
  type PartialMessageReaction,
  type TextChannel,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { type Harness, startHarness } from "./helpers.js";

/** The CLI's source, found from here so the test does not depend on the working directory. */
const CLI = resolve(import.meta.dirname, "../src/cli.ts");

describe("control API over HTTP", () => {
  let h: Harness;
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.emu.baseUrl}/_control/${path}`, {
      method,
      ...(body ? { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {}),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & Record<string, never>[],
    };
  };
  beforeAll(async () => {
    h = await startHarness();
    await h.client.application.commands.set(
      [{ name: "omp", description: "omp", options: [{ type: 1, name: "queue", description: "queue" }] }],
      h.world.guildId,
    );
    // A bot that launches on 🚀 and answers /omp queue ephemerally, the way ompcord will.
    h.client.on(Events.MessageReactionAdd, async (reaction: MessageReaction | PartialMessageReaction) => {
      if (reaction.emoji.name !== "🚀") return;
      const message = await reaction.message.fetch();
      const thread = await message.startThread({ name: `Run: ${message.content}` });
      const dashboard = await thread.send({ embeds: [{ title: "Busy" }] });
      await dashboard.pin();
      await dashboard.edit({ embeds: [{ title: "Idle" }] });
    });
    h.client.on(Events.InteractionCreate, async (interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.reply({ content: "Queue is empty", flags: MessageFlags.Ephemeral });
      }
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("info names the REST URL and token", async () => {
    const { body } = await control("GET", "info");
    expect(body).toMatchObject({ restUrl: h.emu.restUrl, botToken: h.emu.botToken });
  });

  it("a 🚀 reaction driven over HTTP yields a thread with a pinned, edited dashboard", async () => {
    const alice = h.world.users.alice.id;
    const posted = await control("POST", `users/${alice}/messages`, {
      channelId: h.world.channelId,
      content: "fix bug",
    });
    await control("POST", `users/${alice}/reactions`, {
      channelId: h.world.channelId,
      messageId: posted.body.id,
      emoji: "🚀",
    });
    const thread = await control("POST", "wait/thread", {
      parentId: h.world.channelId,
      nameIncludes: "fix bug",
    });
    expect(thread.body.name).toBe("Run: fix bug");
    const dashboard = await control("POST", "wait/message", {
      channelId: thread.body.id,
      pinned: true,
      edited: true,
      embedTitleIncludes: "Idle",
    });
    expect(dashboard.status).toBe(200);
    expect(
      (dashboard.body.history as unknown as { embeds: { title: string }[] }[]).map((v) => v.embeds[0]?.title),
    ).toEqual(["Busy", "Idle"]);
    const pins = await control("GET", `channels/${thread.body.id}/pins`);
    expect(pins.body.map((m) => m.id)).toEqual([dashboard.body.id]);
  });

  it("a slash command driven over HTTP returns the ephemeral reply", async () => {
    const started = await control("POST", `users/${h.world.users.bob.id}/commands`, {
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "queue",
    });
    const reply = await control("POST", `interactions/${started.body.id}/wait-reply`, {
      timeoutMs: 30_000,
    });
    expect(reply.body.original).toMatchObject({ content: "Queue is empty", ephemeral: true });
  });

  it("a wait that times out answers 408 with what it saw", async () => {
    const res = await control("POST", "wait/message", { contentIncludes: "never posted", timeoutMs: 50 });
    expect(res.status).toBe(408);
    expect(String(res.body.error)).toMatch(/waitForMessage timed out after 50 ms/);
  });

  it("counters and faults are reachable", async () => {
    const counters = await control("GET", "counters");
    expect((counters.body.requests as unknown as Record<string, number>)["GET /gateway/bot"]).toBe(1);
    await control("POST", "faults/fail-next", { count: 1, status: 502 });
    const channel = h.client.channels.cache.get(h.world.channelId) as TextChannel;
    await channel.send("survives a 502");
    expect(h.emu.counters.injectedFailures).toBe(1);
    const unknown = await control("GET", "nope");
    expect(unknown.status).toBe(404);
  });
});

describe("lifecycle", () => {
  it("many instances run at once on their own ports and close without leaking handles", async () => {
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
    const before = servers();
    const sockets = process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    const emus = await Promise.all(Array.from({ length: 4 }, () => startEmulator()));
    expect(new Set(emus.map((e) => e.baseUrl)).size).toBe(4);
    expect(servers()).toBe(before + 4);
    await Promise.all(emus.map((e) => e.close()));
    // libuv releases closed handles a loop turn or two after close() resolves.
    for (let i = 0; i < 50 && servers() > before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(servers()).toBeLessThanOrEqual(before);
    expect(process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length).toBeLessThanOrEqual(
      sockets,
    );
  });

  it("waitFor sees a condition on state outside the emulator change without any emulator event", async () => {
    const emu = await startEmulator();
    // A bot's database row, a file: it changes after the last request the emulator served.
    let outside: string | undefined;
    setTimeout(() => {
      outside = "settled";
    }, 50);
    const seen = await emu.waitFor(() => outside, { timeoutMs: 10_000, what: "outside state" });
    expect(seen).toBe("settled");
    await emu.close();
  });

  it("closing the emulator ends pending waits at once", async () => {
    const emu = await startEmulator();
    const waiting = emu.waitForMessage(() => false, { timeoutMs: 60_000 });
    await emu.close();
    await expect(waiting).rejects.toThrow(/waitForMessage ended: the emulator was closed/);
  });

  it("the CLI prints the REST URL, a token and seeded ids, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "--json"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
    const details = JSON.parse(line) as Record<string, string>;
    expect(details.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(details.botToken).toBeTruthy();
    expect(details.guildId).toMatch(/^\d+$/);
    const info = await fetch(`${details.controlUrl}/info`).then((r) => r.json());
    expect(info).toMatchObject({ botToken: details.botToken });
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
