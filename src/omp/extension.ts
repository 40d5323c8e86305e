// The ompcord OMP extension (packages/omp-extension) as bot runs load it: one self-contained file built
// with `bun build`, passed to every run with `--trusted-extension` (omp's exact allowlist: it turns
// extension discovery off). Why bun: omp runs extensions under Bun, and `bun` is already the runtime
// the project installs for omp, so the bundler that targets it costs no new dependency.
// A checkout builds the bundle on demand (missing, or older than any file it was built from); an
// install without the sources must ship it (`npm run build` makes it).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findBun } from "./supervise.js";

/** The repository root, the same from src/omp (tsx) and dist/omp (built). */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PACKAGE_DIR = join(ROOT, "packages", "omp-extension");

export const EXTENSION_ENTRY = join(PACKAGE_DIR, "src", "index.ts");
/** The file bot runs load. */
export const EXTENSION_BUNDLE = join(PACKAGE_DIR, "dist", "ompcord-extension.js");
/** `bun build`'s metafile: the inputs the bundle was built from, to tell when it is stale. */
const EXTENSION_METAFILE = join(PACKAGE_DIR, "dist", "ompcord-extension.meta.json");

/** The bundle cannot be built or found: a person fixes the install (message says how). */
export class ExtensionBundleError extends Error {
  override readonly name = "ExtensionBundleError";
}

/** The files the bundle was built from (absolute), from its metafile; undefined when unknown. */
export function bundleInputs(): string[] | undefined {
  try {
    const meta = JSON.parse(readFileSync(EXTENSION_METAFILE, "utf8")) as { inputs?: Record<string, unknown> };
    return Object.keys(meta.inputs ?? {}).map((input) => resolve(ROOT, input));
  } catch {
    return undefined;
  }
}

/** Why the bundle must be (re)built, or undefined when it is up to date. */
function staleness(): string | undefined {
  if (!existsSync(EXTENSION_BUNDLE)) return "missing";
  const inputs = bundleInputs();
  if (!inputs) return "no record of its inputs";
  const built = statSync(EXTENSION_BUNDLE).mtimeMs;
  for (const input of inputs) {
    try {
      if (statSync(input).mtimeMs > built) return `${input} changed`;
    } catch {
      return `${input} is gone`;
    }
  }
  return undefined;
}

/**
 * Builds the bundle with `bun build --target=bun` into a temporary file, then moves it into place, so
 * a run never loads half a file (and parallel builds of test workers do not clash). Throws
 * `ExtensionBundleError` with bun's own output when the build fails.
 */
export function buildExtensionBundle(options: { bun?: string | undefined } = {}): string {
  const bun = options.bun ?? findBun(join(ROOT, "node_modules", ".bin"), process.env.PATH) ?? "bun";
  const suffix = `${process.pid}.${Date.now()}.tmp`;
  const partial = `${EXTENSION_BUNDLE}.${suffix}`;
  const partialMeta = `${EXTENSION_METAFILE}.${suffix}`;
  mkdirSync(dirname(EXTENSION_BUNDLE), { recursive: true });
  const result = spawnSync(
    bun,
    [
      "build",
      EXTENSION_ENTRY,
      "--target=bun",
      "--format=esm",
      // Types from omp are erased; nothing of omp's is bundled (it would be a second copy in the run).
      "--external=@oh-my-pi/*",
      `--outfile=${partial}`,
      `--metafile=${partialMeta}`,
    ],
    { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
  );
  if (result.status !== 0) {
    rmSync(partial, { force: true });
    rmSync(partialMeta, { force: true });
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim() || String(result.error ?? "");
    throw new ExtensionBundleError(
      `Could not build the ompcord OMP extension with \`${bun} build\`: ${output}. Run \`npm install\` in the checkout (it installs bun), then \`npm run build:extension\`.`,
    );
  }
  renameSync(partialMeta, EXTENSION_METAFILE);
  renameSync(partial, EXTENSION_BUNDLE);
  return EXTENSION_BUNDLE;
}

/**
 * The bundle's path, built first when a checkout's copy is missing or stale. Without the sources (an
 * install that shipped only `dist/`), a missing bundle is an error a person fixes.
 */
export function ensureExtensionBundle(
  options: { bun?: string | undefined; log?: (message: string) => void } = {},
): string {
  const why = staleness();
  if (why === undefined) return EXTENSION_BUNDLE;
  if (!existsSync(EXTENSION_ENTRY)) {
    if (existsSync(EXTENSION_BUNDLE)) return EXTENSION_BUNDLE;
    throw new ExtensionBundleError(
      `The ompcord OMP extension is missing (${EXTENSION_BUNDLE}): every run loads it. Run \`npm run build\` in the ompcord checkout.`,
    );
  }
  options.log?.(`building the OMP extension (${why})`);
  return buildExtensionBundle(options);
}
