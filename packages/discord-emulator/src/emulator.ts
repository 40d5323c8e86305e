// The emulator as one object: an HTTP + WebSocket server on an ephemeral loopback port (REST under /api,
// gateway under /gateway, control under /_control, uploads under /attachments) and the in-process control API.

import { randomBytes } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { AddressInfo } from "node:net";
import { type APIApplicationCommand, GatewayIntentBits } from "discord-api-types/v10";
import {
  DEFAULT_RATE_LIMITS,
  DEFAULT_WAIT_MS,
  GatewayDefaults,
  InteractionTiming,
  type RateLimitRules,
} from "./constants.js";
import { interactionHandle, UserActor } from "./control/actor.js";
import { type CountersSnapshot, RestCounters } from "./control/counters.js";
import { handleControl } from "./control/http.js";
import type { ControlTarget, FaultControls, NewChannelInput } from "./control/target.js";
import {
  type ChannelView,
  channelView,
  type InteractionView,
  interactionView,
  type MessageView,
  messageView,
  type SeededWorld,
  type UserView,
  userView,
} from "./control/views.js";
import { type WaitOptionsInput, waitForState } from "./control/waiters.js";
import { EmulatorCore } from "./core.js";
import { RestFaults } from "./faults/faults.js";
import { GatewayServer } from "./gateway/server.js";
import { RateLimiter } from "./ratelimit/limiter.js";
import { RestApi, sendJson } from "./rest/api.js";
import { restRouter } from "./rest/routes/index.js";
import type { UserRecord } from "./state/records.js";
import { type ChangeEvent, EmulatorStore } from "./state/store.js";

export interface EmulatorOptions {
  /** Loopback by default. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bot token clients must present; random by default. */
  botToken?: string;
  botName?: string;
  /** HELLO's heartbeat interval (Discord: 41250 ms). */
  heartbeatIntervalMs?: number;
  /** Override some limits, or `false` to serve without rate limits (benchmarks of raw throughput). */
  rateLimits?: Partial<RateLimitRules> | false;
  /** Privileged intents the application may use; all three by default. */
  allowedPrivilegedIntents?: number;
  interactionCallbackDeadlineMs?: number;
  interactionTokenLifetimeMs?: number;
  resumeWindowMs?: number;
  /**
   * Decides, before anything else, whether a request (or a gateway upgrade) may use the server at all;
   * a refusal is answered as given. Without one everyone on the host may, as a test emulator wants. The
   * local playground sets one: its per-start secret and `Host`/`Origin` checks, so another local user
   * or a web page in the person's browser cannot drive the bot.
   */
  guard?: (request: IncomingMessage, area: EmulatorArea) => RequestRefusal | undefined;
  /**
   * Versions kept per message in `history` (the first and the newest, at least 2); unlimited by
   * default. A long-lived emulator sets it so edited messages (live dashboards) do not grow for good.
   */
  messageHistoryLimit?: number;
}

/** Which part of the server a request is for: what a guard judges it by. */
export type EmulatorArea = "rest" | "gateway" | "control" | "attachments" | "other";

/** How a guard turns a request away. */
export interface RequestRefusal {
  status: number;
  message: string;
}

/**
 * One change to the emulated world, by id: re-read what changed through the views. `kind` names the
 * change as the store does (`messageCreate`, `messageUpdate`, `reactionAdd`, `threadCreate`, …).
 */
export interface EmulatorChange {
  kind: Exclude<ChangeEvent["kind"], "closed">;
  guildId?: string;
  channelId?: string;
  messageId?: string;
  interactionId?: string;
  userId?: string;
}

export class Emulator implements ControlTarget {
  /** The base discord.js needs: `new Client({ rest: { api: emu.restUrl } })`. */
  readonly restUrl: string;
  readonly gatewayUrl: string;
  /** Base for `/_control/*` and attachment URLs. */
  readonly baseUrl: string;
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUser: UserView;

  /** Fault injection: REST latency and failures, gateway drops. */
  readonly faults: FaultControls;

