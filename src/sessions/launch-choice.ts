// Whether a launch may use the model and the project it asks for: one judgement for `/omp new` and for
// launches from elsewhere (`POST /api/tasks`), so both accept and refuse the same things in the same
// words. A refusal says what is allowed instead.

import type { ProjectSetting } from "../config/index.js";
import { findModel, type ModelCatalog, type OmpModel } from "../omp/model-catalog.js";

/** What a launch asks for; absent parts take the defaults (the configured model, the usual directory). */
export interface LaunchChoiceInput {
  /** The launch channel the session opens under. */
  channelId: string;
  model?: string | undefined;
  project?: string | undefined;
}

export type LaunchRefusalCode =
  | "not_launch_channel"
  | "unknown_project"
  | "project_not_allowed"
  | "unknown_model"
  | "models_unavailable";

export type LaunchChoice =
  | {
      ok: true;
      /** omp's selector (`provider/id`) for `--model`; undefined: the configured default. */
      model: string | undefined;
      project: ProjectSetting | undefined;
    }
  | { ok: false; code: LaunchRefusalCode; reason: string };

/** What the judgement needs: the config's projects and launch channels, and omp's models when known. */
export interface LaunchChoiceContext {
  launchChannelIds: readonly string[];
  projects: readonly ProjectSetting[];
  /** `undefined` while omp's list is not known (not listed yet, or listing failed). */
  models: readonly OmpModel[] | undefined;
  /** Why the list is not known, when a listing failed. */
  modelsError?: string | undefined;
}

/** How many allowed names a refusal lists before "and N more". */
const LISTED_IN_REFUSAL = 10;

/** The projects a launch channel may use, in configured order. */
export function projectsFor(channelId: string, projects: readonly ProjectSetting[]): ProjectSetting[] {
  return projects.filter(
    (project) => project.channelIds === undefined || project.channelIds.includes(channelId),
  );
}

/** Judges a launch's model and project. Pure: the caller brings the model list. */
export function resolveLaunchChoice(input: LaunchChoiceInput, context: LaunchChoiceContext): LaunchChoice {
  if (!context.launchChannelIds.includes(input.channelId)) {
    return {
      ok: false,
      code: "not_launch_channel",
      reason: `Sessions start only in the launch channels (${context.launchChannelIds.map((id) => `<#${id}>`).join(", ")}).`,
    };
  }
  let project: ProjectSetting | undefined;
  const projectName = input.project?.trim();
  if (projectName) {
    const allowed = projectsFor(input.channelId, context.projects);
    project = context.projects.find(
      (candidate) => candidate.name.toLowerCase() === projectName.toLowerCase(),
    );
    if (!project) {
      return {
        ok: false,
        code: "unknown_project",
        reason: `There is no project \`${clip(projectName)}\`. ${allowedProjects(allowed)}`,
      };
    }
    if (!allowed.includes(project)) {
      return {
        ok: false,
        code: "project_not_allowed",
        reason: `Project \`${project.name}\` may not be used in this channel. ${allowedProjects(allowed)}`,
      };
    }
  }
  const model = resolveModelChoice(input.model, context);
  return model.ok ? { ok: true, model: model.model, project } : model;
}

/** Judges a model alone (`/omp model`): omp's selector, or a refusal that lists what omp offers. */
export function resolveModelChoice(
  text: string | undefined,
  context: Pick<LaunchChoiceContext, "models" | "modelsError">,
): { ok: true; model: string | undefined } | { ok: false; code: LaunchRefusalCode; reason: string } {
  const modelText = text?.trim();
  if (!modelText) return { ok: true, model: undefined };
  if (context.models === undefined) {
    const why = context.modelsError ? ` (${clip(context.modelsError, 200)})` : "";
    return {
      ok: false,
      code: "models_unavailable",
      reason: `ompcord does not have omp's list of models yet${why}, so it cannot check \`${clip(modelText)}\`: try again in a moment, or leave \`model\` out to use the default.`,
    };
  }
  const model = findModel(context.models, modelText);
  if (!model) {
    return {
      ok: false,
      code: "unknown_model",
      reason: `omp has no model \`${clip(modelText)}\`. ${allowedModels(context.models)}`,
    };
  }
  return { ok: true, model: model.selector };
}

function allowedProjects(allowed: readonly ProjectSetting[]): string {
  if (allowed.length === 0) return "This channel has no projects: leave `project` out.";
  return `Projects here: ${listed(allowed.map((project) => project.name))}.`;
}

function allowedModels(models: readonly OmpModel[]): string {
  if (models.length === 0) return "omp lists no models: configure a provider in omp first.";
  return `Models omp offers: ${listed(models.map((model) => model.selector))} (start typing in \`model\` to search).`;
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_IN_REFUSAL).map((name) => `\`${name}\``);
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/** What a person typed, shortened and without backticks, to quote back safely. */
function clip(text: string, max = 100): string {
  const flat = text.replace(/[`\r\n]/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * How long a launch that names a model waits for omp's first list: Discord wants an answer within 3 s of
 * the interaction, which also pays for the gateway, the access checks and the deferral.
 */
export const LAUNCH_MODEL_WAIT_MS = 1_500;

/**
 * `resolveLaunchChoice` with the bot's config and omp's model list: a launch that names a model waits
 * up to `LAUNCH_MODEL_WAIT_MS` for a first list, never longer.
 */
export class LaunchChoices {
  readonly #config: { launchChannelIds: readonly string[]; projects: readonly ProjectSetting[] };
  readonly #catalog: ModelCatalog;

  constructor(options: {
    config: {
      discord: { launchChannelIds: readonly string[] };
      omp: { projects: readonly ProjectSetting[] };
    };
    catalog: ModelCatalog;
  }) {
    this.#config = {
      launchChannelIds: options.config.discord.launchChannelIds,
      projects: options.config.omp.projects,
    };
    this.#catalog = options.catalog;
  }

  /** The projects a launch channel may use. */
  projectsFor(channelId: string): ProjectSetting[] {
    return projectsFor(channelId, this.#config.projects);
  }

  /** omp's models as known now (a stale list refreshes in the background); empty when none yet. */
  modelsNow(): readonly OmpModel[] {
    return this.#catalog.current() ?? [];
  }

  async resolve(input: LaunchChoiceInput): Promise<LaunchChoice> {
    const models = input.model?.trim()
      ? await this.#catalog.get({ waitMs: LAUNCH_MODEL_WAIT_MS })
      : undefined;
    return resolveLaunchChoice(input, {
      ...this.#config,
      models,
      modelsError: this.#catalog.lastError,
    });
  }

  /** A model for a session's later runs (`/omp model`), waiting for a first list as a launch does. */
  async resolveModel(text: string) {
    const models = await this.#catalog.get({ waitMs: LAUNCH_MODEL_WAIT_MS });
    return resolveModelChoice(text, { models, modelsError: this.#catalog.lastError });
  }
}
