// Who may use the playground, judged from a request's headers alone: the Host (DNS rebinding), the
// Origin and Sec-Fetch-Site (a web page in the person's browser, another app on a localhost port) and the
// per-start secret (another local user).

import { describe, expect, it } from "vitest";
import {
  cookieName,
  judgeEmulatorRequest,
  judgePageRequest,
  type RequestFacts,
  readCookie,
  secretCookie,
  secretMatches,
} from "../src/security.js";

const PORT = 4321;
const SECRET = "s3cret-for-this-start-only";
const cookie = `${cookieName(PORT)}=${SECRET}`;

function facts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    method: "GET",
    host: `127.0.0.1:${PORT}`,
    origin: undefined,
    fetchSite: "same-origin",
    cookie,
    authorization: undefined,
    ...overrides,
  };
}

const page = (overrides: Partial<RequestFacts>, secretFromUrl?: string) =>
  judgePageRequest(facts(overrides), { port: PORT, secret: SECRET, secretFromUrl });

describe("requests to the page server", () => {
  it("lets the person's own page in: its cookie, its host, same-origin", () => {
    expect(page({})).toBeUndefined();
    expect(page({ host: `localhost:${PORT}`, origin: `http://localhost:${PORT}` })).toBeUndefined();
    expect(page({ method: "POST", origin: `http://127.0.0.1:${PORT}` })).toBeUndefined();
  });

  it("lets the first load in by the key in the address, typed or opened (Sec-Fetch-Site: none)", () => {
    expect(page({ cookie: undefined, fetchSite: "none" }, SECRET)).toBeUndefined();
    expect(page({ cookie: undefined, fetchSite: "none" }, "a-guess")).toMatchObject({ status: 401 });
  });

  it("refuses anyone without the secret: no cookie, a wrong one, another port's", () => {
    expect(page({ cookie: undefined })).toMatchObject({ status: 401 });
    expect(page({ cookie: `${cookieName(PORT)}=${SECRET}x` })).toMatchObject({ status: 401 });
    expect(page({ cookie: `${cookieName(PORT + 1)}=${SECRET}` })).toMatchObject({ status: 401 });
  });

  it("refuses another host name, even with the secret (DNS rebinding)", () => {
    expect(page({ host: `evil.example:${PORT}` })).toMatchObject({ status: 403 });
    expect(page({ host: `127.0.0.1:${PORT + 1}` })).toMatchObject({ status: 403 });
    expect(page({ host: undefined })).toMatchObject({ status: 403 });
  });

  it("refuses requests from other sites and from other apps on localhost, even carrying the cookie", () => {
    expect(page({ fetchSite: "cross-site" })).toMatchObject({ status: 403 });
    // Every port of 127.0.0.1 is the same site: SameSite cookies reach here from any local app.
    expect(page({ fetchSite: "same-site", origin: "http://127.0.0.1:8080" })).toMatchObject({ status: 403 });
    expect(page({ fetchSite: undefined, origin: "http://127.0.0.1:8080" })).toMatchObject({ status: 403 });
    expect(page({ fetchSite: undefined, origin: "null" })).toMatchObject({ status: 403 });
  });

  it("refuses a write that names no origin (browsers always send one with a POST)", () => {
    expect(page({ method: "POST", origin: undefined })).toMatchObject({ status: 403 });
  });
});

describe("requests to the playground's Discord emulator", () => {
  const emulator = (area: Parameters<typeof judgeEmulatorRequest>[1], overrides: Partial<RequestFacts>) =>
    judgeEmulatorRequest(facts({ cookie: undefined, fetchSite: undefined, ...overrides }), area, {
      port: PORT,
      secret: SECRET,
    });

  it("lets the bot's REST calls and gateway in (they carry the bot's own per-start token)", () => {
    expect(emulator("rest", {})).toBeUndefined();
    expect(emulator("gateway", {})).toBeUndefined();
  });

  it("refuses every browser request, whatever the area: the page goes through its own server", () => {
    expect(emulator("rest", { origin: "https://evil.example" })).toMatchObject({ status: 403 });
    expect(emulator("gateway", { origin: `http://127.0.0.1:${PORT}` })).toMatchObject({ status: 403 });
    expect(emulator("rest", { fetchSite: "cross-site" })).toMatchObject({ status: 403 });
  });

  it("refuses another host name (DNS rebinding)", () => {
    expect(emulator("rest", { host: `evil.example:${PORT}` })).toMatchObject({ status: 403 });
  });

  it("lets control, attachments and the rest in only with the secret as a bearer token", () => {
    for (const area of ["control", "attachments", "other"] as const) {
      expect(emulator(area, {})).toMatchObject({ status: 401 });
      expect(emulator(area, { cookie })).toMatchObject({ status: 401 });
      expect(emulator(area, { authorization: `Bearer ${SECRET}` })).toBeUndefined();
      expect(emulator(area, { authorization: `Bearer ${SECRET}0` })).toMatchObject({ status: 401 });
    }
  });
});

describe("secrets and cookies", () => {
  it("compares secrets whole", () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches(SECRET.slice(0, -1), SECRET)).toBe(false);
    expect(secretMatches(undefined, SECRET)).toBe(false);
    expect(secretMatches("", SECRET)).toBe(false);
  });

  it("reads one cookie among several", () => {
    expect(readCookie(`a=1; ${cookieName(PORT)}=${SECRET}; b=2`, cookieName(PORT))).toBe(SECRET);
    expect(readCookie("a=1", cookieName(PORT))).toBeUndefined();
    expect(readCookie(undefined, cookieName(PORT))).toBeUndefined();
  });

  it("sets a cookie scripts cannot read and other sites never send", () => {
    const header = secretCookie(PORT, SECRET);
    expect(header).toContain("HttpOnly");
    expect(header).toContain("SameSite=Strict");
    expect(header.startsWith(`${cookieName(PORT)}=${SECRET};`)).toBe(true);
  });
});