  constructor(
    /** The underlying world, for what the control API does not cover yet. */
    readonly core: EmulatorCore,
    private readonly gateway: GatewayServer,
    private readonly server: Server,
  ) {
    this.baseUrl = core.baseUrl;
    this.restUrl = `${core.baseUrl}/api`;
    this.gatewayUrl = core.gatewayUrl;
    this.botToken = core.settings.botToken;
    this.applicationId = core.store.applicationId;
    this.botUser = userView(core.store.bot);
    this.faults = {
      dropGateway: (options) => this.gateway.drop(options),
      requestReconnect: () => this.gateway.requestReconnect(),
      failNextRequests: (count, options) => core.faults.failNext(count, options),
      setLatency: (ms) => core.faults.setLatency(ms),
      clear: () => core.faults.clear(),
    };
  }

  private get store() {
    return this.core.store;
  }

  // ── building the world ─────────────────────────────────────────────────────────────────────────

  createGuild(input: { name: string }): { id: string; name: string } {
    const guild = this.store.createGuild(input);
    return { id: guild.id, name: guild.name };
  }

  createChannel(input: NewChannelInput): ChannelView {
    return channelView(this.store.createChannel(input));
  }

  /** Deletes a channel or thread (as a moderator would): CHANNEL_DELETE / THREAD_DELETE, then 404s. */
  deleteChannel(channelId: string): void {
    this.store.deleteChannel(this.store.requireChannel(channelId));
  }

  /** A user, member of every guild. */
  createUser(input: { username: string; globalName?: string; bot?: boolean }): UserView {
    return userView(this.store.createUser(input));
  }

  /** A guild "ompcord-dev" with a text channel "launch" and users alice and bob. */
  seed(): SeededWorld {
    const guild = this.createGuild({ name: "ompcord-dev" });
    const channel = this.createChannel({ guildId: guild.id, name: "launch" });
    const alice = this.createUser({ username: "alice" });
    const bob = this.createUser({ username: "bob" });
    return { guildId: guild.id, channelId: channel.id, users: { alice, bob } };
  }

  /** Act as a user (by id or view): post, react, run commands, click buttons. */
  as(user: string | { id: string }): UserActor {
    const id = typeof user === "string" ? user : user.id;
    const record: UserRecord = this.store.requireUser(id);
    return new UserActor(this.core, record);
  }

  // ── reading state ──────────────────────────────────────────────────────────────────────────────

  /** Messages of a channel, oldest first, with edit history; ephemeral replies are on interactions. */
  messages(channelId: string, options: { includeDeleted?: boolean } = {}): MessageView[] {
    return this.store
      .channelMessages(channelId, options)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .map((m) => messageView(this.store, m));
  }

  message(messageId: string): MessageView {
    const m = this.store.messages.get(messageId);
    if (!m) throw new Error(`Unknown message ${messageId}`);
    return messageView(this.store, m);
  }

  /** When the typing indicator was started in `channelId` (by the bot or anyone), oldest first. */
  typingIn(channelId: string): { userId: string; at: Date }[] {
    return this.store.typing
      .filter((typing) => typing.channelId === channelId)
      .map((typing) => ({ userId: typing.userId, at: typing.at }));
  }

  pins(channelId: string): MessageView[] {
    return this.messages(channelId).filter((m) => m.pinned);
  }

  channel(channelId: string): ChannelView {
    return channelView(this.store.requireChannel(channelId));
  }

  /** Threads, optionally only those under one parent channel. */
  threads(parentId?: string): ChannelView[] {
    return [...this.store.channels.values()]
      .filter((c) => c.thread && (parentId === undefined || c.parentId === parentId))
      .map(channelView);
  }

  interaction(interactionId: string): InteractionView {
    const i = this.store.interactions.get(interactionId);
    if (!i) throw new Error(`Unknown interaction ${interactionId}`);
    return interactionView(this.store, i);
  }

  interactions(): InteractionView[] {
    return [...this.store.interactions.values()].map((i) => interactionView(this.store, i));
  }

  /** The application commands the bot registered in a guild (or globally, with no id), as it sent them. */
  commands(guildId?: string): APIApplicationCommand[] {
    return structuredClone(this.store.commands.get(guildId ?? "global") ?? []);
  }

  /**
   * Calls `listener` after every change to the world (a client's view of Discord's events, ephemeral
   * replies included); returns the unsubscribe function. Listeners must not change the world.
   */
  onChange(listener: (change: EmulatorChange) => void): () => void {
    return this.store.onChange((event) => {
      const change = changeOf(event);
      if (change) listener(change);
    });
  }

