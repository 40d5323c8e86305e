// The `/omp` slash command: one list of subcommands (each declared in its own file beside this one)
// builds both the command Discord registers and the dispatcher, so nothing else needs to be kept in step.

import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from "discord.js";
import { expectInteger } from "../../expect.js";
import { DISCORD_LIMITS } from "../../format/index.js";
import { checkAccess } from "../access/index.js";
import type { BotContext } from "../context.js";
import { interactionFacts } from "../facts.js";
import { refuse } from "../replies.js";
import { cancel } from "./cancel.js";
import { OMP_COMMAND_NAME, OMP_OPTIONS, type Subcommand } from "./define.js";
import { health } from "./health.js";
import { model } from "./model.js";
import { newSession } from "./new.js";
import { queue } from "./queue.js";
import { report } from "./report.js";
import { say } from "./say.js";
import { status } from "./status.js";
import { steer } from "./steer.js";
import { stop } from "./stop.js";
import { token } from "./token.js";
import { version } from "./version.js";

export { OMP_COMMAND_NAME } from "./define.js";

/** Every subcommand, in the order Discord lists them (SPEC §1's table). */
export const SUBCOMMANDS: readonly Subcommand[] = [
  newSession,
  say,
  steer,
  cancel,
  stop,
  queue,
  model,
  status,
  health,
  version,
  token,
  report,
];

/**
 * The JSON body to register `/omp` in a guild. Guild-only: sessions are threads, and DMs have none.
 * `promptMaxChars` above Discord's 6000 is clamped, since Discord would refuse the whole command.
 */
export function buildOmpCommand(
  options: { promptMaxChars?: number } = {},
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const requested = options.promptMaxChars ?? DISCORD_LIMITS.stringOptionMax;
  expectInteger("promptMaxChars", requested, 1);
  const limits = { promptMaxChars: Math.min(requested, DISCORD_LIMITS.stringOptionMax) };
  const command = new SlashCommandBuilder()
    .setName(OMP_COMMAND_NAME)
    .setDescription("Run the OMP coding agent in Discord threads")
    .setContexts(InteractionContextType.Guild);
  for (const subcommand of SUBCOMMANDS) {
    command.addSubcommand((sub) => subcommand.describe(sub.setName(subcommand.name), limits));
  }
  return command.toJSON();
}

/**
 * Runs the subcommand an interaction names, once its access rules passed: the channel's session is
 * looked up once, judged by the rules, and handed to the subcommand that works on it.
 */
export async function runSubcommand(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const name = interaction.commandName === OMP_COMMAND_NAME && interaction.options.getSubcommand(false);
  const subcommand = SUBCOMMANDS.find((candidate) => candidate.name === name);
  if (!subcommand) return refuse(interaction, "ompcord does not know that command; try `/omp status`.");
  const session = ctx.sessions.byThread(interaction.channelId);
  const prompt = interaction.options.getString(OMP_OPTIONS.prompt) ?? undefined;
  const access = checkAccess(
    subcommand.access,
    interactionFacts(ctx, interaction, { session, prompt }),
    ctx.policy,
  );
  if (!access.ok) return refuse(interaction, access.reason);
  // The rules of a session subcommand include threadIsSession (defineSubcommand checks): it exists.
  if (subcommand.session) return subcommand.run(ctx, interaction, session!);
  return subcommand.run(ctx, interaction);
}
