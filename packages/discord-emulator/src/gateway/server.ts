// The Gateway v10 endpoint: HELLO/IDENTIFY/READY, heartbeats, sequence numbers, sessions that survive a
// dropped socket and replay what was missed on RESUME, and per-session filtering by intents.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
} from "discord-api-types/v10";
import { type WebSocket, WebSocketServer } from "ws";
import { GatewayDefaults } from "../constants.js";
import { guildCreatePayload, memberPayload } from "../state/guild-payload.js";
import { serializeUser } from "../state/serialize.js";
import type { EmulatorStore } from "../state/store.js";
import { ZlibStreamEncoder } from "./compression.js";
import { type DispatchRequest, dispatchOf } from "./dispatcher.js";
import { contentVisible, stripMessageContent } from "./intents.js";

const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
// Every intent bit Discord defines (bits 0–25 minus gaps); anything else is 4013 Invalid intents.
const KNOWN_INTENTS = (1 << 26) - 1;

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** Privileged intents the application is allowed to ask for (Developer Portal switches). */
  allowedPrivilegedIntents: number;
  resumeWindowMs: number;
}

interface BufferedDispatch {
  s: number;
  text: string;
}

/** One identified session; it outlives its socket so a client can RESUME it. */
class GatewaySession {
  seq = 0;
  readonly buffer: BufferedDispatch[] = [];
  connection: GatewayConnection | null = null;
  disconnectedAt: number | null = null;
  invalidated = false;
  constructor(
    readonly id: string,
    readonly intents: number,
  ) {}
}

class GatewayConnection {
  session: GatewaySession | null = null;
  private readonly encoder: ZlibStreamEncoder | null;
  constructor(
    readonly socket: WebSocket,
    compress: string | null,
  ) {
    this.encoder = compress === "zlib-stream" ? new ZlibStreamEncoder() : null;
  }

  send(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (!this.encoder) {
      this.socket.send(text);
      return;
    }
    void this.encoder.encode(text).then((bytes) => {
      if (this.socket.readyState === this.socket.OPEN) this.socket.send(bytes);
    });
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  dispose(): void {
    this.encoder?.close();
  }
}

export interface GatewayCounters {
  connections: number;
  identifies: number;
  resumes: number;
  invalidSessions: number;
  dispatches: number;
}

export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly connections = new Set<GatewayConnection>();
  private readonly unsubscribe: () => void;
  readonly counters: GatewayCounters = {
    connections: 0,
    identifies: 0,
    resumes: 0,
    invalidSessions: 0,
    dispatches: 0,
  };
  /** Set by the emulator once the port is known. */
  url = "";

  constructor(
    private readonly store: EmulatorStore,
    private readonly options: GatewayOptions,
  ) {
    this.unsubscribe = store.onChange((event) => {
      const request = dispatchOf(store, event);
      if (request) this.dispatch(request);
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new GatewayConnection(ws, url.searchParams.get("compress"));
      this.connections.add(connection);
      this.counters.connections += 1;
      ws.on("message", (data) => this.onMessage(connection, data.toString()));
      ws.on("close", (code) => this.onClose(connection, code));
      ws.on("error", () => ws.terminate());
      this.sendOp(connection, GatewayOpcodes.Hello, { heartbeat_interval: this.options.heartbeatIntervalMs });
    });
  }

  /** Connected sessions (for tests that wait until the client is back). */
  get connectedSessionCount(): number {
    return [...this.sessions.values()].filter((s) => s.connection).length;
  }

  /**
   * Drops every gateway connection. Resumable: the socket just dies (code 1006, like a network fault) and
   * the session stays resumable. Not resumable: the session is invalidated too, so RESUME gets op 9.
   */
  drop(options: { resumable?: boolean } = {}): number {
    let dropped = 0;
    for (const connection of this.connections) {
      if (options.resumable === false && connection.session) connection.session.invalidated = true;
      connection.socket.terminate();
      dropped += 1;
    }
    return dropped;
  }

