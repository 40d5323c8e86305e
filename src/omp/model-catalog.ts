// The models omp can run, as `omp models --json` lists them, kept in memory for autocomplete and for
// checking a person's choice. Stale-while-revalidate: an answer always comes from what is known at once
// (a cold or slow omp takes seconds, Discord gives autocomplete 3), and a stale list is refreshed in the
// background, one listing at a time.

import { dirname, isAbsolute } from "node:path";
import { execa } from "execa";
import { type Clock, systemClock } from "../clock.js";
import { expectNonNegative } from "../expect.js";
import { buildChildEnv, pathWithBinDir } from "./env.js";

/** One model as omp names it; `selector` (`provider/id`) is what `--model` takes without ambiguity. */
export interface OmpModel {
  selector: string;
  provider: string;
  id: string;
  name: string;
}

/** How long a list counts as fresh: new models are rare, and a listing costs a Bun start. */
export const MODEL_LIST_FRESH_MS = 10 * 60_000;
/** After a failed listing, the next attempt waits this long (a broken omp is not run on every keystroke). */
export const MODEL_LIST_RETRY_MS = 30_000;
/** A listing that takes longer than this is given up (omp fetches catalogs online when its cache is cold). */
export const MODEL_LIST_TIMEOUT_MS = 60_000;

/** Reads omp's model list; rejects with an error a person can read. */
export type ListModels = () => Promise<OmpModel[]>;

/**
 * The models of `omp models --json` (omp 18: `{ "models": [{ provider, id, selector, name, … }] }`).
 * @throws Error when the text is not that shape.
 */
