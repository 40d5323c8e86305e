// Which omp ompcord is tested with, and whether the installed one is it: `/omp health` and the home
// channel's start report warn when they differ. The tested version is the exact devDependency in
// package.json (the one `npm install` puts next to the bot), so there is no second constant to forget.

import { readFileSync } from "node:fs";

/** omp's npm package, pinned exactly in package.json's devDependencies. */
export const OMP_PACKAGE = "@oh-my-pi/pi-coding-agent";

/** package.json of the checkout or install (the same path from `src/health` and `dist/health`). */
const PACKAGE_JSON = new URL("../../package.json", import.meta.url);

/** The omp version the bot is tested with; undefined when package.json does not pin one. */
export function testedOmpVersion(packageJson: URL | string = PACKAGE_JSON): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const range = manifest.devDependencies?.[OMP_PACKAGE] ?? manifest.dependencies?.[OMP_PACKAGE];
    return range ? parseOmpVersion(range) : undefined;
  } catch {
    return undefined;
  }
}

/** The version in what `omp --version` prints (`omp/18.2.3`) or in a pinned range (`18.2.3`, `^18.2.3`). */
export function parseOmpVersion(text: string): string | undefined {
  return /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?/.exec(text)?.[0];
}

/**
 * Why the installed omp may not behave as the bot expects (its flags, events and extension API are what
 * the tests ran against), or undefined when it is the tested version or either is unknown.
 */
export function ompVersionWarning(printed: string, tested: string | undefined): string | undefined {
  const installed = parseOmpVersion(printed);
  if (!tested || !installed || installed === tested) return undefined;
  return `ompcord is tested with omp ${tested}, this is ${installed}: runs may fail or look wrong. Run \`npm install\` in the checkout (or point OMP_BIN at omp ${tested}).`;
}
