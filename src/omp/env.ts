// The environment an omp child gets: an allowlist of the parent's variables plus the ompcord session
// variables, never the Discord token or the bot's own secrets. Pure.

import { RUN_ENV } from "../extension-protocol.js";

/** Variables copied from the parent when present. */
const ALLOWED_NAMES = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TERM",
  "SHELL",
  "COLORTERM",
  "NO_COLOR",
  "XDG_CONFIG_HOME",
  "XDG_DATA_HOME",
  "XDG_CACHE_HOME",
  "XDG_RUNTIME_DIR",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  // Model providers: omp reads these to authenticate to the model the operator chose.
  "ANTHROPIC_API_KEY",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "OPENROUTER_API_KEY",
  "GROQ_API_KEY",
  "MISTRAL_API_KEY",
  "XAI_API_KEY",
  "DEEPSEEK_API_KEY",
  "CEREBRAS_API_KEY",
  "AZURE_OPENAI_API_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_PROFILE",
]);

/** Prefixes copied from the parent (locale settings, omp's own settings). */
const ALLOWED_PREFIXES = ["LC_", "OMP_", "PI_"];

/** Never copied, whatever the allowlist or `envPassthrough` says: the bot's own secrets and settings. */
const FORBIDDEN_PREFIXES = ["DISCORD_", "OMPCORD_"];
/**
 * ompcord's own settings that share omp's `OMP_` prefix (src/config/schema.ts): they configure the bot,
 * not omp, and are not omp's business. A test keeps this list equal to the config's.
 */
export const OMPCORD_OMP_SETTINGS: ReadonlySet<string> = new Set([
  "OMP_BIN",
  "OMP_MODEL",
  "OMP_EXTRA_ARGS",
  "OMP_WORKDIR",
  "OMP_CHANNEL_WORKDIRS",
  "OMP_MAX_CONCURRENT_RUNS",
  "OMP_RUN_TIMEOUT",
  "OMP_KILL_GRACE",
  "OMP_MAX_RETRIES",
  "OMP_ENV_PASSTHROUGH",
  "OMP_LAUNCH_EMOJI",
  "OMP_LAUNCH_CHANNEL_IDS",
]);

export interface ChildEnvOptions {
  /** Extra variable names the operator wants passed through. */
  passthrough?: readonly string[];
  /** The ompcord session id (`OMPCORD_SESSION_ID`). */
  sessionId: string;
  /** Sidecar API base URL for the OMP extension. */
  apiUrl?: string | undefined;
  /**
   * The run's own sidecar token (valid for its session only, revoked when the run ends). The bot's
   * long-lived API token never goes into a run: the agent can read its environment.
   */
  runToken?: string | undefined;
  /** The run's id, for the extension's logs. */
  runId?: string | undefined;
  /** The run's approval policy, for the extension's gate. */
  approvalPolicy?: string | undefined;
}

function isForbidden(name: string): boolean {
  return OMPCORD_OMP_SETTINGS.has(name) || FORBIDDEN_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function isAllowed(name: string, passthrough: ReadonlySet<string>): boolean {
  return ALLOWED_NAMES.has(name) || passthrough.has(name) || ALLOWED_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The child's environment, built from `parent` by allowlist. Use it with execa's `extendEnv: false`,
 * otherwise the parent's whole environment leaks in anyway.
 */
export function buildChildEnv(parent: NodeJS.ProcessEnv, options: ChildEnvOptions): Record<string, string> {
  const passthrough = new Set(options.passthrough ?? []);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || isForbidden(name)) continue;
    if (isAllowed(name, passthrough)) env[name] = value;
  }
  env[RUN_ENV.sessionId] = options.sessionId;
  if (options.apiUrl) env[RUN_ENV.apiUrl] = options.apiUrl;
  if (options.runToken) env[RUN_ENV.runToken] = options.runToken;
  if (options.runId) env[RUN_ENV.runId] = options.runId;
  if (options.approvalPolicy) env[RUN_ENV.approvals] = options.approvalPolicy;
  return env;
}

/**
 * PATH with `binDir` first when it is missing: omp is a `#!/usr/bin/env bun` script, so the directory
 * holding `bun` (node_modules/.bin next to omp) must be on the child's PATH.
 */
export function pathWithBinDir(path: string | undefined, binDir: string): string {
  const parts = (path ?? "").split(":").filter((part) => part.length > 0);
  if (parts.includes(binDir)) return parts.join(":");
  return [binDir, ...parts].join(":");
}
