// A sliding-window counter: the requests of the last `windowMs`, and when the oldest of them expires.

import type { RateLimitRule } from "../constants.js";

export class SlidingWindow {
  private readonly hits: number[] = [];
  constructor(readonly rule: RateLimitRule) {}

  private prune(now: number): void {
    while (this.hits.length > 0 && this.hits[0]! <= now - this.rule.windowMs) this.hits.shift();
  }

  remaining(now: number): number {
    this.prune(now);
    return Math.max(0, this.rule.limit - this.hits.length);
  }

  /** Time until one more request fits (0 when one fits now). */
  retryAfterMs(now: number): number {
    this.prune(now);
    if (this.hits.length < this.rule.limit) return 0;
    return this.hits[this.hits.length - this.rule.limit]! + this.rule.windowMs - now;
  }

  /** Time until the window is empty again: what X-RateLimit-Reset-After reports. */
  resetAfterMs(now: number): number {
    this.prune(now);
    const newest = this.hits[this.hits.length - 1];
    return newest === undefined ? this.rule.windowMs : newest + this.rule.windowMs - now;
  }

  hit(now: number): void {
    this.prune(now);
    this.hits.push(now);
  }
}

/**
 * Fixed windows opened by the first request after the previous one closed: how discord.js counts the
 * global limit itself. A sliding window would 429 a client that keeps to 50 per such window (it may send 50
 * at the end of one and 50 at the start of the next). `jitterMs` lets a request that arrives that much before
 * the window ends open the next one, since the client's clock started its window a little earlier than ours.
 */
export class FixedWindow {
  private start = Number.NEGATIVE_INFINITY;
  private count = 0;
  constructor(
    readonly rule: RateLimitRule,
    private readonly jitterMs: number,
  ) {}

  private roll(now: number): void {
    const ends = this.start + this.rule.windowMs;
    if (now >= ends || (this.count >= this.rule.limit && now >= ends - this.jitterMs)) {
      this.start = now;
      this.count = 0;
    }
  }

  remaining(now: number): number {
    this.roll(now);
    return Math.max(0, this.rule.limit - this.count);
  }

  retryAfterMs(now: number): number {
    this.roll(now);
    return this.count < this.rule.limit ? 0 : this.start + this.rule.windowMs - this.jitterMs - now;
  }

  hit(now: number): void {
    this.roll(now);
    this.count += 1;
  }
}
