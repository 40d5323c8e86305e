// The page's own HTTP server on 127.0.0.1: the built page and its assets, the live channel (server-sent
// events), the person's actions and attachment downloads. Every request passes `judgePageRequest` first.

import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import type { Emulator } from "@ompcord/discord-emulator";
import { ActionError, NotSupportedError, type PersonActions } from "./actions.js";
import type { LiveHub } from "./live.js";
import type { ActionResult } from "./protocol.js";
import {
  judgePageRequest,
  KEY_PARAMETER,
  PAGE_SECURITY_HEADERS,
  requestFacts,
  secretCookie,
} from "./security.js";

/** The largest action body accepted (a prompt is at most 6000 characters in a slash command option). */
const BODY_MAX_BYTES = 256 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

export interface PageServerOptions {
  emulator: Emulator;
  live: LiveHub;
  actions: PersonActions;
  /** The built page (`index.html` and `assets/`). */
  webRoot: string;
  secret: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface PageServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  let port = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendText(res, 500, `The playground failed on this request: ${(error as Error).message}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://playground.invalid");
    const secretFromUrl =
      url.pathname === "/" ? (url.searchParams.get(KEY_PARAMETER) ?? undefined) : undefined;
    const refusal = judgePageRequest(requestFacts(req), { port, secret: options.secret, secretFromUrl });
    if (refusal) {
      req.resume();
      return sendText(res, refusal.status, refusal.message);
    }
    if (secretFromUrl !== undefined) {
      // The key moves into a cookie and out of the address bar, history and screenshots.
      res.writeHead(303, {
        Location: "/",
        "Set-Cookie": secretCookie(port, options.secret),
        ...PAGE_SECURITY_HEADERS,
      });
      res.end();
      return;
    }
    const route = `${req.method} ${url.pathname}`;
    if (req.method === "GET" && url.pathname === "/events") return options.live.connect(res);
    if (req.method === "POST" && url.pathname.startsWith("/api/"))
      return action(req, res, url.pathname.slice(5));
    if (req.method === "GET" && url.pathname === "/api/commands") {
      const guildId = url.searchParams.get("guildId") ?? "";
      return sendJson(res, 200, [...options.emulator.commands(guildId), ...options.emulator.commands()]);
    }
    const file = /^\/files\/(\d+)\/[^/]+$/.exec(url.pathname);
    if (req.method === "GET" && file) return download(res, file[1]!, url.pathname);
    if (req.method === "GET" || req.method === "HEAD") return staticFile(res, url.pathname);
    sendText(res, 404, `No route ${route}`);
  }

  async function action(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (!/^application\/json\b/.test(req.headers["content-type"] ?? "")) {
      req.resume();
      return sendJson(res, 415, {
        ok: false,
        error: "Expected a JSON body (Content-Type: application/json).",
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)).toString("utf8")) as Record<string, unknown>;
      if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new ActionError("Expected a JSON object");
    } catch (error) {
      return sendJson(res, 400, { ok: false, error: (error as Error).message });
    }
    const actions: Record<string, (body: Record<string, unknown>) => ActionResult> = {
      messages: (b) => options.actions.postMessage(b),
      reactions: (b) => options.actions.react(b),
      commands: (b) => options.actions.runCommand(b),
      components: (b) => options.actions.useComponent(b),
      modals: (b) => options.actions.submitModal(b),
    };
    const run = actions[name];
    if (!run) return sendJson(res, 404, { ok: false, error: `No action "${name}"` });
    try {
      sendJson(res, 200, run(body));
    } catch (error) {
      const status = error instanceof NotSupportedError ? 501 : 400;
      // The emulator's refusals (an unknown option, a disabled button, a locked thread) are the
      // person's to read, as Discord's client would show them.
      sendJson(res, status, { ok: false, error: (error as Error).message });
    }
  }

  function download(res: ServerResponse, attachmentId: string, pathname: string): void {
    let bytes: Buffer;
    try {
      bytes = options.emulator.attachmentBytes(attachmentId);
    } catch {
      sendText(res, 404, "No such attachment.");
      return;
    }
    const filename = decodeURIComponent(pathname.slice(pathname.lastIndexOf("/") + 1));
    // Always a download, never rendered here: an attachment is anyone's bytes, and this origin holds
    // the person's cookie.
    res.writeHead(200, {
      ...PAGE_SECURITY_HEADERS,
      "Content-Type": "application/octet-stream",
      "Content-Length": String(bytes.length),
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
      "Content-Security-Policy": "sandbox; default-src 'none'",
      "Cache-Control": "no-store",
    });
    res.end(bytes);
  }

  async function staticFile(res: ServerResponse, pathname: string): Promise<void> {
    const relative = pathname === "/" ? "index.html" : decodeURIComponent(pathname.slice(1));
    const path = normalize(join(options.webRoot, relative));
    if (!path.startsWith(options.webRoot + sep)) return sendText(res, 404, "Not found.");
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      if (relative === "index.html") {
        return sendText(
          res,
          500,
          `The playground page is not built (${path} is missing): run npm run build, then start again.`,
        );
      }
      return sendText(res, 404, "Not found.");
    }
    const hashed = relative.startsWith("assets/");
    res.writeHead(200, {
      ...PAGE_SECURITY_HEADERS,
      "Content-Type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream",
      "Content-Length": String(bytes.length),
      "Cache-Control": hashed ? "private, max-age=31536000, immutable" : "no-store",
    });
    res.end(bytes);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  server.keepAliveTimeout = 5_000;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      options.live.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_MAX_BYTES) throw new ActionError(`Expected a body of at most ${BODY_MAX_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    ...PAGE_SECURITY_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(payload.length),
    "Cache-Control": "no-store",
  });
  res.end(payload);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  const payload = Buffer.from(`${text}\n`);
  res.writeHead(status, {
    ...PAGE_SECURITY_HEADERS,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(payload.length),
    "Cache-Control": "no-store",
  });
  res.end(payload);
}