  /** Sends op 7 Reconnect to every connection, as Discord does before moving a session; clients resume. */
  requestReconnect(): number {
    for (const connection of this.connections) this.sendOp(connection, GatewayOpcodes.Reconnect, null);
    return this.connections.size;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const connection of this.connections) {
      connection.socket.terminate();
      connection.dispose();
    }
    this.connections.clear();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private sendOp(connection: GatewayConnection, op: GatewayOpcodes, d: unknown): void {
    connection.send(JSON.stringify({ op, d, s: null, t: null }));
  }

  private onClose(connection: GatewayConnection, code: number): void {
    this.connections.delete(connection);
    connection.dispose();
    const session = connection.session;
    if (!session || session.connection !== connection) return;
    // A client closing with 1000/1001 ends its session, as on Discord; any other close keeps it resumable.
    if (code === 1000 || code === 1001) {
      this.sessions.delete(session.id);
      return;
    }
    session.connection = null;
    session.disconnectedAt = Date.now();
  }

  private onMessage(connection: GatewayConnection, text: string): void {
    let payload: { op?: number; d?: Record<string, unknown> | number | null };
    try {
      payload = JSON.parse(text);
    } catch {
      connection.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
      return;
    }
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.sendOp(connection, GatewayOpcodes.HeartbeatAck, null);
        return;
      case GatewayOpcodes.Identify:
        this.identify(connection, (payload.d ?? {}) as Record<string, unknown>);
        return;
      case GatewayOpcodes.Resume:
        this.resume(connection, (payload.d ?? {}) as Record<string, unknown>);
        return;
      case GatewayOpcodes.RequestGuildMembers:
        this.requestGuildMembers(connection, (payload.d ?? {}) as Record<string, unknown>);
        return;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        // Accepted and ignored: the bot never depends on them.
        return;
      default:
        connection.close(GatewayCloseCodes.UnknownOpcode, "Unknown opcode.");
    }
  }

  private tokenMatches(token: unknown): boolean {
    return typeof token === "string" && token.replace(/^Bot /, "") === this.options.token;
  }

  private identify(connection: GatewayConnection, d: Record<string, unknown>): void {
    if (connection.session) {
      connection.close(GatewayCloseCodes.AlreadyAuthenticated, "Already authenticated.");
      return;
    }
    if (!this.tokenMatches(d.token)) {
      connection.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
      return;
    }
    const intents = Number(d.intents);
    if (!Number.isInteger(intents) || intents < 0 || (intents & ~KNOWN_INTENTS) !== 0) {
      connection.close(GatewayCloseCodes.InvalidIntents, "Invalid intent(s).");
      return;
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.options.allowedPrivilegedIntents) !== 0) {
      connection.close(GatewayCloseCodes.DisallowedIntents, "Disallowed intent(s).");
      return;
    }
    this.counters.identifies += 1;
    const session = new GatewaySession(this.store.ids.next(), intents);
    this.sessions.set(session.id, session);
    session.connection = connection;
    connection.session = session;
    const guilds = [...this.store.guilds.values()];
    this.sendDispatch(session, GatewayDispatchEvents.Ready, {
      v: GatewayDefaults.apiVersion,
      user: { ...serializeUser(this.store.bot), verified: true, mfa_enabled: false, email: null },
      user_settings: {},
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: "normal",
      resume_gateway_url: this.url,
      shard: Array.isArray(d.shard) ? d.shard : [0, 1],
      application: { id: this.store.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      geo_ordered_rtc_regions: [],
      auth: {},
    });
    for (const guild of guilds)
      this.sendDispatch(session, GatewayDispatchEvents.GuildCreate, this.guildCreate(guild.id));
  }

  /** Answers op 8 with one GUILD_MEMBERS_CHUNK (by `user_ids`, or by username `query` and `limit`). */
  private requestGuildMembers(connection: GatewayConnection, d: Record<string, unknown>): void {
    const session = connection.session;
    const guild = this.store.guilds.get(String(d.guild_id));
    if (!session || !guild) return;
    let ids = [...guild.members.keys()];
    let notFound: string[] = [];
    if (Array.isArray(d.user_ids) || typeof d.user_ids === "string") {
      const wanted = ([] as unknown[]).concat(d.user_ids).map(String);
      notFound = wanted.filter((id) => !guild.members.has(id));
      ids = wanted.filter((id) => guild.members.has(id));
    } else {
      const query = typeof d.query === "string" ? d.query.toLowerCase() : "";
      ids = ids.filter((id) => this.store.users.get(id)?.username.toLowerCase().startsWith(query));
      const limit = Number(d.limit ?? 0);
      if (limit > 0) ids = ids.slice(0, limit);
    }
    this.sendDispatch(session, GatewayDispatchEvents.GuildMembersChunk, {
      guild_id: guild.id,
      members: ids.map((id) => memberPayload(this.store, guild.id, id)),
      chunk_index: 0,
      chunk_count: 1,
      not_found: notFound,
      ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
    });
  }

  private resume(connection: GatewayConnection, d: Record<string, unknown>): void {
    const session = this.sessions.get(String(d.session_id));
    const seq = Number(d.seq);
    const expired =
      !session ||
      session.invalidated ||
      (session.disconnectedAt !== null && Date.now() - session.disconnectedAt > this.options.resumeWindowMs);
    const oldest = session?.buffer[0]?.s ?? 0;
    // Replay needs every event after `seq`: the buffer must still hold seq + 1 (or nothing was missed).
    const replayable = session && seq <= session.seq && (seq >= oldest - 1 || session.seq === seq);
    if (!this.tokenMatches(d.token) || expired || !replayable) {
      if (session) this.sessions.delete(session.id);
      this.counters.invalidSessions += 1;
      this.sendOp(connection, GatewayOpcodes.InvalidSession, false);
      return;
    }
    this.counters.resumes += 1;
    if (session.connection && session.connection !== connection) session.connection.socket.terminate();
    session.connection = connection;
    session.disconnectedAt = null;
    connection.session = session;
    for (const event of session.buffer) if (event.s > seq) connection.send(event.text);
    this.sendDispatch(session, GatewayDispatchEvents.Resumed, {});
  }

  private guildCreate(guildId: string): Record<string, unknown> {
    return guildCreatePayload(this.store, guildId);
  }

  private sendDispatch(session: GatewaySession, t: GatewayDispatchEvents, d: unknown): void {
    session.seq += 1;
    const text = JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s: session.seq, d });
    session.buffer.push({ s: session.seq, text });
    if (session.buffer.length > GatewayDefaults.replayBufferSize) session.buffer.shift();
    this.counters.dispatches += 1;
    session.connection?.send(text);
  }

  private dispatch(request: DispatchRequest): void {
    const channelId = channelOf(request);
    if (channelId && this.store.channels.get(channelId)?.hiddenFromBot) return;
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (session.disconnectedAt !== null && now - session.disconnectedAt > this.options.resumeWindowMs) {
        this.sessions.delete(session.id);
        continue;
      }
      if (session.invalidated) continue;
      if (request.intent !== null && (session.intents & request.intent) === 0) continue;
      const d =
        request.messageAuthorId !== undefined &&
        !contentVisible(
          session.intents,
          this.store.bot.id,
          request.messageAuthorId,
          request.messageMentionIds ?? [],
        )
          ? stripMessageContent(request.d)
          : request.d;
      this.sendDispatch(session, request.t, d);
    }
  }
}

function channelOf(request: DispatchRequest): string | undefined {
  const d = request.d;
  if (typeof d.channel_id === "string") return d.channel_id;
  if (
    request.t === GatewayDispatchEvents.ChannelCreate ||
    request.t === GatewayDispatchEvents.ChannelUpdate ||
    request.t === GatewayDispatchEvents.ThreadCreate ||
    request.t === GatewayDispatchEvents.ThreadUpdate ||
    request.t === GatewayDispatchEvents.ThreadMembersUpdate
  ) {
    return typeof d.id === "string" ? d.id : undefined;
  }
  return undefined;
}
