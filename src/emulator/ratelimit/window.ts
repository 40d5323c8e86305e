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
