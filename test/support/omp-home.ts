// A throwaway HOME for real-omp tests: `.omp/agent/models.yml` points omp at the fake model, so
// nothing touches the user's own omp settings, sessions or keys.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

/** `node_modules/.bin` of this checkout: holds `omp` and the `bun` it runs under. */
export const NODE_BIN_DIR = resolve(import.meta.dirname, "../../node_modules/.bin");
export const OMP_BIN = join(NODE_BIN_DIR, "omp");
/** The model id to pass as `--model`. */
export const FAKE_MODEL_ID = "local/fake";

export interface OmpHome {
  /** The throwaway HOME directory. */
  readonly home: string;
  /** A working directory inside it for runs. */
  readonly workDir: string;
  /** Environment to run omp with: HOME, PATH reaching `bun`, nothing from the parent's secrets. */
  readonly env: Record<string, string>;
  cleanup(): void;
}

export interface OmpHomeOptions {
  /**
   * Make this model omp's default (`modelRoles.default` in `~/.omp/agent/config.yml`), as a person's
   * own omp settings would, for runs started without `--model`.
   */
  defaultModel?: string;
  /** More model ids the fake provider offers besides `fake` (`local/<id>`), for choosing a model. */
  moreModels?: readonly string[];
}

/** Creates a HOME whose omp talks to the fake model at `baseUrl` (`http://127.0.0.1:<port>/v1`). */
export function createOmpHome(baseUrl: string, options: OmpHomeOptions = {}): OmpHome {
  const home = mkdtempSync(join(tmpdir(), "ompcord-home-"));
  const agentDir = join(home, ".omp", "agent");
  mkdirSync(agentDir, { recursive: true });
  writeFileSync(
    join(agentDir, "models.yml"),
    [
      "providers:",
      "  local:",
      `    baseUrl: ${baseUrl}`,
      "    apiKey: sk-local",
      "    api: openai-completions",
      `    models: [${["fake", ...(options.moreModels ?? [])]
        .map(
          (id) =>
            `{ id: ${id}, name: ${id === "fake" ? "Fake" : id}, contextWindow: 32000, maxTokens: 4096 }`,
        )
        .join(", ")}]`,
      "",
    ].join("\n"),
  );
  if (options.defaultModel !== undefined) {
    writeFileSync(join(agentDir, "config.yml"), `modelRoles:\n  default: ${options.defaultModel}\n`);
  }
  const workDir = join(home, "work");
  mkdirSync(workDir);
  const env: Record<string, string> = {
    HOME: home,
    PATH: [NODE_BIN_DIR, process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"].join(delimiter),
    LANG: "C.UTF-8",
    TMPDIR: tmpdir(),
  };
  return {
    home,
    workDir,
    env,
    cleanup() {
      // An omp ended a moment ago may still be writing its session files: retry what it adds meanwhile.
      rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