  /** The uploaded bytes of an attachment. */
  attachmentBytes(attachmentId: string): Buffer {
    const a = this.core.attachments.get(attachmentId);
    if (!a) throw new Error(`Unknown attachment ${attachmentId}`);
    return a.bytes;
  }

  get counters(): CountersSnapshot {
    return this.core.counters.snapshot(this.gateway.counters);
  }

  resetCounters(): void {
    this.core.counters.reset();
  }

  /** Gateway sessions with a live socket (e.g. to wait until a client has resumed). */
  get connectedGatewaySessions(): number {
    return this.gateway.connectedSessionCount;
  }

  // ── waiting ────────────────────────────────────────────────────────────────────────────────────

  /** The first message (existing or future, any channel) matching `predicate`. */
  waitForMessage(
    predicate: (m: MessageView) => boolean,
    options: WaitOptionsInput = {},
  ): Promise<MessageView> {
    return this.waitForAnyMessage(predicate, options, "waitForMessage", false);
  }

  /** The first message that has been edited at least once and matches `predicate` in its current state. */
  waitForEdit(predicate: (m: MessageView) => boolean, options: WaitOptionsInput = {}): Promise<MessageView> {
    return this.waitForAnyMessage(predicate, options, "waitForEdit", true);
  }

  /** The first thread (existing or future) matching `predicate`. */
  waitForThread(predicate: (t: ChannelView) => boolean = () => true, options: WaitOptionsInput = {}) {
    return waitForState(this.store, () => this.threads().find(predicate), {
      timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
      what: "waitForThread",
      describe: () =>
        `Threads: ${JSON.stringify(this.threads().map((t) => ({ id: t.id, name: t.name, archived: t.archived })))}`,
    });
  }

  /** Resolves once the bot answered the interaction visibly (reply, filled-in deferral, update, follow-up). */
  waitForInteractionReply(interactionId: string, options: WaitOptionsInput = {}): Promise<InteractionView> {
    const record = this.store.interactions.get(interactionId);
    if (!record) return Promise.reject(new Error(`Unknown interaction ${interactionId}`));
    return interactionHandle(this.store, record).waitForReply(options);
  }

  /**
   * Any condition, re-checked after every state change and every 100 ms besides: a test's condition
   * often reads its bot's state too, which settles after the last request the emulator saw.
   */
  waitFor<T>(
    check: () => T | undefined | false | null,
    options: WaitOptionsInput & { what?: string } = {},
  ): Promise<T> {
    return waitForState(this.store, () => check() || undefined, {
      timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
      what: options.what ?? "waitFor",
      describe: () => "The condition never held.",
      pollMs: 100,
    }) as Promise<T>;
  }

