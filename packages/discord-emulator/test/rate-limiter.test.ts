import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMITS } from "../src/constants.js";
import { RateLimiter } from "../src/ratelimit/limiter.js";
import { FixedWindow } from "../src/ratelimit/window.js";

describe("rate-limit windows", () => {
  it("a window opened by its first request allows `limit` until it closes", () => {
    const w = new FixedWindow({ limit: 2, windowMs: 1000 });
    w.hit(100);
    w.hit(600);
    expect(w.remaining(700)).toBe(0);
    expect(w.retryAfterMs(700)).toBe(400);
    expect(w.resetAfterMs(700)).toBe(400);
    expect(w.remaining(1100)).toBe(2);
  });

  it("jitter lets a full window's next burst start slightly early", () => {
    const w = new FixedWindow({ limit: 1, windowMs: 1000 }, 50);
    w.hit(0);
    expect(w.remaining(940)).toBe(0);
    expect(w.remaining(960)).toBe(1);
  });
});

describe("rate limiter", () => {
  const edit = (channel: string) => ({
    bucket: "messageEdit" as const,
    routeKey: "PATCH /channels/:channel_id/messages/:message_id",
    major: channel,
    writeChannelId: channel,
    global: true,
  });

  it("reports the route bucket in Discord's headers", () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS);
    const { headers, rejection } = limiter.check(edit("1"), 10_000);
    expect(rejection).toBeNull();
    expect(headers).toMatchObject({
      "X-RateLimit-Limit": "5",
      "X-RateLimit-Remaining": "4",
      "X-RateLimit-Reset-After": "5.000",
    });
  });

  it("the channel write limit is shared by creates and edits and answered with scope shared", () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS);
    limiter.check(
      { ...edit("1"), bucket: "messageCreate", routeKey: "POST /channels/:channel_id/messages" },
      0,
    );
    for (let i = 0; i < 4; i++) expect(limiter.check(edit("1"), 1).rejection).toBeNull();
    const fifth = limiter.check(edit("1"), 2);
    expect(fifth.rejection).toMatchObject({ scope: "shared", retryAfterMs: 4998, body: { code: 20028 } });
    expect(fifth.headers["X-RateLimit-Remaining"]).toBe("1");
    expect(limiter.check(edit("2"), 2).rejection).toBeNull();
  });

  it("the 51st bot request within a second meets the global limit, whatever its route", () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS);
    // 50 edits in 50 channels: no route or channel limit is near, only the global one.
    for (let i = 0; i < 50; i++) expect(limiter.check(edit(String(i)), i).rejection).toBeNull();
    const over = limiter.check(edit("50"), 900);
    expect(over.rejection).toMatchObject({ scope: "global", body: { global: true } });
    expect(over.headers).toMatchObject({ "X-RateLimit-Global": "true" });
    // Once the window has run (less the global jitter), the next burst may start.
    expect(limiter.check(edit("51"), 1000).rejection).toBeNull();
  });

  it("no rules means no rejections", () => {
    const limiter = new RateLimiter(null);
    for (let i = 0; i < 100; i++) expect(limiter.check(edit("1"), 0).rejection).toBeNull();
  });
});
