// Which job this copy of the extension does, decided once at load from its environment and files:
// - `bot`: loaded by an ompcord bot run (`--trusted-extension`), which gave it the sidecar's URL, a
//   token for this run and the session id;
// - `webhook`: a copy a person installed (`npm run extension -- install`), with a settings file next to
//   it naming a Discord webhook: it posts there when the agent finishes or fails;
// - `inert`: anything else, including an installed copy inside a bot run (the bot's own copy acts).

import { RUN_ENV } from "../../../src/extension-protocol.js";
import { type MirrorSettings, mirrorSettingsProblem } from "./mirror.js";

/** The settings file an installed copy keeps beside its `index.js`. */
export const SETTINGS_FILE = "ompcord.json";

export interface InstalledSettings {
  /** `https://discord.com/api/webhooks/<id>/<token>` (http only on loopback, for tests). */
  webhookUrl?: string;
  /** The name the webhook posts under (default "omp"). */
  username?: string;
  /** Terminal mirroring into the bot's home channel, with a named token (src/sidecar/mirror.ts). */
  mirror?: MirrorSettings;
}

export type ExtensionMode =
  | { kind: "bot"; apiUrl: string; token: string; sessionId: string; runId: string | undefined }
  | { kind: "webhook"; webhookUrl: string; username: string; mirror?: MirrorSettings | undefined }
  /** Installed with mirror settings only: no webhook. */
  | { kind: "mirror"; mirror: MirrorSettings }
  | { kind: "inert"; reason: string; problem?: string };

/**
 * What is wrong with a webhook URL ("is missing", "is not a URL", "does not start with https://"), or
 * undefined when a webhook may be posted to it: https, or http on this machine (tests). The URL itself
 * is never repeated: it is a credential.
 */
export function webhookUrlProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || value.trim() === "") return "is missing";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol === "https:" || (url.protocol === "http:" && loopback)) return undefined;
  return "does not start with https://";
}

/**
 * The mode for this copy. `installed` is the text of the settings file beside the module, when there
 * is one: its presence is what makes a copy an installed one.
 */
export function chooseMode(
  env: Record<string, string | undefined>,
  installed: { path: string; text: string } | undefined,
): ExtensionMode {
  const apiUrl = env[RUN_ENV.apiUrl];
  const token = env[RUN_ENV.runToken];
  const sessionId = env[RUN_ENV.sessionId];
  if (installed) {
    if (token) return { kind: "inert", reason: "an installed copy inside an ompcord bot run" };
    let settings: InstalledSettings;
    try {
      settings = JSON.parse(installed.text) as InstalledSettings;
    } catch {
      return {
        kind: "inert",
        reason: "unreadable settings",
        problem: `${installed.path} is not valid JSON. Run \`npm run extension -- install --webhook-url <url>\` again.`,
      };
    }
    let mirror: MirrorSettings | undefined;
    if (settings?.mirror !== undefined) {
      const mirrorProblem = mirrorSettingsProblem(settings.mirror);
      if (mirrorProblem) {
        return {
          kind: "inert",
          reason: "unusable mirror settings",
          problem: `The \`mirror\` block in ${installed.path} ${mirrorProblem}. Run \`npm run extension -- install --mirror-url <url> --mirror-token <token>\` again.`,
        };
      }
      mirror = settings.mirror;
    }
    const problem = webhookUrlProblem(settings?.webhookUrl);
    if (problem && mirror && settings?.webhookUrl === undefined) return { kind: "mirror", mirror };
    if (problem) {
      return {
        kind: "inert",
        reason: "no webhook",
        problem: `The \`webhookUrl\` in ${installed.path} ${problem}. Run \`npm run extension -- install --webhook-url <url>\` again.`,
      };
    }
    const username =
      typeof settings.username === "string" && settings.username.trim() ? settings.username : "omp";
    return { kind: "webhook", webhookUrl: settings.webhookUrl!, username, ...(mirror ? { mirror } : {}) };
  }
  if (apiUrl && token && sessionId) {
    return { kind: "bot", apiUrl, token, sessionId, runId: env[RUN_ENV.runId] };
  }
  return { kind: "inert", reason: "not in an ompcord run and not installed with settings" };
}
