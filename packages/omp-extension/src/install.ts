// Installs the built extension into a person's own omp (`~/.omp/agent/extensions/ompcord/`), with its
// settings beside it, or removes it. Runs in Node (the install command), not inside omp.

import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MirrorSettings, mirrorSettingsProblem } from "./mirror.js";
import { type InstalledSettings, SETTINGS_FILE, webhookUrlProblem } from "./settings.js";

/** Where omp discovers a person's extensions: one directory per extension, loaded from its index.js. */
export function installDir(home: string): string {
  return join(home, ".omp", "agent", "extensions", "ompcord");
}

export interface InstallOptions {
  /** The person's home directory. */
  home: string;
  /** The built bundle (src/omp/extension.ts builds it). */
  bundle: string;
  /** A Discord webhook URL: the agent posts there when it finishes or fails. */
  webhookUrl?: string | undefined;
  /** Terminal mirroring: the bot's sidecar URL and a named token from `/omp token action:issue`. */
  mirror?: MirrorSettings | undefined;
  /** The name the webhook posts under (default "omp"). */
  username?: string | undefined;
}

export interface Installed {
  dir: string;
  /** The extension omp loads. */
  entry: string;
  /** The settings file (mode 0600: the webhook URL and the mirror token are credentials). */
  settings: string;
  webhook: boolean;
  mirror: boolean;
}

/** Thrown for an option a person must fix; the message says how. */
export class InstallError extends Error {
  override readonly name = "InstallError";
}

export function installExtension(options: InstallOptions): Installed {
  if (options.webhookUrl === undefined && options.mirror === undefined) {
    throw new InstallError(
      "Expected `--webhook-url <url>` (a message when the agent finishes), `--mirror-url <url> --mirror-token <token>` (terminal mirroring), or both.",
    );
  }
  if (options.mirror) {
    const mirrorProblem = mirrorSettingsProblem(options.mirror);
    if (mirrorProblem) {
      throw new InstallError(
        `The mirror settings ${mirrorProblem}. \`--mirror-url\` is the bot's sidecar (http://127.0.0.1:8901 on the bot's machine, see <data dir>/sidecar.json); \`--mirror-token\` is a token from \`/omp token action:issue\`.`,
      );
    }
  }
  const problem = options.webhookUrl === undefined ? undefined : webhookUrlProblem(options.webhookUrl);
  if (problem) {
    throw new InstallError(
      `Expected \`--webhook-url\` to be a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>), but it ${problem}. In Discord: channel settings → Integrations → Webhooks → New Webhook → Copy Webhook URL.`,
    );
  }
  if (!existsSync(options.bundle)) {
    throw new InstallError(
      `The extension is not built (${options.bundle}): run \`npm run build:extension\` first.`,
    );
  }
  const dir = installDir(options.home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const entry = join(dir, "index.js");
  copyFileSync(options.bundle, entry);
  const settings = join(dir, SETTINGS_FILE);
  const body: InstalledSettings = {
    ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
    ...(options.username ? { username: options.username } : {}),
    ...(options.mirror ? { mirror: options.mirror } : {}),
  };
  writeFileSync(settings, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  chmodSync(settings, 0o600);
  return { dir, entry, settings, webhook: body.webhookUrl !== undefined, mirror: body.mirror !== undefined };
}

/** Removes the installed copy; returns whether there was one. */
export function uninstallExtension(home: string): boolean {
  const dir = installDir(home);
  if (!existsSync(dir)) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}
