// The live channel: server-sent events that mirror the emulated Discord into the person's page as it
// changes (a snapshot on connect, then one event per changed message, thread or interaction), and the
// playground's notices. Changes of one tick are sent once: a dashboard edited twice costs one event.

import type { ServerResponse } from "node:http";
import type { Emulator, EmulatorChange, InteractionView, MessageView } from "@ompcord/discord-emulator";
import type { LiveEvent, PageChannel, PageMessage, PageNotice, PageWorld } from "./protocol.js";
import { messageText, pageChannel, pageInteraction, pageMessage, visibleTo } from "./views.js";

/** Messages per channel in the first snapshot (the newest); older ones are history a page need not load. */
const SNAPSHOT_MESSAGES_PER_CHANNEL = 300;
/** A comment line this often keeps idle connections (and proxies) from timing out. */
const KEEPALIVE_MS = 15_000;

/** A notice shown once the bot says something that matches (the bot owns the words; the page shows them). */
export interface NoticeRule {
  pattern: RegExp;
  notice: PageNotice;
}

export interface LiveHubOptions {
  emulator: Emulator;
  world: PageWorld;
  /** Topics of channels the playground made (the emulator's views do not carry them). */
  topics: ReadonlyMap<string, string>;
  noticeRules?: readonly NoticeRule[];
}

export class LiveHub {
  readonly #emu: Emulator;
  readonly #world: PageWorld;
  readonly #topics: ReadonlyMap<string, string>;
  readonly #rules: NoticeRule[];
  readonly #clients = new Set<ServerResponse>();
  readonly #notices = new Map<string, PageNotice>();
  readonly #unsubscribe: () => void;
  readonly #keepalive: NodeJS.Timeout;
  // Pending changes of this tick, by id: sent together once the tick's changes are in.
  readonly #dirtyMessages = new Set<string>();
  readonly #dirtyChannels = new Set<string>();
  readonly #deletedChannels = new Set<string>();
  readonly #dirtyInteractions = new Set<string>();
  #flushScheduled = false;

  constructor(options: LiveHubOptions) {
    this.#emu = options.emulator;
    this.#world = options.world;
    this.#topics = options.topics;
    this.#rules = [...(options.noticeRules ?? [])];
    this.#unsubscribe = this.#emu.onChange((change) => this.#onChange(change));
    this.#keepalive = setInterval(() => this.#write(": keepalive\n\n"), KEEPALIVE_MS).unref();
  }

  /** Starts streaming to a page: the snapshot first, then every change. */
  connect(res: ServerResponse): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    // A reconnecting EventSource waits this long; the default 3 s feels slow on a local machine.
    res.write("retry: 1000\n\n");
    this.#send(res, this.snapshot());
    this.#clients.add(res);
    res.on("close", () => this.#clients.delete(res));
  }