  private waitForAnyMessage(
    predicate: (m: MessageView) => boolean,
    options: WaitOptionsInput,
    what: string,
    editedOnly: boolean,
  ): Promise<MessageView> {
    const check = () => {
      for (const m of this.store.messages.values()) {
        if (m.deletedAt || (editedOnly && m.history.length < 2)) continue;
        const view = messageView(this.store, m);
        if (predicate(view)) return view;
      }
      return undefined;
    };
    return waitForState(this.store, check, {
      timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS,
      what,
      describe: () => {
        const recent = [...this.store.messages.values()].slice(-5).map((m) => ({
          id: m.id,
          channel: m.channelId,
          author: this.store.users.get(m.authorId)?.username,
          content: m.content.slice(0, 80),
          embeds: m.embeds.map((e) => e.title ?? "").filter(Boolean),
          edits: m.history.length - 1,
        }));
        return `No message matched. Last ${recent.length} messages: ${JSON.stringify(recent)}`;
      },
    });
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────

  /** Closes sockets, the gateway and the HTTP server; nothing stays open. */
  async close(): Promise<void> {
    this.store.close();
    await this.gateway.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** The ids a change touches, for `onChange` listeners; undefined for the close notice. */
function changeOf(event: ChangeEvent): EmulatorChange | undefined {
  switch (event.kind) {
    case "closed":
      return undefined;
    case "guildCreate":
      return { kind: event.kind, guildId: event.guild.id };
    case "channelCreate":
    case "channelUpdate":
    case "channelDelete":
      return { kind: event.kind, guildId: event.channel.guildId, channelId: event.channel.id };
    case "threadCreate":
      return { kind: event.kind, guildId: event.thread.guildId, channelId: event.thread.id };
    case "threadMemberAdd":
    case "threadMemberRemove":
      return { kind: event.kind, channelId: event.thread.id, userId: event.userId };
    case "messageCreate":
    case "messageUpdate":
    case "messageDelete":
    case "pins":
      return { kind: event.kind, channelId: event.message.channelId, messageId: event.message.id };
    case "reactionAdd":
    case "reactionRemove":
      return {
        kind: event.kind,
        channelId: event.message.channelId,
        messageId: event.message.id,
        userId: event.userId,
      };
    case "interactionCreate":
    case "interactionUpdate":
      return {
        kind: event.kind,
        channelId: event.interaction.channelId,
        interactionId: event.interaction.id,
        userId: event.interaction.userId,
      };
    case "typingStart":
      return { kind: event.kind, channelId: event.typing.channelId, userId: event.typing.userId };
  }
}

/** The part of the server a path belongs to. */
function areaOf(pathname: string): EmulatorArea {
  if (/^\/api(?:\/|$)/.test(pathname)) return "rest";
  if (pathname === "/gateway") return "gateway";
  if (pathname.startsWith("/_control/")) return "control";
  if (pathname.startsWith("/attachments/")) return "attachments";
  return "other";
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const historyLimit = options.messageHistoryLimit;
  if (historyLimit !== undefined && (!Number.isInteger(historyLimit) || historyLimit < 2)) {
    throw new TypeError(
      `Expected \`messageHistoryLimit\` to be an integer from 2 up, got \`${historyLimit}\``,
    );
  }
  const store = new EmulatorStore(options.botName, historyLimit);
  const rules =
    options.rateLimits === false ? null : { ...DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) };
  const core = new EmulatorCore(
    store,
    {
      botToken:
        options.botToken ??
        `${Buffer.from(store.bot.id).toString("base64url")}.${randomBytes(24).toString("base64url")}`,
      interactionCallbackDeadlineMs:
        options.interactionCallbackDeadlineMs ?? InteractionTiming.callbackDeadlineMs,
      interactionTokenLifetimeMs: options.interactionTokenLifetimeMs ?? InteractionTiming.tokenLifetimeMs,
    },
    new RateLimiter(rules),
    new RestFaults(),
    new RestCounters(),
  );
  const gateway = new GatewayServer(store, {
    token: core.settings.botToken,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? GatewayDefaults.heartbeatIntervalMs,
    allowedPrivilegedIntents:
      options.allowedPrivilegedIntents ??
      GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent,
    resumeWindowMs: options.resumeWindowMs ?? GatewayDefaults.resumeWindowMs,
  });
  const rest = new RestApi(core, restRouter());
  let emulator: Emulator | undefined;

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: `500: ${(error as Error).message}`, code: 0 });
      else res.destroy();
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const refusal = options.guard?.(req, areaOf(url.pathname));
    if (refusal) {
      req.resume();
      sendJson(res, refusal.status, { message: refusal.message, code: 0 });
      return;
    }
    const api = /^\/api(?:\/v(\d+))?(\/.*)$/.exec(url.pathname);
    if (api) return rest.handle(req, res, api[2]!, url.searchParams);
    if (url.pathname.startsWith("/_control/") && emulator) return handleControl(emulator, req, res, url);
    const file = /^\/attachments\/\d+\/(\d+)\//.exec(url.pathname);
    const attachment = file ? core.attachments.get(file[1]!) : undefined;
    if (attachment) {
      res.writeHead(200, {
        "Content-Type": attachment.contentType ?? "application/octet-stream",
        "Content-Length": String(attachment.bytes.length),
      });
      res.end(attachment.bytes);
      return;
    }
    sendJson(res, 404, { message: "404: Not Found", code: 0 });
  }
  server.on("upgrade", (req, socket, head) => {
    const pathname = new URL(req.url ?? "/", "http://emulator.invalid").pathname;
    const refusal = options.guard?.(req, areaOf(pathname));
    if (refusal) {
      socket.end(
        `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? "Refused"}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    if (pathname === "/gateway") {
      gateway.handleUpgrade(req, socket, head);
    } else {
      socket.destroy();
    }
  });
  // Idle keep-alive sockets must not hold close() up.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  core.baseUrl = `http://${host}:${port}`;
  core.gatewayUrl = `ws://${host}:${port}/gateway`;
  gateway.url = core.gatewayUrl;
  emulator = new Emulator(core, gateway, server);
  return emulator;
}
