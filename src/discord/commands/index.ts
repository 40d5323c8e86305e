// Routes `/omp <subcommand>` to its handler; one file per subcommand beside this one.

import type { ChatInputCommandInteraction } from "discord.js";
import type { BotContext } from "../context.js";
import { cancelCommand } from "./cancel.js";
import { OMP_COMMAND_NAME, type OmpSubcommand } from "./definition.js";
import { healthCommand, statusCommand, versionCommand } from "./info.js";
import { newCommand } from "./new.js";
import { queueCommand } from "./queue.js";
import { sayCommand } from "./say.js";
import { stopCommand } from "./stop.js";

export type CommandHandler = (ctx: BotContext, interaction: ChatInputCommandInteraction) => Promise<void>;

export const SUBCOMMAND_HANDLERS: Record<OmpSubcommand, CommandHandler> = {
  new: newCommand,
  say: sayCommand,
  cancel: cancelCommand,
  stop: stopCommand,
  queue: queueCommand,
  status: statusCommand,
  health: healthCommand,
  version: versionCommand,
};

/** Subcommands that change something: refused once shutdown began. */
const MUTATING = new Set<OmpSubcommand>(["new", "say", "cancel", "stop"]);

export function commandHandlerFor(interaction: ChatInputCommandInteraction): CommandHandler | undefined {
  if (interaction.commandName !== OMP_COMMAND_NAME) return undefined;
  const sub = interaction.options.getSubcommand(false) as OmpSubcommand | null;
  return sub ? SUBCOMMAND_HANDLERS[sub] : undefined;
}

export function isMutating(interaction: ChatInputCommandInteraction): boolean {
  return MUTATING.has(interaction.options.getSubcommand(false) as OmpSubcommand);
}
