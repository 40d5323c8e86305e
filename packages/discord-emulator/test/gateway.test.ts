import zlib from "node:zlib";
import { type Client, Events, GatewayIntentBits, type Message } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type Emulator, startEmulator } from "../src/index.js";
import { type Harness, loggedInClient, startHarness } from "./helpers.js";

/** Resolves once `done()` holds, polling: for conditions on the client side, which the emulator cannot see. */
async function until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function rawGateway(emu: Emulator, query = "v=10&encoding=json") {
  const ws = new WebSocket(`${emu.gatewayUrl}?${query}`);
  const frames: Buffer[] = [];
  ws.on("message", (data: Buffer) => frames.push(data));
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  const opened = new Promise<void>((resolve) => ws.on("open", () => resolve()));
  return { ws, frames, closed, opened };
}

describe("gateway sessions", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("a dropped connection resumes and replays every event sent meanwhile", async () => {
    h = await startHarness();
    const received: string[] = [];
    h.client.on(Events.MessageCreate, (m: Message) => received.push(m.content));
    const resumed = new Promise<void>((resolve) => h!.client.once(Events.ShardResume, () => resolve()));

    expect(h.emu.faults.dropGateway()).toBe(1);
    const alice = h.emu.as(h.world.users.alice);
    const sent = Array.from(
      { length: 5 },
      (_, i) => alice.postMessage(h!.world.channelId, `while away ${i}`).content,
    );
    await resumed;
    await until(() => received.length >= 5, "the replayed messages");

    expect(received).toEqual(sent);
    expect(h.emu.counters.gateway).toMatchObject({ identifies: 1, resumes: 1, invalidSessions: 0 });
    alice.postMessage(h.world.channelId, "after resume");
    await until(() => received.includes("after resume"), "a message after the resume");
  }, 60_000);

  it("op 7 Reconnect makes the client reconnect and resume", async () => {
    h = await startHarness();
    const resumed = new Promise<void>((resolve) => h!.client.once(Events.ShardResume, () => resolve()));
    expect(h.emu.faults.requestReconnect()).toBe(1);
    await resumed;
    expect(h.emu.counters.gateway).toMatchObject({ connections: 2, identifies: 1, resumes: 1 });
  });

  it("a session that cannot resume gets INVALID_SESSION and the client identifies again", async () => {
    h = await startHarness();
    h.emu.faults.dropGateway({ resumable: false });
    await until(
      () => h!.emu.counters.gateway.identifies === 2 && h!.emu.connectedGatewaySessions === 1,
      "a new identify",
    );
    expect(h.emu.counters.gateway.invalidSessions).toBe(1);
    const received: string[] = [];
    h.client.on(Events.MessageCreate, (m: Message) => received.push(m.content));
    h.emu.as(h.world.users.bob).postMessage(h.world.channelId, "new session works");
    await until(() => received.includes("new session works"), "a message on the new session");
  }, 60_000);

  it("a bad token is closed with 4004", async () => {
    const emu = await startEmulator();
    try {
      const g = rawGateway(emu);
      await g.opened;
      g.ws.send(JSON.stringify({ op: 2, d: { token: "wrong", intents: 1, properties: {} } }));
      expect(await g.closed).toBe(4004);
      expect(JSON.parse(g.frames[0]!.toString())).toMatchObject({
        op: 10,
        d: { heartbeat_interval: 41_250 },
      });
    } finally {
      await emu.close();
    }
  });

  it("a privileged intent the application may not use is closed with 4014", async () => {
    const emu = await startEmulator({ allowedPrivilegedIntents: 0 });
    try {
      const g = rawGateway(emu);
      await g.opened;
      const intents = GatewayIntentBits.Guilds | GatewayIntentBits.MessageContent;
      g.ws.send(JSON.stringify({ op: 2, d: { token: emu.botToken, intents, properties: {} } }));
      expect(await g.closed).toBe(4014);
    } finally {
      await emu.close();
    }
  });

  it("heartbeats are acknowledged", async () => {
    const emu = await startEmulator();
    try {
      const g = rawGateway(emu);
      await g.opened;
      g.ws.send(JSON.stringify({ op: 1, d: null }));
      await until(() => g.frames.length >= 2, "the heartbeat ACK");
      expect(JSON.parse(g.frames[1]!.toString())).toMatchObject({ op: 11 });
      g.ws.close();
      await g.closed;
    } finally {
      await emu.close();
    }
  });

  it("compress=zlib-stream sends one deflate stream, each payload ending in a sync flush", async () => {
    const emu = await startEmulator();
    try {
      const g = rawGateway(emu, "v=10&encoding=json&compress=zlib-stream");
      await g.opened;
      await until(() => g.frames.length >= 1, "HELLO");
      const frame = g.frames[0]!;
      expect(frame.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff]));
      const text = zlib.inflateSync(frame, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString();
      expect(JSON.parse(text)).toMatchObject({ op: 10 });
      g.ws.close();
      await g.closed;
    } finally {
      await emu.close();
    }
  });

  it("intents filter dispatches: no reactions without their intent, no content without MESSAGE_CONTENT unless mentioned", async () => {
    const emu = await startEmulator();
    const world = emu.seed();
    const client: Client = await loggedInClient(emu, {
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
    });
    try {
      const received: Message[] = [];
      const raw: string[] = [];
      client.on(Events.MessageCreate, (m: Message) => received.push(m));
      client.on(Events.Raw, (packet: { t: string | null }) => {
        if (packet.t) raw.push(packet.t);
      });
      const alice = emu.as(world.users.alice);
      const first = alice.postMessage(world.channelId, "secret plan");
      alice.react(world.channelId, first.id, "🚀");
      alice.postMessage(world.channelId, `<@${emu.botUser.id}> hello`);
      await until(() => received.length === 2, "both messages");
      expect(received.map((m) => m.content)).toEqual(["", `<@${emu.botUser.id}> hello`]);
      // Dispatches keep their order, so a reaction event would have come before the second message.
      expect(raw.filter((t) => t.startsWith("MESSAGE_"))).toEqual(["MESSAGE_CREATE", "MESSAGE_CREATE"]);
    } finally {
      await client.destroy();
      await emu.close();
    }
  });
});
