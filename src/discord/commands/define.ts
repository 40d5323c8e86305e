// How a subcommand of `/omp` declares everything about itself, in its own file: its builder, the access
// rules it runs under (`notShuttingDown` first when it changes something), and whether it works on the
// channel's session, which the dispatcher then looks up once and hands to it.

import type { ChatInputCommandInteraction, SlashCommandSubcommandBuilder } from "discord.js";
import type { SessionRow } from "../../store/index.js";
import { type AccessRule, threadIsSession } from "../access/index.js";
import type { BotContext } from "../context.js";

export const OMP_COMMAND_NAME = "omp";

/** Option names, shared by the builders and the code that reads them. */
export const OMP_OPTIONS = {
  prompt: "prompt",
  name: "name",
  model: "model",
  project: "project",
  deleteFiles: "delete_files",
} as const;

/** What a builder may depend on. */
export interface CommandLimits {
  /** `max_length` of prompt options, already within Discord's 6000. */
  promptMaxChars: number;
}

interface SubcommandBase {
  name: string;
  /** Description and options, on the builder discord.js hands over with the name already set. */
  describe(sub: SlashCommandSubcommandBuilder, limits: CommandLimits): SlashCommandSubcommandBuilder;
  /** Checked in order before `run`; the facts carry the `prompt` option when the subcommand has one. */
  access: readonly AccessRule[];
}

/** A subcommand that works on the session of the thread it is used in. */
export interface SessionSubcommand extends SubcommandBase {
  session: true;
  run(ctx: BotContext, interaction: ChatInputCommandInteraction, session: SessionRow): Promise<void>;
}

/** A subcommand that needs no session (it makes one, or reports on the bot). */
export interface PlainSubcommand extends SubcommandBase {
  session?: false;
  run(ctx: BotContext, interaction: ChatInputCommandInteraction): Promise<void>;
}

export type Subcommand = SessionSubcommand | PlainSubcommand;

/** A subcommand as its file declares it; one that works on a session must have it proved to exist. */
export function defineSubcommand<T extends Subcommand>(definition: T): T {
  if (definition.session && !definition.access.includes(threadIsSession)) {
    throw new TypeError(
      `Expected the access rules of \`/omp ${definition.name}\` to include threadIsSession, since it works on the channel's session`,
    );
  }
  return definition;
}
