// Autocomplete for `/omp new model:/project:` and `/omp model`: Discord asks as the person types and
// gives 3 s to answer with at most 25 choices. Answers come from what is known at once (omp's model list
// is cached, refreshed in the background), filtered by what was typed; a person who may not use the bot
// gets an empty list, so model and project names are not shown to everyone in the server.

import type { AutocompleteInteraction } from "discord.js";
import type { ProjectSetting } from "../config/index.js";
import type { OmpModel } from "../omp/model-catalog.js";
import { allowedUser, checkAccess, where } from "./access/index.js";
import type { BotContext } from "./context.js";

/** Discord's limits on an autocomplete answer: choices per answer, characters per name and value. */
export const AUTOCOMPLETE_LIMITS = { choices: 25, nameChars: 100, valueChars: 100 } as const;

export interface Choice {
  name: string;
  value: string;
}

/** The choices whose text contains `typed` (any letter case), at most 25, in the order given. */
export function filterChoices(choices: readonly Choice[], typed: string): Choice[] {
  const needle = typed.trim().toLowerCase();
  const fits = (choice: Choice) => choice.value.length <= AUTOCOMPLETE_LIMITS.valueChars;
  return choices
    .filter((choice) => fits(choice) && (needle === "" || choice.name.toLowerCase().includes(needle)))
    .slice(0, AUTOCOMPLETE_LIMITS.choices)
    .map((choice) => ({ name: clipName(choice.name), value: choice.value }));
}

/** A model as a choice: its selector, with its display name when that says more. */
export function modelChoice(model: OmpModel): Choice {
  const label = model.name && model.name !== model.id ? `${model.selector} · ${model.name}` : model.selector;
  return { name: label, value: model.selector };
}

export function projectChoice(project: ProjectSetting): Choice {
  return { name: project.name, value: project.name };
}

function clipName(name: string): string {
  const max = AUTOCOMPLETE_LIMITS.nameChars;
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

/** Option names that autocomplete (shared with the builders through OMP_OPTIONS). */
export const AUTOCOMPLETED = { model: "model", project: "project" } as const;

/**
 * Answers one autocomplete request; never throws past Discord's deadline: on any failure the answer is
 * an empty list (the person can still type a value, which the command then judges).
 */
export async function answerAutocomplete(
  ctx: BotContext,
  interaction: AutocompleteInteraction,
): Promise<void> {
  let choices: Choice[] = [];
  const access = checkAccess(
    [...where, allowedUser],
    { guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id },
    ctx.policy,
  );
  if (access.ok) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === AUTOCOMPLETED.model) {
      choices = filterChoices(ctx.launchChoices.modelsNow().map(modelChoice), String(focused.value));
    } else if (focused.name === AUTOCOMPLETED.project) {
      const projects = ctx.launchChoices.projectsFor(interaction.channelId);
      choices = filterChoices(projects.map(projectChoice), String(focused.value));
    }
  }
  await interaction.respond(choices);
}
