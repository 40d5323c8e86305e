// The emulator as a host for a playground: a guard that judges every request and gateway upgrade before
// routing, change notifications by id for a page that mirrors the world, and the registered commands.

import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type EmulatorArea, type EmulatorChange, startEmulator } from "../src/index.js";
import { type Harness, startHarness } from "./helpers.js";

describe("a guard on the emulator's server", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("is asked about every request with the area it is for, and its refusal is the answer", async () => {
    const seen: { area: EmulatorArea; path: string }[] = [];
    h = await startHarness({
      guard: (request: IncomingMessage, area: EmulatorArea) => {
        seen.push({ area, path: new URL(request.url ?? "/", "http://x").pathname });
        return area === "control" ? { status: 403, message: "control needs the key" } : undefined;
      },
    });
    // The discord.js client logged in through the guard: REST and the gateway were let in.
    expect(seen.some((s) => s.area === "rest")).toBe(true);
    expect(seen.some((s) => s.area === "gateway")).toBe(true);

    const control = await fetch(`${h.emu.baseUrl}/_control/info`);
    expect(control.status).toBe(403);
    expect(await control.json()).toEqual({ message: "control needs the key", code: 0 });
    const other = await fetch(`${h.emu.baseUrl}/favicon.ico`);
    expect(other.status).toBe(404);
    expect(seen.at(-1)).toEqual({ area: "other", path: "/favicon.ico" });
  });

  it("refuses a gateway upgrade with the guard's status, before any HELLO", async () => {
    const emu = await startEmulator({
      guard: (_request, area) => (area === "gateway" ? { status: 403, message: "no" } : undefined),
    });
    try {
      const ws = new WebSocket(emu.gatewayUrl);
      const status = await new Promise<number>((resolve, reject) => {
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => reject(new Error("the refused upgrade opened")));
        ws.on("error", () => undefined);
      });
      expect(status).toBe(403);
      expect(emu.counters.gateway.connections).toBe(0);
    } finally {
      await emu.close();
    }
  });
});

describe("a cap on message history", () => {
  it("keeps the first and the newest versions of an edited message", async () => {
    const emu = await startEmulator({ messageHistoryLimit: 3 });
    try {
      const { channelId, users } = emu.seed();
      const alice = emu.as(users.alice);
      const message = alice.postMessage(channelId, "v0");
      for (let i = 1; i <= 5; i++) alice.editMessage(message.id, `v${i}`);
      expect(emu.message(message.id).history.map((v) => v.content)).toEqual(["v0", "v4", "v5"]);
      expect(emu.message(message.id).content).toBe("v5");
    } finally {
      await emu.close();
    }
  });

  it("refuses a cap that would drop the first or the current version", async () => {
    await expect(startEmulator({ messageHistoryLimit: 1 })).rejects.toThrow(
      "Expected `messageHistoryLimit` to be an integer from 2 up, got `1`",
    );
  });
});

describe("change notifications and registered commands", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("names the message, channel and user of each change, until unsubscribed", async () => {
    h = await startHarness();
    const { emu, world } = h;
    const changes: EmulatorChange[] = [];
    const stop = emu.onChange((change) => changes.push(change));
    const message = emu.as(world.users.alice).postMessage(world.channelId, "hello");
    emu.as(world.users.alice).react(world.channelId, message.id, "🚀");
    stop();
    emu.as(world.users.alice).postMessage(world.channelId, "after unsubscribing");
    expect(changes).toEqual([
      { kind: "messageCreate", channelId: world.channelId, messageId: message.id },
      {
        kind: "reactionAdd",
        channelId: world.channelId,
        messageId: message.id,
        userId: world.users.alice.id,
      },
    ]);
  });

  it("lists the commands the bot registered in a guild, as copies", async () => {
    h = await startHarness();
    const { emu, world, client } = h;
    expect(emu.commands(world.guildId)).toEqual([]);
    await client.application.commands.set(
      [{ name: "omp", description: "agent", options: [{ type: 1, name: "new", description: "start" }] }],
      world.guildId,
    );
    const [command] = emu.commands(world.guildId);
    expect(command).toMatchObject({ name: "omp", options: [{ name: "new" }] });
    command!.name = "changed";
    expect(emu.commands(world.guildId)[0]!.name).toBe("omp");
    expect(emu.commands()).toEqual([]);
  });
});
