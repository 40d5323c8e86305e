// The playground as one object: the emulator (the bot's Discord, guarded), its seeded server, the live
// channel and the page server, all on 127.0.0.1 behind one per-start secret.

import { resolve } from "node:path";
import { type Emulator, InteractionTiming, startEmulator } from "@ompcord/discord-emulator";
import { PersonActions } from "./actions.js";
import { LiveHub, type NoticeRule } from "./live.js";
import { startPageServer } from "./page-server.js";
import type { PageNotice, PageWorld } from "./protocol.js";
import { judgeEmulatorRequest, KEY_PARAMETER, newSecret, requestFacts } from "./security.js";
import { pageUser } from "./views.js";
import { seedPlaygroundWorld, systemPersonName } from "./world.js";

/**
 * Versions the emulator keeps of each message: a live dashboard is edited about once a second for as
 * long as a run lasts, and the page needs only the current one.
 */
const MESSAGE_HISTORY_LIMIT = 10;

/** The built page, next to the compiled server (`dist/web`); the same place from `src/` under tsx. */
export const DEFAULT_WEB_ROOT = resolve(import.meta.dirname, "../dist/web");

export interface PlaygroundOptions {
  /** The person's user name in the playground; default: the system's user name. */
  personName?: string;
  /** The built page; default `DEFAULT_WEB_ROOT`. */
  webRoot?: string;
  /** The page server's port; 0 (default) picks a free one. */
  port?: number;
  /** Notices the page shows once the bot says something that matches (e.g. "omp has no model"). */
  noticeRules?: readonly NoticeRule[];
}

/** What the bot's configuration needs to reach the playground's Discord as it would reach Discord. */
export interface PlaygroundDiscord {
  token: string;
  guildId: string;
  channelId: string;
  allowedUserIds: string[];
  /** The REST base, for `DISCORD_API_URL`. */
  apiUrl: string;
}

export interface Playground {
  readonly discord: PlaygroundDiscord;
  /** The address to open: the page with the per-start secret (moved into a cookie on first load). */
  readonly url: string;
  /** The page's origin, without the secret. */
  readonly origin: string;
  /** The person, as the bot sees them. */
  readonly person: { id: string; name: string };
  /** The emulator itself, for tests and tools in this process. */
  readonly emulator: Emulator;
  /** Shows a notice on the page (now and to pages that connect later). */
  notice(notice: PageNotice): void;
  close(): Promise<void>;
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const secret = newSecret();
  let emulatorPort = 0;
  const emulator = await startEmulator({
    messageHistoryLimit: MESSAGE_HISTORY_LIMIT,
    guard: (request, area) =>
      judgeEmulatorRequest(requestFacts(request), area, { port: emulatorPort, secret }),
  });
  emulatorPort = Number(new URL(emulator.baseUrl).port);
  const seeded = seedPlaygroundWorld(emulator, { personName: options.personName ?? systemPersonName() });
  const world: PageWorld = {
    me: pageUser(seeded.person),
    bot: pageUser(emulator.botUser),
    guild: { id: seeded.guildId, name: seeded.guildName },
    homeChannelId: seeded.channelId,
    interactionDeadlineMs: InteractionTiming.callbackDeadlineMs,
  };
  const live = new LiveHub({
    emulator,
    world,
    topics: new Map([[seeded.channelId, seeded.channelTopic]]),
    noticeRules: options.noticeRules ?? [],
  });
  let page: Awaited<ReturnType<typeof startPageServer>>;
  try {
    page = await startPageServer({
      emulator,
      live,
      actions: new PersonActions(emulator, seeded.person.id),
      webRoot: resolve(options.webRoot ?? DEFAULT_WEB_ROOT),
      secret,
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
  } catch (error) {
    live.close();
    await emulator.close();
    throw error;
  }
  return {
    discord: {
      token: emulator.botToken,
      guildId: seeded.guildId,
      channelId: seeded.channelId,
      allowedUserIds: [seeded.person.id],
      apiUrl: emulator.restUrl,
    },
    url: `${page.origin}/?${KEY_PARAMETER}=${secret}`,
    origin: page.origin,
    person: { id: seeded.person.id, name: seeded.person.username },
    emulator,
    notice: (notice) => live.notice(notice),
    async close() {
      await page.close();
      await emulator.close();
    },
  };
}
