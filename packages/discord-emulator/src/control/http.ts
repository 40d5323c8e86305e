// The control API over HTTP under /_control/, for driving the emulator from another process (the CLI
// playground, a bot under test in a child process). Same operations as the in-process API, JSON in and out;
// waits take declarative filters instead of predicates.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChannelType } from "discord-api-types/v10";
import { sendJson } from "../rest/api.js";
import { readRaw } from "../rest/body.js";
import type { ControlTarget } from "./target.js";
import type { MessageView } from "./views.js";
import { WaitTimeoutError } from "./waiters.js";

type Body = Record<string, unknown>;
type Handler = (emu: ControlTarget, params: string[], body: Body, query: URLSearchParams) => unknown;

/** A declarative message filter: every given field must match. */
export interface MessageFilter {
  channelId?: string;
  authorId?: string;
  contentIncludes?: string;
  embedTitleIncludes?: string;
  embedDescriptionIncludes?: string;
  pinned?: boolean;
  /** Only messages edited at least once. */
  edited?: boolean;
}

export function matchesFilter(m: MessageView, f: MessageFilter): boolean {
  return (
    (f.channelId === undefined || m.channelId === f.channelId) &&
    (f.authorId === undefined || m.author.id === f.authorId) &&
    (f.contentIncludes === undefined || m.content.includes(f.contentIncludes)) &&
    (f.embedTitleIncludes === undefined || m.embeds.some((e) => e.title?.includes(f.embedTitleIncludes!))) &&
    (f.embedDescriptionIncludes === undefined ||
      m.embeds.some((e) => e.description?.includes(f.embedDescriptionIncludes!))) &&
    (f.pinned === undefined || m.pinned === f.pinned) &&
    (f.edited === undefined || m.history.length > 1 === f.edited)
  );
}

const str = (body: Body, key: string): string => {
  const value = body[key];
  if (typeof value !== "string" || !value)
    throw new ControlError(`Expected \`${key}\` to be a non-empty string, got \`${JSON.stringify(value)}\``);
  return value;
};
const strings = (body: Body, key: string): string[] => {
  const value = body[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ControlError(`Expected \`${key}\` to be an array of strings, got \`${JSON.stringify(value)}\``);
  }
  return value as string[];
};
/** A modal's `values`: custom id → text, or → a list of chosen values. */
const fieldValues = (body: Body): Record<string, string | string[]> => {
  const value = body.values;
  const ok =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (v) => typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")),
    );
  if (!ok) {
    throw new ControlError(
      `Expected \`values\` to be an object of custom id → text or list of strings, got \`${JSON.stringify(value)}\``,
    );
  }
  return value as Record<string, string | string[]>;
};
const timeout = (body: Body) => (typeof body.timeoutMs === "number" ? { timeoutMs: body.timeoutMs } : {});

class ControlError extends Error {}