  /** Everything the page shows, as of now. */
  snapshot(): Extract<LiveEvent, { type: "hello" }> {
    const guildId = this.#world.guild.id;
    const channels = this.#channels().filter((c) => this.#emu.channel(c.id).guildId === guildId);
    const messages = channels.flatMap((channel) =>
      this.#emu
        .messages(channel.id)
        .slice(-SNAPSHOT_MESSAGES_PER_CHANNEL)
        .flatMap((m) => this.#visibleMessage(m) ?? []),
    );
    // The person's ephemeral replies never appear in `messages()`: they live on the interactions.
    const mine = this.#emu.interactions().filter((i) => i.userId === this.#world.me.id);
    const ephemeral = mine.flatMap((i) =>
      [i.original, ...i.followUps].flatMap((m) => (m?.ephemeral ? (this.#visibleMessage(m) ?? []) : [])),
    );
    return {
      type: "hello",
      world: this.#world,
      channels,
      messages: [...messages, ...ephemeral].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)),
      interactions: mine.map(pageInteraction),
      notices: [...this.#notices.values()],
    };
  }

  /** Shows a notice on every page (and on pages that connect later). */
  notice(notice: PageNotice): void {
    this.#notices.set(notice.id, notice);
    this.#broadcast({ type: "notice", notice });
  }

  close(): void {
    this.#unsubscribe();
    clearInterval(this.#keepalive);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #channels(): PageChannel[] {
    const parents = new Set(this.#emu.threads().map((t) => t.parentId));
    const home = this.#emu.channel(this.#world.homeChannelId);
    const others = [...parents]
      .filter((id): id is string => id !== null && id !== home.id)
      .flatMap((id) => {
        try {
          return [this.#emu.channel(id)];
        } catch {
          return [];
        }
      });
    return [home, ...others, ...this.#emu.threads()].map((c) =>
      pageChannel(c, this.#topics.get(c.id) ?? null),
    );
  }

  #onChange(change: EmulatorChange): void {
    switch (change.kind) {
      case "messageCreate":
      case "messageUpdate":
      case "messageDelete":
      case "reactionAdd":
      case "reactionRemove":
      case "pins":
        if (change.messageId) this.#dirtyMessages.add(change.messageId);
        break;
      case "channelCreate":
      case "channelUpdate":
      case "threadCreate":
        if (change.channelId) this.#dirtyChannels.add(change.channelId);
        break;
      case "channelDelete":
        if (change.channelId) this.#deletedChannels.add(change.channelId);
        break;
      case "interactionCreate":
      case "interactionUpdate":
        if (change.interactionId) this.#dirtyInteractions.add(change.interactionId);
        break;
      default:
        return;
    }
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const id of this.#deletedChannels) this.#broadcast({ type: "channelDelete", id });
    for (const id of this.#dirtyChannels) {
      if (this.#deletedChannels.has(id)) continue;
      try {
        const channel = this.#emu.channel(id);
        this.#broadcast({ type: "channel", channel: pageChannel(channel, this.#topics.get(id) ?? null) });
      } catch {
        // deleted within the same tick
      }
    }
    for (const id of this.#dirtyInteractions) {
      const view = this.#emu.interaction(id);
      if (view.userId === this.#world.me.id)
        this.#broadcast({ type: "interaction", interaction: pageInteraction(view) });
    }
    for (const id of this.#dirtyMessages) this.#messageChanged(id);
    this.#dirtyChannels.clear();
    this.#deletedChannels.clear();
    this.#dirtyInteractions.clear();
    this.#dirtyMessages.clear();
  }

  #messageChanged(id: string): void {
    let view: MessageView;
    try {
      view = this.#emu.message(id);
    } catch {
      return;
    }
    if (view.deleted) {
      this.#broadcast({ type: "messageDelete", id, channelId: view.channelId });
      return;
    }
    const message = this.#visibleMessage(view);
    if (!message) return;
    this.#broadcast({ type: "message", message });
    if (message.author.id === this.#world.bot.id) this.#checkNotices(message);
  }

  #visibleMessage(view: MessageView): PageMessage | undefined {
    const interaction = this.#interactionOf(view);
    const context = {
      meId: this.#world.me.id,
      interaction,
      userName: (userId: string) => this.#userName(userId),
    };
    return visibleTo(view, context) ? pageMessage(view, context) : undefined;
  }

  #interactionOf(view: MessageView): InteractionView | undefined {
    if (!view.interactionId) return undefined;
    try {
      return this.#emu.interaction(view.interactionId);
    } catch {
      return undefined;
    }
  }

  #userName(userId: string): string {
    if (userId === this.#world.me.id) return this.#world.me.name;
    if (userId === this.#world.bot.id) return this.#world.bot.name;
    return "someone";
  }

  #checkNotices(message: PageMessage): void {
    const text = messageText(message);
    for (const rule of this.#rules) {
      if (this.#notices.has(rule.notice.id) || !rule.pattern.test(text)) continue;
      this.notice(rule.notice);
    }
  }

  #broadcast(event: LiveEvent): void {
    for (const res of this.#clients) this.#send(res, event);
  }

  #send(res: ServerResponse, event: LiveEvent): void {
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  #write(text: string): void {
    for (const res of this.#clients) res.write(text);
  }
}
