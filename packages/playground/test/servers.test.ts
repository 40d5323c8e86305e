// The playground's two servers as another local user, a web page in the person's browser and a DNS
// rebinding attacker would meet them: real sockets, forged headers. Without the per-start secret, from
// another origin, or under another host name, nothing gets in; the person's own page gets everything.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Playground, startPlayground } from "../src/index.js";
import type { LiveEvent } from "../src/protocol.js";
import { cookieName } from "../src/security.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (fetch would not let a test forge Host). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The first event of the live channel, read from a raw response. */
function firstEvent(url: string, headers: Record<string, string>): Promise<LiveEvent> {
  return new Promise<LiveEvent>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`status ${res.statusCode}`));
        res.resume();
        return;
      }
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        const data = /^data: (.*)$/m.exec(text);
        if (data) {
          resolve(JSON.parse(data[1]!) as LiveEvent);
          req.destroy();
        }
      });
    });
    req.on("error", () => undefined);
    req.end();
  });
}

describe("the playground's servers", () => {
  let pg: Playground;
  let webRoot: string;
  let secret: string;
  let page: string;
  let host: string;
  let cookie: string;
  let emulatorBase: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), "ompcord-playground-page-"));
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>test page</title>");
    pg = await startPlayground({ webRoot, personName: "alice" });
    const url = new URL(pg.url);
    secret = url.searchParams.get("key")!;
    page = pg.origin;
    host = url.host;
    cookie = `${cookieName(Number(url.port))}=${secret}`;
    emulatorBase = new URL(pg.discord.apiUrl).origin;
  });

  afterAll(async () => {
    await pg?.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const own = (extra: Record<string, string> = {}) => ({ Host: host, Cookie: cookie, ...extra });

  it("moves the printed key into a cookie and sends the browser to the clean address", async () => {
    const reply = await send(pg.url, { headers: { Host: host } });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe("/");
    expect(String(reply.headers["set-cookie"])).toContain(
      `${cookieName(Number(new URL(page).port))}=${secret};`,
    );
    const pageReply = await send(`${page}/`, { headers: own() });
    expect(pageReply.status).toBe(200);
    expect(pageReply.body).toContain("test page");
    expect(pageReply.headers["content-security-policy"]).toContain("script-src 'self'");
  });

  it("shows nothing without the secret, or with a wrong key", async () => {
    expect((await send(`${page}/`, { headers: { Host: host } })).status).toBe(401);
    expect((await send(`${page}/?key=guess`, { headers: { Host: host } })).status).toBe(401);
    expect((await send(`${page}/events`, { headers: { Host: host } })).status).toBe(401);
    const post = await send(`${page}/api/messages`, {
      method: "POST",
      headers: { Host: host, Origin: page, "Content-Type": "application/json" },
      body: JSON.stringify({ channelId: pg.discord.channelId, content: "from a stranger" }),
    });
    expect(post.status).toBe(401);
    expect(pg.emulator.messages(pg.discord.channelId)).toEqual([]);
  });

  it("answers no other host name, even with the cookie (DNS rebinding)", async () => {
    const reply = await send(`${page}/`, { headers: own({ Host: `rebound.example:${new URL(page).port}` }) });
    expect(reply.status).toBe(403);
  });

  it("takes no action from another origin, nor one that names none", async () => {
    const body = JSON.stringify({ channelId: pg.discord.channelId, content: "cross-site" });
    const json = { "Content-Type": "application/json" };
    const foreign = await send(`${page}/api/messages`, {
      method: "POST",
      headers: own({ ...json, Origin: "https://evil.example" }),
      body,
    });
    expect(foreign.status).toBe(403);
    const otherLocalApp = await send(`${page}/api/messages`, {
      method: "POST",
      headers: own({ ...json, Origin: "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-site" }),
      body,
    });
    expect(otherLocalApp.status).toBe(403);
    const noOrigin = await send(`${page}/api/messages`, { method: "POST", headers: own(json), body });
    expect(noOrigin.status).toBe(403);
    expect(pg.emulator.messages(pg.discord.channelId)).toEqual([]);
  });

  it("acts for the person's own page and streams the world to it", async () => {
    const hello = await firstEvent(`${page}/events`, own());
    expect(hello).toMatchObject({ type: "hello", world: { me: { name: "alice" } } });
    const reply = await send(`${page}/api/messages`, {
      method: "POST",
      headers: own({ Origin: page, "Content-Type": "application/json" }),
      body: JSON.stringify({ channelId: pg.discord.channelId, content: "hello from the page" }),
    });
    expect(reply.status).toBe(200);
    expect(pg.emulator.messages(pg.discord.channelId).map((m) => m.content)).toEqual(["hello from the page"]);
  });

  it("refuses to stream to another origin", async () => {
    await expect(firstEvent(`${page}/events`, own({ Origin: "https://evil.example" }))).rejects.toThrow(
      "403",
    );
  });

  it("downloads attachments as files, never rendered on the page's origin", async () => {
    const posted = pg.emulator.as(pg.person.id).postMessage(pg.discord.channelId, {
      content: "a file",
      files: [{ filename: "answer.md", bytes: "<script>alert(1)</script>", contentType: "text/html" }],
    });
    const file = posted.attachments[0]!;
    const reply = await send(`${page}/files/${file.id}/answer.md`, { headers: own() });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("<script>alert(1)</script>");
    expect(reply.headers["content-type"]).toBe("application/octet-stream");
    expect(reply.headers["content-disposition"]).toBe("attachment; filename*=UTF-8''answer.md");
    expect((await send(`${page}/files/${file.id}/answer.md`, { headers: { Host: host } })).status).toBe(401);
  });

  describe("the emulator behind it", () => {
    const emulatorHost = () => new URL(emulatorBase).host;

    it("no longer hands out the bot token on its control routes without the secret", async () => {
      const anonymous = await send(`${emulatorBase}/_control/info`, { headers: { Host: emulatorHost() } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).not.toContain(pg.discord.token);
      const withSecret = await send(`${emulatorBase}/_control/info`, {
        headers: { Host: emulatorHost(), Authorization: `Bearer ${secret}` },
      });
      expect(withSecret.status).toBe(200);
    });

    it("serves REST to the bot's token, but never to a browser or under another host name", async () => {
      const auth = { Authorization: `Bot ${pg.discord.token}` };
      const bot = await send(`${emulatorBase}/api/v10/users/@me`, {
        headers: { Host: emulatorHost(), ...auth },
      });
      expect(bot.status).toBe(200);
      const browser = await send(`${emulatorBase}/api/v10/users/@me`, {
        headers: { Host: emulatorHost(), Origin: page, ...auth },
      });
      expect(browser.status).toBe(403);
      const rebound = await send(`${emulatorBase}/api/v10/users/@me`, {
        headers: { Host: `rebound.example:${new URL(emulatorBase).port}`, ...auth },
      });
      expect(rebound.status).toBe(403);
    });

    it("refuses a gateway connection a web page opens (cross-site WebSocket)", async () => {
      const gateway = pg.discord.apiUrl.replace(/^http/, "ws").replace(/\/api$/, "/gateway");
      const status = await new Promise<number | "open">((resolve) => {
        const ws = new WebSocket(gateway, { headers: { Origin: "https://evil.example" } });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => {
          resolve("open");
          ws.close();
        });
        ws.on("error", () => undefined);
      });
      expect(status).toBe(403);
      const bot = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(gateway);
        ws.on("message", (data) => {
          resolve(String(JSON.parse(String(data)).op));
          ws.close();
        });
        ws.on("error", reject);
      });
      expect(bot).toBe("10"); // HELLO: the bot's own connection (no Origin) is let in
    });
  });
});
