// The sidecar API token when none is configured: generated once, kept in `<dataDir>/api-token` (0600)
// so that omp extensions installed by hand keep working across restarts.

import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULTS, RANGES } from "./defaults.js";

/** Returns the persisted token, creating (or replacing an unusable) one. */
export function ensureApiToken(dataDir: string): string {
  const file = join(dataDir, DEFAULTS.apiTokenFile);
  const existing = readToken(file);
  if (existing !== undefined) {
    // A token readable by other users is as good as public: tighten a file someone loosened.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return existing;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode option does not apply when the file already existed
  return token;
}

function readToken(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const token = text.trim();
  return token.length >= RANGES.apiTokenMinChars && !/\s/.test(token) ? token : undefined;
}
