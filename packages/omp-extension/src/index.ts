// The ompcord OMP extension, bundled to one file that omp loads under Bun. In a bot run (the bot passes
// it with `--trusted-extension` and gives the run its sidecar URL and token) it reports what omp's
// stdout lacks (context-window use), steers the running agent with messages from the thread, and offers
// the model `discord_notify`; installed in a person's own omp with a webhook URL, it posts when the
// agent finishes or fails. Whatever happens, it never blocks the agent with telemetry, never crashes
// omp, and never lets a secret leave the process unredacted.

import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExtensionAPI, ExtensionContext } from "@oh-my-pi/pi-coding-agent";
import {
  EXTENSION_EVENT_TYPES,
  NOTIFY_MAX_CHARS,
  NOTIFY_RATE_LIMIT,
  THREAD_READ_LIMIT,
} from "../../../src/extension-protocol.js";
import { renderThreadMessages, UNTRUSTED_NOTE } from "../../../src/format/thread-reading.js";
import { createRedactor } from "../../../src/output/redact.js";
import { secretEnvValues } from "../../../src/secrets.js";
import { DecisionClient, registerAskTool, registerGate, runPolicy } from "./decisions.js";
import { Guard } from "./guard.js";
import { CallError } from "./http.js";
import { registerMirror } from "./mirror.js";
import { chooseMode, type ExtensionMode, SETTINGS_FILE } from "./settings.js";
import { SidecarClient } from "./sidecar.js";
import { SteeringChannel } from "./steering.js";
import { TelemetryQueue } from "./telemetry.js";
import { outcomeOf, WebhookNotifier, webhookMessage } from "./webhook.js";

/** The tool the model calls to post into its thread. */
export const NOTIFY_TOOL = "discord_notify";
/** The tool the model calls to read its thread. */
export const READ_THREAD_TOOL = "discord_read_thread";

/**
 * The factory runs once for the root session, then again (same module, same process) for each subagent
 * omp's `task` tool starts: the first call is the root's.
 */
let instances = 0;

/** What every instance of this process shares: one guard (one log line per kind), one redactor. */
interface Shared {
  guard: Guard;
  redact: (text: string) => string;
  mode: ExtensionMode;
}
let shared: Shared | undefined;

/** The settings file beside this module, when this copy was installed with one. */
function installedSettings(): { path: string; text: string } | undefined {
  // omp imports extensions with a `?mtime=` query on the URL.
  const here = fileURLToPath(new URL(import.meta.url.split("?")[0]!));
  const path = join(dirname(here), SETTINGS_FILE);
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch {
    return undefined;
  }
}

function setUp(): Shared {
  if (shared) return shared;
  // Exact values of the environment's secrets (provider keys, this run's token) and the shapes of
  // common credentials: the same redactor the bot uses (src/output/redact.ts), bundled.
  const redactor = createRedactor({ secrets: secretEnvValues(process.env) });
  const redact = (text: string) => redactor.redact(text);
  const guard = new Guard({ redact });
  let mode: ExtensionMode;
  try {
    mode = chooseMode(process.env, installedSettings());
  } catch (error) {
    guard.fail("settings", error);
    mode = { kind: "inert", reason: "settings failed" };
  }
  shared = { guard, redact, mode };
  return shared;
}

export default function ompcordExtension(pi: ExtensionAPI): void {
  const instance = ++instances;
  let context: Shared | undefined;
  try {
    context = setUp();
    const { mode, guard } = context;
    if (mode.kind === "inert") {
      if (mode.problem) guard.report("settings", mode.problem);
      // A bot run that should ask but cannot reach the sidecar: every call that asks is blocked.
      const policy = runPolicy(process.env);
      if (policy) registerGate(pi, policy, undefined, context.redact);
      return;
    }
    if (mode.kind === "webhook" || mode.kind === "mirror") {
      if (instance === 1 && mode.kind === "webhook") webhookMode(pi, context, mode);
      // Terminal mirroring (src/mirror.ts): registered on the root instance, inactive until asked for.
      if (instance === 1 && mode.mirror)
        registerMirror(pi, { ...context, settings: mode.mirror, env: process.env });
      return;
    }
    botMode(pi, context, mode, instance === 1);
  } catch (error) {
    // A throw here would fail the trusted extension's load, and with it every bot run.
    (context?.guard ?? new Guard()).fail("extension set-up", error);
  }
}

type BotMode = Extract<ExtensionMode, { kind: "bot" }>;

