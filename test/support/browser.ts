// A real browser for the playground's tests: Debian's Chromium (never a downloaded one) driven by
// playwright-core, headless, with a fresh profile per launch. Screenshots go to a gitignored folder.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's package (`apt-get install chromium`; `npm test` installs it, see scripts/ensure-system-packages.mjs). */
export const CHROMIUM = "/usr/bin/chromium";
/** Where screenshots of test runs go (gitignored): look at them after a run. */
export const ARTIFACTS_DIR = resolve(import.meta.dirname, "../../test-artifacts/playground");

/** Headless, no GPU, nothing fetched in the background, nothing to set up on first run. */
const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** `extraArgs`: more Chromium switches (a test maps a foreign host name to 127.0.0.1 with one). */
export async function launchBrowser(extraArgs: string[] = []): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "ompcord-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [...LAUNCH_ARGS, ...extraArgs],
    headless: true,
    viewport: { width: 1400, height: 860 },
    // Generous: the machine is shared, and a page may wait on a real omp run.
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A path for a screenshot named `name` (.png) in the artifacts folder, which it creates. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, `${name}.png`);
}
