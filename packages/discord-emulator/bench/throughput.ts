// How many messages per second a discord.js 14 client sustains against the local Discord emulator:
// inbound (users post, the client receives MESSAGE_CREATE), outbound (the client sends through REST, rate
// limits off, then with Discord's limits). `npm run bench emulator-throughput` at the root runs and saves it
// with the other scenarios (exported as `@ompcord/discord-emulator/bench`); `npm run bench` here prints it.

import os from "node:os";
import { fileURLToPath } from "node:url";
import { Client, Events, GatewayIntentBits, type Message, Partials, type TextChannel } from "discord.js";
import { type Emulator, type EmulatorOptions, startEmulator } from "../src/index.js";

export interface ThroughputOptions {
  /** Messages users post for the inbound figure. */
  inbound?: number;
  /** Messages the client sends for each outbound figure. */
  outbound?: number;
  /** Channels the outbound sends are spread over (discord.js runs one queue per channel). */
  channels?: number;
}

export interface ThroughputResult {
  scenario: "emulator-throughput";
  figures: {
    inboundMessagesPerSecond: number;
    /** A default client: discord.js itself keeps to 50 requests/s. */
    outboundMessagesPerSecond: number;
    /** A client with its own global limit lifted and the emulator's limits off: the emulator's capacity. */
    outboundUncappedMessagesPerSecond: number;
    /** Discord's limits on: 5 per channel, 50/s global; 429s should stay at 0 for discord.js. */
    outboundRateLimitedMessagesPerSecond: number;
    rateLimited429s: number;
  };
  parameters: Required<ThroughputOptions>;
  machine: { node: string; platform: string; cpus: number; cpuModel: string };
  at: string;
}

async function connect(emu: Emulator, globalRequestsPerSecond = 50): Promise<Client<true>> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Message, Partials.Channel],
    rest: { api: emu.restUrl, globalRequestsPerSecond },
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(emu.botToken);
  await ready;
  return client as Client<true>;
}

async function withClient<T>(
  options: EmulatorOptions,
  channels: number,
  globalRequestsPerSecond: number,
  body: (emu: Emulator, client: Client<true>, channelIds: string[], userId: string) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator(options);
  const world = emu.seed();
  const channelIds = [world.channelId];
  for (let i = 1; i < channels; i++)
    channelIds.push(emu.createChannel({ guildId: world.guildId, name: `c${i}` }).id);
  const client = await connect(emu, globalRequestsPerSecond);
  try {
    return await body(emu, client, channelIds, world.users.alice.id);
  } finally {
    await client.destroy();
    await emu.close();
  }
}

async function inbound(count: number): Promise<number> {
  return withClient({}, 1, 50, async (emu, client, [channelId], userId) => {
    let received = 0;
    const done = new Promise<void>((resolve) =>
      client.on(Events.MessageCreate, (_m: Message) => {
        received += 1;
        if (received === count) resolve();
      }),
    );
    const user = emu.as(userId);
    const started = performance.now();
    // Post in slices so the gateway socket drains while users keep posting.
    for (let i = 0; i < count; i++) {
      user.postMessage(channelId!, `message ${i}`);
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await done;
    return count / ((performance.now() - started) / 1000);
  });
}

async function outbound(count: number, channels: number, rateLimits: boolean, globalRequestsPerSecond = 50) {
  return withClient(
    rateLimits ? {} : { rateLimits: false },
    channels,
    globalRequestsPerSecond,
    async (emu, client, channelIds) => {
      const targets = channelIds.map((id) => client.channels.cache.get(id) as TextChannel);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: count }, (_, i) => targets[i % targets.length]!.send(`out ${i}`)),
      );
      const perSecond = count / ((performance.now() - started) / 1000);
      return { perSecond, rateLimited: emu.counters.rateLimited };
    },
  );
}

export async function measureThroughput(options: ThroughputOptions = {}): Promise<ThroughputResult> {
  const parameters = {
    inbound: options.inbound ?? 3000,
    outbound: options.outbound ?? 1000,
    channels: options.channels ?? 20,
  };
  const inboundPerSecond = await inbound(parameters.inbound);
  const free = await outbound(parameters.outbound / 5, parameters.channels, false);
  const uncapped = await outbound(parameters.outbound, parameters.channels, false, 100_000);
  // With Discord's limits: 5 per 5 s per channel and 50/s global, so keep it to one burst per channel.
  const limited = await outbound(parameters.channels * 5, parameters.channels, true);
  const cpus = os.cpus();
  return {
    scenario: "emulator-throughput",
    figures: {
      inboundMessagesPerSecond: Math.round(inboundPerSecond),
      outboundMessagesPerSecond: Math.round(free.perSecond),
      outboundUncappedMessagesPerSecond: Math.round(uncapped.perSecond),
      outboundRateLimitedMessagesPerSecond: Math.round(limited.perSecond),
      rateLimited429s: limited.rateLimited,
    },
    parameters,
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? "unknown",
    },
    at: new Date().toISOString(),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(await measureThroughput(), null, 2)}\n`);
}
