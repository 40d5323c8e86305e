// Discord's three kinds of REST rate limit: per route bucket (advertised in X-RateLimit-* headers), a
// shared per-channel write limit (not advertised: 429 with scope "shared"), and the bot's global limit.

import { createHash } from "node:crypto";
import { GLOBAL_WINDOW_JITTER_MS, type RateLimitRule, type RateLimitRules } from "../constants.js";
import { FixedWindow } from "./window.js";

export type BucketName = "messageCreate" | "messageEdit" | "defaultRoute";

export interface RateLimitRequest {
  /** Which rule the route falls under. */
  bucket: BucketName;
  /** `METHOD /route/:template`: routes under defaultRoute each get their own bucket. */
  routeKey: string;
  /** The major parameter (channel, guild, webhook) the bucket is kept per. */
  major: string;
  /** A channel whose shared write limit this request consumes. */
  writeChannelId?: string;
  /** Whether the request counts against the global limit (bot-token requests only). */
  global: boolean;
}

export interface RateLimitRejection {
  status: 429;
  scope: "user" | "shared" | "global";
  retryAfterMs: number;
  body: { message: string; retry_after: number; global: boolean; code?: number };
}

export interface RateLimitDecision {
  headers: Record<string, string>;
  rejection: RateLimitRejection | null;
}

const hashOf = (text: string) => createHash("sha1").update(text).digest("hex").slice(0, 32);
const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

export class RateLimiter {
  private readonly windows = new Map<string, FixedWindow>();
  private readonly globalWindow: FixedWindow | null;

  /** `rules: null` turns rate limiting off (headers still report a generous bucket). */
  constructor(private readonly rules: RateLimitRules | null) {
    this.globalWindow = rules ? new FixedWindow(rules.global, GLOBAL_WINDOW_JITTER_MS) : null;
  }

  private window(key: string, rule: RateLimitRule): FixedWindow {
    let window = this.windows.get(key);
    if (!window) {
      window = new FixedWindow(rule);
      this.windows.set(key, window);
    }
    return window;
  }

  check(request: RateLimitRequest, now = Date.now()): RateLimitDecision {
    const bucketHash = hashOf(request.bucket === "defaultRoute" ? request.routeKey : request.bucket);
    if (!this.rules) {
      return {
        headers: {
          "X-RateLimit-Limit": "10000",
          "X-RateLimit-Remaining": "9999",
          "X-RateLimit-Reset": seconds(now + 1000),
          "X-RateLimit-Reset-After": "1.000",
          "X-RateLimit-Bucket": bucketHash,
        },
        rejection: null,
      };
    }
    const route = this.window(`${bucketHash}:${request.major}`, this.rules[request.bucket]);
    const write = request.writeChannelId
      ? this.window(`write:${request.writeChannelId}`, this.rules.channelWrite)
      : null;
    const routeHeaders = (remaining: number) => {
      const resetAfter = route.resetAfterMs(now);
      return {
        "X-RateLimit-Limit": String(route.rule.limit),
        "X-RateLimit-Remaining": String(remaining),
        "X-RateLimit-Reset": seconds(now + resetAfter),
        "X-RateLimit-Reset-After": seconds(resetAfter),
        "X-RateLimit-Bucket": bucketHash,
      };
    };

    if (request.global && this.globalWindow && this.globalWindow.remaining(now) === 0) {
      const retryAfterMs = this.globalWindow.retryAfterMs(now);
      return {
        headers: {
          "X-RateLimit-Global": "true",
          "X-RateLimit-Scope": "global",
          "Retry-After": String(Math.ceil(retryAfterMs / 1000)),
        },
        rejection: {
          status: 429,
          scope: "global",
          retryAfterMs,
          body: { message: "You are being rate limited.", retry_after: retryAfterMs / 1000, global: true },
        },
      };
    }
    if (route.remaining(now) === 0) {
      const retryAfterMs = route.retryAfterMs(now);
      return {
        headers: {
          ...routeHeaders(0),
          "X-RateLimit-Scope": "user",
          "Retry-After": String(Math.ceil(retryAfterMs / 1000)),
        },
        rejection: {
          status: 429,
          scope: "user",
          retryAfterMs,
          body: { message: "You are being rate limited.", retry_after: retryAfterMs / 1000, global: false },
        },
      };
    }
    if (write && write.remaining(now) === 0) {
      const retryAfterMs = write.retryAfterMs(now);
      return {
        headers: {
          ...routeHeaders(route.remaining(now)),
          "X-RateLimit-Scope": "shared",
          "Retry-After": String(Math.ceil(retryAfterMs / 1000)),
        },
        rejection: {
          status: 429,
          scope: "shared",
          retryAfterMs,
          body: {
            message: "The write action you are performing on the channel has hit the write rate limit.",
            retry_after: retryAfterMs / 1000,
            global: false,
            code: 20028,
          },
        },
      };
    }
    if (request.global) this.globalWindow?.hit(now);
    route.hit(now);
    write?.hit(now);
    return { headers: routeHeaders(route.remaining(now)), rejection: null };
  }
}