const routes: [string, RegExp, Handler][] = [
  [
    "GET",
    /^info$/,
    (emu) => ({
      restUrl: emu.restUrl,
      gatewayUrl: emu.gatewayUrl,
      baseUrl: emu.baseUrl,
      botToken: emu.botToken,
      applicationId: emu.applicationId,
      botUser: emu.botUser,
    }),
  ],
  ["POST", /^seed$/, (emu) => emu.seed()],
  ["POST", /^guilds$/, (emu, _, b) => emu.createGuild({ name: str(b, "name") })],
  [
    "POST",
    /^channels$/,
    (emu, _, b) =>
      emu.createChannel({
        guildId: str(b, "guildId"),
        name: str(b, "name"),
        ...(typeof b.type === "number" ? { type: b.type as ChannelType } : {}),
        ...(typeof b.parentId === "string" ? { parentId: b.parentId } : {}),
        ...(b.hiddenFromBot === true ? { hiddenFromBot: true } : {}),
      }),
  ],
  ["POST", /^users$/, (emu, _, b) => emu.createUser({ username: str(b, "username") })],
  [
    "POST",
    /^users\/(\d+)\/messages$/,
    (emu, [u], b) => emu.as(u!).postMessage(str(b, "channelId"), str(b, "content")),
  ],
  [
    "POST",
    /^users\/(\d+)\/reactions$/,
    (emu, [u], b) => {
      emu.as(u!).react(str(b, "channelId"), str(b, "messageId"), str(b, "emoji"));
      return { ok: true };
    },
  ],
  [
    "DELETE",
    /^users\/(\d+)\/reactions$/,
    (emu, [u], b) => {
      emu.as(u!).unreact(str(b, "channelId"), str(b, "messageId"), str(b, "emoji"));
      return { ok: true };
    },
  ],
  [
    "POST",
    /^users\/(\d+)\/commands$/,
    (emu, [u], b) => {
      const handle = emu.as(u!).runCommand({
        channelId: str(b, "channelId"),
        name: str(b, "name"),
        ...(typeof b.subcommand === "string" ? { subcommand: b.subcommand } : {}),
        ...(typeof b.subcommandGroup === "string" ? { subcommandGroup: b.subcommandGroup } : {}),
        ...(b.options && typeof b.options === "object"
          ? { options: b.options as Record<string, string> }
          : {}),
      });
      return handle.view();
    },
  ],
  [
    "POST",
    /^users\/(\d+)\/buttons$/,
    (emu, [u], b) =>
      emu
        .as(u!)
        .clickButton({ messageId: str(b, "messageId"), customId: str(b, "customId") })
        .view(),
  ],
  [
    "POST",
    /^users\/(\d+)\/selects$/,
    (emu, [u], b) =>
      emu
        .as(u!)
        .selectOptions({
          messageId: str(b, "messageId"),
          customId: str(b, "customId"),
          values: strings(b, "values"),
        })
        .view(),
  ],
  [
    "POST",
    /^users\/(\d+)\/modals$/,
    (emu, [u], b) =>
      emu
        .as(u!)
        .submitModal({ interactionId: str(b, "interactionId"), values: fieldValues(b) })
        .view(),
  ],
  ["GET", /^channels\/(\d+)$/, (emu, [c]) => emu.channel(c!)],
  [
    "GET",
    /^channels\/(\d+)\/messages$/,
    (emu, [c], _, q) => emu.messages(c!, { includeDeleted: q.get("includeDeleted") === "true" }),
  ],
  ["GET", /^channels\/(\d+)\/pins$/, (emu, [c]) => emu.pins(c!)],
  ["GET", /^threads$/, (emu, _, __, q) => emu.threads(q.get("parentId") ?? undefined)],
  ["GET", /^messages\/(\d+)$/, (emu, [m]) => emu.message(m!)],
  ["GET", /^interactions$/, (emu) => emu.interactions()],
  ["GET", /^interactions\/(\d+)$/, (emu, [i]) => emu.interaction(i!)],
  ["POST", /^interactions\/(\d+)\/wait-reply$/, (emu, [i], b) => emu.waitForInteractionReply(i!, timeout(b))],
  ["GET", /^counters$/, (emu) => emu.counters],
  [
    "POST",
    /^counters\/reset$/,
    (emu) => {
      emu.resetCounters();
      return { ok: true };
    },
  ],
  [
    "POST",
    /^faults\/drop-gateway$/,
    (emu, _, b) => ({ dropped: emu.faults.dropGateway({ resumable: b.resumable !== false }) }),
  ],
  ["POST", /^faults\/reconnect$/, (emu) => ({ connections: emu.faults.requestReconnect() })],
  [
    "POST",
    /^faults\/fail-next$/,
    (emu, _, b) => {
      emu.faults.failNextRequests(Number(b.count ?? 1), {
        ...(typeof b.status === "number" ? { status: b.status } : {}),
        ...(typeof b.route === "string" ? { route: b.route } : {}),
        ...(typeof b.code === "number" ? { code: b.code } : {}),
        ...(b.uploadsOnly === true ? { uploadsOnly: true } : {}),
        ...(typeof b.channelId === "string" ? { channelId: b.channelId } : {}),
      });
      return { ok: true };
    },
  ],
  [
    "POST",
    /^faults\/latency$/,
    (emu, _, b) => {
      emu.faults.setLatency(Number(b.ms));
      return { ok: true };
    },
  ],
  [
    "POST",
    /^faults\/clear$/,
    (emu) => {
      emu.faults.clear();
      return { ok: true };
    },
  ],
  [
    "POST",
    /^wait\/message$/,
    (emu, _, b) => {
      const filter = b as MessageFilter;
      return filter.edited
        ? emu.waitForEdit((m) => matchesFilter(m, filter), timeout(b))
        : emu.waitForMessage((m) => matchesFilter(m, filter), timeout(b));
    },
  ],
  [
    "POST",
    /^wait\/thread$/,
    (emu, _, b) =>
      emu.waitForThread(
        (t) =>
          (b.parentId === undefined || t.parentId === b.parentId) &&
          (b.nameIncludes === undefined || t.name.includes(String(b.nameIncludes))),
        timeout(b),
      ),
  ],
];

export async function handleControl(
  emu: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname.slice("/_control/".length);
  const raw = await readRaw(req);
  const attachment = /^attachments\/(\d+)$/.exec(path);
  if (req.method === "GET" && attachment) {
    try {
      const bytes = emu.attachmentBytes(attachment[1]!);
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(bytes.length),
      });
      res.end(bytes);
    } catch (error) {
      sendJson(res, 404, { error: (error as Error).message });
    }
    return;
  }
  for (const [method, pattern, handler] of routes) {
    const match = pattern.exec(path);
    if (!match || method !== req.method) continue;
    let body: Body = {};
    try {
      body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
      sendJson(res, 200, await handler(emu, match.slice(1), body, url.searchParams));
    } catch (error) {
      const status = error instanceof WaitTimeoutError ? 408 : 400;
      sendJson(res, status, { error: (error as Error).message });
    }
    return;
  }
  sendJson(res, 404, {
    error: `No control route ${req.method} /_control/${path}`,
    routes: routes.map(([m, p]) => `${m} /_control/${p.source.slice(1, -1)}`),
  });
}
