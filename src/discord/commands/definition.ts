// The `/omp` slash command as Discord receives it: one command, one subcommand per SPEC §1 row.

import {
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from "discord.js";
import { expectInteger } from "../../expect.js";
import { DISCORD_LIMITS } from "../../format/limits.js";

export const OMP_COMMAND_NAME = "omp";

/** Subcommand names, for the dispatcher's lookup table. */
export const OMP_SUBCOMMANDS = [
  "new",
  "say",
  "cancel",
  "stop",
  "queue",
  "status",
  "health",
  "version",
] as const;
export type OmpSubcommand = (typeof OMP_SUBCOMMANDS)[number];

/** Option names, shared by the definition and the handlers that read them. */
export const OMP_OPTIONS = { prompt: "prompt", name: "name" } as const;

/** A session name becomes part of a thread name (100 chars with its `Session: ` prefix). */
const SESSION_NAME_MAX = DISCORD_LIMITS.threadName - "Session: ".length;

export interface OmpCommandOptions {
  /** `max_length` of prompt options; Discord accepts at most 6000. */
  promptMaxChars?: number;
}

/**
 * The JSON body to register `/omp` in a guild. Guild-only: sessions are threads, and DMs have none.
 * `promptMaxChars` above Discord's 6000 is clamped, since Discord would refuse the whole command.
 */
export function buildOmpCommand(
  options: OmpCommandOptions = {},
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const requested = options.promptMaxChars ?? DISCORD_LIMITS.stringOptionMax;
  expectInteger("promptMaxChars", requested, 1);
  const promptMax = Math.min(requested, DISCORD_LIMITS.stringOptionMax);

  return new SlashCommandBuilder()
    .setName(OMP_COMMAND_NAME)
    .setDescription("Run the OMP coding agent in Discord threads")
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) =>
      sub
        .setName("new")
        .setDescription("Start a new agent session in a thread and run a first prompt")
        .addStringOption((option) =>
          option
            .setName(OMP_OPTIONS.prompt)
            .setDescription("What the agent should do")
            .setRequired(true)
            .setMaxLength(promptMax),
        )
        .addStringOption((option) =>
          option
            .setName(OMP_OPTIONS.name)
            .setDescription("A name for the session thread (default: the prompt's first words)")
            .setRequired(false)
            .setMaxLength(SESSION_NAME_MAX),
        ),
    )
    .addSubcommand((sub) =>
      sub
        .setName("say")
        .setDescription("Queue a follow-up prompt in this session; it continues the same conversation")
        .addStringOption((option) =>
          option
            .setName(OMP_OPTIONS.prompt)
            .setDescription("The follow-up for the agent")
            .setRequired(true)
            .setMaxLength(promptMax),
        ),
    )
    .addSubcommand((sub) =>
      sub.setName("cancel").setDescription("Cancel the running prompt; queued prompts still run"),
    )
    .addSubcommand((sub) =>
      sub.setName("stop").setDescription("Cancel, drop the queue and archive this session (history is kept)"),
    )
    .addSubcommand((sub) =>
      sub.setName("queue").setDescription("Show the running prompt and the waiting ones, in order"),
    )
    .addSubcommand((sub) =>
      sub.setName("status").setDescription("Show uptime, gateway latency, runs, sessions and health"),
    )
    .addSubcommand((sub) =>
      sub.setName("health").setDescription("Check Discord, the database, the omp binary and the sidecar API"),
    )
    .addSubcommand((sub) => sub.setName("version").setDescription("Show the bot, omp and Node.js versions"))
    .toJSON();
}