function botMode(pi: ExtensionAPI, { guard, redact }: Shared, mode: BotMode, firstInstance: boolean): void {
  const client = new SidecarClient({ apiUrl: mode.apiUrl, token: mode.token, sessionId: mode.sessionId });
  // omp's `on` is overloaded per event name; every handler goes through the guard, and returns what
  // the handler returns (session_stop's continuation) or nothing when it failed.
  const on = (event: string, handler: (event: never, ctx: ExtensionContext) => unknown) =>
    (pi.on as (event: string, handler: (event: unknown, ctx: ExtensionContext) => unknown) => void)(
      event,
      guard.wrap(
        `${event} handler`,
        handler as (event: unknown, ctx: ExtensionContext) => unknown,
        undefined,
      ),
    );

  registerNotifyTool(pi, client, redact);
  registerReadThreadTool(pi, client, redact);
  // Every instance, subagents included: each has its own tool calls to gate and may ask.
  const decisions = new DecisionClient({ apiUrl: mode.apiUrl, token: mode.token, sessionId: mode.sessionId });
  const policy = runPolicy(process.env);
  if (policy) registerGate(pi, policy, decisions, redact);
  registerAskTool(pi, decisions);
  // Subagents only have the tool: the run's context use is the root's, and steering goes to the root.
  if (!firstInstance) return;

  const telemetry = new TelemetryQueue({
    send: (event, signal) => client.sendEvent(event, signal),
    droppedEvent: (dropped) => client.droppedEvent(dropped),
    guard,
  });
  const steering = new SteeringChannel({
    transport: client,
    target: { steer: (text) => pi.sendUserMessage(text, { deliverAs: "steer" }) },
    guard,
    healthy: () => telemetry.responsive,
  });
  let root = true;
  let lastUsage = "";
  const reportContext = (ctx: ExtensionContext) => {
    const usage = ctx.getContextUsage();
    if (!usage || !Number.isFinite(usage.tokens) || !(usage.contextWindow > 0)) return;
    const key = `${usage.tokens}/${usage.contextWindow}`;
    if (key === lastUsage) return;
    lastUsage = key;
    telemetry.push({
      event_type: EXTENSION_EVENT_TYPES.contextUsage,
      content: {
        tokens: Math.round(usage.tokens),
        contextWindow: usage.contextWindow,
        percent: usage.percent,
      },
      timestamp: Date.now(),
    });
  };

  on("session_start", (_event, ctx) => {
    // A persisted subagent session names its parent; only the root session polls steering.
    root = ctx.sessionManager.getHeader()?.parentSession === undefined;
    if (!root) return;
    steering.start();
    reportContext(ctx);
  });
  on("agent_start", (_event, ctx) => {
    if (!root) return;
    steering.agentBusy();
    reportContext(ctx);
  });
  on("turn_start", () => {
    if (root) steering.agentBusy();
  });
  on("message_start", (event: { message?: { role?: unknown; steering?: unknown; content?: unknown } }) => {
    if (root) steering.messageStarted(event?.message);
  });
  for (const name of ["turn_end", "agent_end", "session_compact", "auto_compaction_end"] as const) {
    on(name, (_event, ctx) => {
      if (root) reportContext(ctx);
    });
  }
  on("session_stop", async () => (root ? steering.agentStopping() : undefined));
  on("session_shutdown", async () => {
    await Promise.all([telemetry.close(), steering.shutdown()]);
  });
}

function registerNotifyTool(pi: ExtensionAPI, client: SidecarClient, redact: (text: string) => string): void {
  const { messages, windowMs } = NOTIFY_RATE_LIMIT;
  pi.registerTool({
    name: NOTIFY_TOOL,
    label: "Post to the Discord thread",
    description: [
      "Post a short message into the Discord thread of this session, where the person who started it reads along.",
      "Use it for news worth knowing now (a milestone, a blocker, a question that can wait); your final answer is posted anyway.",
      `At most ${NOTIFY_MAX_CHARS} characters; at most ${messages} messages per ${Math.round(windowMs / 1000)} s.`,
      "It reaches only this thread, and nobody can reply through it.",
    ].join(" "),
    parameters: pi.zod.object({
      text: pi.zod
        .string()
        .describe(`The message, plain text or Discord markdown, at most ${NOTIFY_MAX_CHARS} characters.`),
    }),
    // Top level, called by name (extension tools are otherwise hidden behind xd://).
    loadMode: "essential",
    // It changes nothing on this machine.
    approval: "read",
    async execute(_toolCallId, params, signal) {
      const raw = (params as { text?: unknown } | undefined)?.text;
      const text = typeof raw === "string" ? raw.trim() : "";
      if (text === "") throw new Error("Expected `text` to be the message to post, got nothing.");
      if (text.length > NOTIFY_MAX_CHARS) {
        throw new Error(
          `The message is ${text.length} characters; ${NOTIFY_TOOL} takes at most ${NOTIFY_MAX_CHARS}. Shorten it.`,
        );
      }
      try {
        await client.notify(redact(text), signal);
      } catch (error) {
        if (error instanceof CallError && error.serverMessage) throw new Error(error.serverMessage);
        throw new Error(
          `Could not post to the Discord thread (${error instanceof Error ? error.message : String(error)}). Go on with the task; say it in your final answer instead.`,
        );
      }
      return { content: [{ type: "text", text: "Posted to the Discord thread." }] };
    },
  });
}

