// Who may use the playground: it runs the person's agent with the person's logins, so only the person's
// own browser tab may drive it. Defends against another local user (no per-start secret), a web page in
// the same browser (cross-site requests, cross-site WebSocket, another app on a localhost port: Origin
// and Sec-Fetch-Site), and DNS rebinding (a foreign name resolving to 127.0.0.1: Host). Pure.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The query parameter the printed address carries the secret in (moved into a cookie on first load). */
export const KEY_PARAMETER = "key";
/** Bytes of randomness in a per-start secret. */
const SECRET_BYTES = 32;

/** The cookie holding the secret; its name carries the port, so two playgrounds in one browser coexist. */
export function cookieName(port: number): string {
  return `ompcord_playground_${port}`;
}

export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/** Compares in constant time (a timing side channel must not reveal the secret byte by byte). */
export function secretMatches(candidate: string | undefined, secret: string): boolean {
  if (candidate === undefined) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(candidate), digest(secret));
}

/** The `Host` values a request to a server on 127.0.0.1:`port` may carry: any other name is rebinding. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The origins of a page served on 127.0.0.1:`port`. */
export function loopbackOrigins(port: number): string[] {
  return loopbackHosts(port).map((host) => `http://${host}`);
}

/** The request headers the checks read (lower-case names, as node gives them). */
export interface RequestFacts {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  /** `Sec-Fetch-Site`, sent by current browsers on every request. */
  fetchSite: string | undefined;
  cookie: string | undefined;
  authorization: string | undefined;
}

export function requestFacts(request: {
  method?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}): RequestFacts {
  const one = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    method: request.method ?? "GET",
    host: one("host"),
    origin: one("origin"),
    fetchSite: one("sec-fetch-site"),
    cookie: one("cookie"),
    authorization: one("authorization"),
  };
}

/** One cookie's value from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Why a request is turned away: the status and a sentence for whoever sent it. */
export interface Refusal {
  status: number;
  message: string;
}

const WRONG_HOST: Refusal = {
  status: 403,
  message: "This server answers only to 127.0.0.1 and localhost (the Host header named another name).",
};
const CROSS_SITE: Refusal = {
  status: 403,
  message: "The playground answers only its own page: this request came from another site or origin.",
};
const NO_SECRET: Refusal = {
  status: 401,
  message:
    "The playground needs the key from the address it printed at start (…/?key=…). Open that address again.",
};

/**
 * Judges a request to the page server (page, assets, live channel, actions, downloads); undefined lets
 * it through. `secretFromUrl` is the `?key=` of a first load, which the server then moves into the cookie.
 */
export function judgePageRequest(
  facts: RequestFacts,
  context: { port: number; secret: string; secretFromUrl?: string | undefined },
): Refusal | undefined {
  if (!facts.host || !loopbackHosts(context.port).includes(facts.host)) return WRONG_HOST;
  // "same-site" is not enough: every port of 127.0.0.1 is the same site, and another local app's page
  // must not use the person's cookie here. "none" is the person typing or opening the address.
  if (facts.fetchSite !== undefined && facts.fetchSite !== "same-origin" && facts.fetchSite !== "none") {
    return CROSS_SITE;
  }
  const ownOrigin = `http://${facts.host}`;
  if (facts.origin !== undefined && facts.origin !== ownOrigin) return CROSS_SITE;
  // Browsers send Origin with every POST; a write without one did not come from the page.
  if (facts.method !== "GET" && facts.method !== "HEAD" && facts.origin === undefined) return CROSS_SITE;
  const cookie = readCookie(facts.cookie, cookieName(context.port));
  if (secretMatches(cookie, context.secret) || secretMatches(context.secretFromUrl, context.secret)) {
    return undefined;
  }
  return NO_SECRET;
}

/** The parts of the emulator's server, as its guard names them. */
export type EmulatorArea = "rest" | "gateway" | "control" | "attachments" | "other";

/**
 * Judges a request to the emulator (the bot's Discord). REST and the gateway are the bot's, which
 * authenticates with its own per-start bot token; no browser may reach the emulator at all (the page
 * goes through its own server), and its control routes, attachments and anything else need the secret
 * as `Authorization: Bearer <secret>`.
 */
export function judgeEmulatorRequest(
  facts: RequestFacts,
  area: EmulatorArea,
  context: { port: number; secret: string },
): Refusal | undefined {
  if (!facts.host || !loopbackHosts(context.port).includes(facts.host)) return WRONG_HOST;
  if (facts.origin !== undefined || facts.fetchSite !== undefined) {
    return {
      status: 403,
      message: "The playground's Discord emulator serves the bot, not browsers: open the playground's page.",
    };
  }
  if (area === "rest" || area === "gateway") return undefined;
  const bearer = /^Bearer (.+)$/.exec(facts.authorization ?? "")?.[1];
  return secretMatches(bearer, context.secret) ? undefined : NO_SECRET;
}

/** The cookie that keeps the secret after the first load: not readable by scripts, never sent cross-site. */
export function secretCookie(port: number, secret: string): string {
  return `${cookieName(port)}=${secret}; Path=/; HttpOnly; SameSite=Strict`;
}

/**
 * Headers for every page response: scripts only from the page itself (agent output is data, never
 * markup), no framing, no network beyond the page server (the page works offline).
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};