export function parseModelList(stdout: string): OmpModel[] {
  // omp may print warnings before the JSON (a models.yml problem): the JSON is the last line that is one.
  const line = stdout
    .split("\n")
    .map((part) => part.trim())
    .reverse()
    .find((part) => part.startsWith("{"));
  let parsed: unknown;
  try {
    parsed = line === undefined ? undefined : JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const models = (parsed as { models?: unknown } | undefined)?.models;
  if (!Array.isArray(models)) {
    throw new Error(
      `Expected \`omp models --json\` to print { "models": [...] }, got \`${stdout.slice(0, 200)}\``,
    );
  }
  const seen = new Set<string>();
  const result: OmpModel[] = [];
  for (const item of models as Record<string, unknown>[]) {
    const provider = typeof item?.provider === "string" ? item.provider : undefined;
    const id = typeof item?.id === "string" ? item.id : undefined;
    if (!provider || !id) continue;
    const selector = typeof item.selector === "string" ? item.selector : `${provider}/${id}`;
    if (seen.has(selector)) continue;
    seen.add(selector);
    result.push({ selector, provider, id, name: typeof item.name === "string" ? item.name : id });
  }
  return result;
}

export interface OmpModelListerOptions {
  bin: string;
  /** The parent environment the child's is built from, as for runs. */
  env?: NodeJS.ProcessEnv;
  envPassthrough?: readonly string[];
  /** An empty directory to start omp in (the runner's launch dir): never a workspace. */
  cwd?: string | undefined;
  /** The runs' settings overlay: no probing of local model ports, no project code. */
  overlayPath?: string | undefined;
  timeoutMs?: number;
}

/**
 * Lists models with the operator's omp settings, as a run would see them: `omp models --json`, no
 * extensions, the runs' overlay, the runs' environment allowlist.
 */
export function ompModelLister(options: OmpModelListerOptions): ListModels {
  return async () => {
    const env = buildChildEnv(options.env ?? process.env, {
      sessionId: "models",
      passthrough: options.envPassthrough,
    });
    if (isAbsolute(options.bin)) env.PATH = pathWithBinDir(env.PATH, dirname(options.bin));
    const args = ["models", "--json", "--no-extensions"];
    if (options.overlayPath) args.push("--config", options.overlayPath);
    try {
      const { stdout } = await execa(options.bin, args, {
        ...(options.cwd ? { cwd: options.cwd } : {}),
        env,
        extendEnv: false,
        stdin: "ignore",
        timeout: options.timeoutMs ?? MODEL_LIST_TIMEOUT_MS,
      });
      return parseModelList(stdout);
    } catch (error) {
      const failure = error as { code?: string; shortMessage?: string; timedOut?: boolean };
      if (failure.code === "ENOENT")
        throw new Error(`\`${options.bin}\` not found: install omp or set OMP_BIN`);
      if (failure.timedOut) throw new Error(`\`omp models\` did not answer in time`);
      throw new Error(failure.shortMessage ?? (error instanceof Error ? error.message : String(error)));
    }
  };
}

export interface ModelCatalogOptions {
  list: ListModels;
  clock?: Clock;
  /** Default `MODEL_LIST_FRESH_MS`. */
  freshMs?: number;
  /** Default `MODEL_LIST_RETRY_MS`. */
  retryMs?: number;
  /** A listing failed (the previous list, if any, stays in use). */
  onError?: ((error: Error) => void) | undefined;
}

/** The models known now, refreshed behind the caller's back. */
export class ModelCatalog {
  readonly #list: ListModels;
  readonly #clock: Clock;
  readonly #freshMs: number;
  readonly #retryMs: number;
  readonly #onError: ((error: Error) => void) | undefined;
  #models: readonly OmpModel[] | undefined;
  #loadedAt = Number.NEGATIVE_INFINITY;
  #failedAt = Number.NEGATIVE_INFINITY;
  #lastError: string | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(options: ModelCatalogOptions) {
    const { freshMs = MODEL_LIST_FRESH_MS, retryMs = MODEL_LIST_RETRY_MS } = options;
    expectNonNegative("freshMs", freshMs);
    expectNonNegative("retryMs", retryMs);
    this.#list = options.list;
    this.#clock = options.clock ?? systemClock;
    this.#freshMs = freshMs;
    this.#retryMs = retryMs;
    this.#onError = options.onError;
  }

  /** Why the last listing failed, while no newer one succeeded. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * The list known now (`undefined` before the first listing succeeded), never waiting; a stale or
   * missing list starts a refresh in the background.
   */
  current(): readonly OmpModel[] | undefined {
    const now = this.#clock.now();
    const stale = now - this.#loadedAt >= this.#freshMs;
    const mayRetry = now - this.#failedAt >= this.#retryMs;
    if (stale && mayRetry) void this.refresh();
    return this.#models;
  }

  /**
   * The list, waiting up to `waitMs` for a first one when none is known yet (a refresh is started if
   * needed). `undefined` when none came in time.
   */
  async get(options: { waitMs: number }): Promise<readonly OmpModel[] | undefined> {
    const known = this.current();
    if (known !== undefined) return known;
    const pending = this.#inFlight ?? this.refresh();
    let timer: unknown;
    const timeout = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(resolve, options.waitMs);
    });
    await Promise.race([pending, timeout]);
    this.#clock.clearTimeout(timer);
    return this.#models;
  }

  /** Lists the models again now (joining a listing under way). Never rejects. */
  refresh(): Promise<void> {
    if (this.#inFlight) return this.#inFlight;
    const attempt = this.#list().then(
      (models) => {
        this.#models = models;
        this.#loadedAt = this.#clock.now();
        this.#lastError = undefined;
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.#failedAt = this.#clock.now();
        this.#lastError = failure.message;
        this.#onError?.(failure);
      },
    );
    this.#inFlight = attempt.finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }
}

/**
 * The model a person means by `text`: the exact selector (`provider/id`) or a bare id that names one
 * model, in any letter case. `undefined` when none or several match.
 */
export function findModel(models: readonly OmpModel[], text: string): OmpModel | undefined {
  const wanted = text.trim().toLowerCase();
  const exact = models.find((model) => model.selector.toLowerCase() === wanted);
  if (exact) return exact;
  const byId = models.filter((model) => model.id.toLowerCase() === wanted);
  return byId.length === 1 ? byId[0] : undefined;
}