/**
 * `discord_read_thread`: what people said in this run's thread. The sidecar marks who may be trusted;
 * text from anyone who is not an allowed user reaches the model fenced and labelled (see
 * src/format/thread-reading.ts), since anyone who can post in the thread could otherwise steer the agent.
 */
function registerReadThreadTool(
  pi: ExtensionAPI,
  client: SidecarClient,
  redact: (text: string) => string,
): void {
  pi.registerTool({
    name: READ_THREAD_TOOL,
    label: "Read the Discord thread",
    description: [
      "Read the recent messages of this session's Discord thread: what the people who started it discussed around your run.",
      UNTRUSTED_NOTE,
      `Returns up to ${THREAD_READ_LIMIT.max} messages, oldest first (default ${THREAD_READ_LIMIT.default}).`,
    ].join(" "),
    parameters: pi.zod.object({
      limit: pi.zod
        .number()
        .int()
        .min(1)
        .max(THREAD_READ_LIMIT.max)
        .optional()
        .describe(`How many recent messages, 1 to ${THREAD_READ_LIMIT.max}.`),
    }),
    loadMode: "essential",
    // It changes nothing on this machine.
    approval: "read",
    async execute(_toolCallId, params, signal) {
      const raw = (params as { limit?: unknown } | undefined)?.limit;
      const limit =
        typeof raw === "number" && Number.isInteger(raw) && raw >= 1
          ? Math.min(raw, THREAD_READ_LIMIT.max)
          : THREAD_READ_LIMIT.default;
      let messages: Awaited<ReturnType<SidecarClient["readThread"]>>;
      try {
        messages = await client.readThread(limit, signal);
      } catch (error) {
        if (error instanceof CallError && error.serverMessage) throw new Error(error.serverMessage);
        throw new Error(
          `Could not read the Discord thread (${error instanceof Error ? error.message : String(error)}). Go on without it.`,
        );
      }
      // Redacted by the bot already; again here with this run's own secrets, which the bot may not know.
      return { content: [{ type: "text", text: redact(renderThreadMessages(messages)) }] };
    },
  });
}

type WebhookMode = Extract<ExtensionMode, { kind: "webhook" }>;

function webhookMode(pi: ExtensionAPI, { guard, redact }: Shared, mode: WebhookMode): void {
  const notifier = new WebhookNotifier({ url: mode.webhookUrl, username: mode.username, guard, redact });
  let startedAt = Date.now();
  let root = true;
  pi.on(
    "session_start",
    guard.wrap(
      "session_start handler",
      (_event: unknown, ctx: ExtensionContext) => {
        root = ctx.sessionManager.getHeader()?.parentSession === undefined;
      },
      undefined,
    ),
  );
  pi.on(
    "agent_start",
    guard.wrap(
      "agent_start handler",
      () => {
        startedAt = Date.now();
      },
      undefined,
    ),
  );
  pi.on(
    "agent_end",
    guard.wrap(
      "agent_end handler",
      (event: { messages?: unknown[]; willContinue?: boolean }, ctx: ExtensionContext) => {
        if (!root || event?.willContinue) return;
        const outcome = outcomeOf(event?.messages);
        notifier.post(
          webhookMessage(outcome, { where: basename(ctx.cwd) || ctx.cwd, elapsedMs: Date.now() - startedAt }),
        );
      },
      undefined,
    ),
  );
  pi.on(
    "session_shutdown",
    guard.wrap("session_shutdown handler", () => notifier.settle(), undefined),
  );
}
