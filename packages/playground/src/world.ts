// The playground's Discord server: one guild with a launch channel, the person as its member (and the
// bot's allowed user), as a small real server would be set up for ompcord.

import { userInfo } from "node:os";
import type { Emulator, UserView } from "@ompcord/discord-emulator";

export const GUILD_NAME = "ompcord playground";
export const LAUNCH_CHANNEL_NAME = "launch";
export const LAUNCH_CHANNEL_TOPIC = "Write a prompt, then react 🚀 on your own message, or type /omp new";
/** The person's name when the system's user name cannot be one (Discord: 2–32 of a-z, 0-9, _ and .). */
const FALLBACK_NAME = "you";

export interface PlaygroundWorld {
  guildId: string;
  guildName: string;
  channelId: string;
  channelTopic: string;
  person: UserView;
}

/** A Discord user name from the system's user name: lower case, only the characters Discord allows. */
export function personName(systemName: string | undefined): string {
  const name = (systemName ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9_.]/g, "")
    .slice(0, 32);
  return name.length >= 2 ? name : FALLBACK_NAME;
}

/** The name of whoever runs this process, fit for Discord. */
export function systemPersonName(): string {
  try {
    return personName(userInfo().username);
  } catch {
    return FALLBACK_NAME;
  }
}

export function seedPlaygroundWorld(emu: Emulator, options: { personName: string }): PlaygroundWorld {
  const guild = emu.createGuild({ name: GUILD_NAME });
  const channel = emu.createChannel({
    guildId: guild.id,
    name: LAUNCH_CHANNEL_NAME,
    topic: LAUNCH_CHANNEL_TOPIC,
  });
  const person = emu.createUser({ username: options.personName });
  return {
    guildId: guild.id,
    guildName: guild.name,
    channelId: channel.id,
    channelTopic: LAUNCH_CHANNEL_TOPIC,
    person,
  };
}
