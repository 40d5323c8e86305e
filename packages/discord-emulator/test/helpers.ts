// Shared set-up for the emulator suite: an emulator with a seeded guild, and a real discord.js client
// logged in to it with the intents and partials ompcord uses (SPEC §9).

import { Client, Events, GatewayIntentBits, Partials } from "discord.js";
import { type Emulator, type EmulatorOptions, type SeededWorld, startEmulator } from "../src/index.js";

export const BOT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.GuildMessageReactions,
  GatewayIntentBits.MessageContent,
];

export async function loggedInClient(
  emu: Emulator,
  options: { intents?: number[]; partials?: Partials[] } = {},
): Promise<Client<true>> {
  const client = new Client({
    intents: options.intents ?? BOT_INTENTS,
    partials: options.partials ?? [Partials.Message, Partials.Channel, Partials.Reaction],
    rest: { api: emu.restUrl },
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(emu.botToken);
  await ready;
  return client as Client<true>;
}

export interface Harness {
  emu: Emulator;
  world: SeededWorld;
  client: Client<true>;
  close(): Promise<void>;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator(options);
  const world = emu.seed();
  const client = await loggedInClient(emu);
  return {
    emu,
    world,
    client,
    async close() {
      await client.destroy();
      await emu.close();
    },
  };
}

/** Resolves with the first event `name` whose arguments satisfy `accept`. */
export function nextEvent<A extends unknown[]>(
  client: Client,
  name: string,
  accept: (...args: A) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(name, listener);
      reject(new Error(`No ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as A))) return;
      clearTimeout(timer);
      client.off(name, listener);
      resolve(args as A);
    };
    client.on(name, listener);
  });
}
