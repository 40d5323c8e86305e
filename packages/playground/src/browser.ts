// Opening the page in the person's browser, only where a person sits at a desktop: never under CI, never
// with BROWSER=none, and on Linux only with a display (an SSH session or a container has none, and
// `xdg-open` there would start a text browser or fail).

import { spawn } from "node:child_process";

export interface BrowserDecision {
  open: boolean;
  /** The program to run with the URL, when `open`. */
  command?: string;
  /** Why not, for the start-up text. */
  reason?: string;
}

const OPENERS: Partial<Record<NodeJS.Platform, string>> = { darwin: "open", win32: "explorer.exe" };

export function browserDecision(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): BrowserDecision {
  const ci = env.CI;
  if (ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false") {
    return { open: false, reason: "CI is set" };
  }
  const browser = env.BROWSER?.trim();
  if (browser?.toLowerCase() === "none") return { open: false, reason: "BROWSER=none" };
  const desktop =
    platform === "darwin" || platform === "win32"
      ? env.SSH_CONNECTION === undefined && env.SSH_TTY === undefined
      : Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  if (!desktop) return { open: false, reason: "no desktop session (DISPLAY and WAYLAND_DISPLAY are unset)" };
  return { open: true, command: browser || OPENERS[platform] || "xdg-open" };
}

/** Opens `url` when the decision says so; a missing or failing opener is not an error (the URL is printed). */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): BrowserDecision {
  const decision = browserDecision(env, process.platform);
  if (!decision.open || !decision.command) return decision;
  try {
    const child = spawn(decision.command, [url], { detached: true, stdio: "ignore", env });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    return { open: false, reason: `${decision.command} could not be started` };
  }
  return decision;
}
