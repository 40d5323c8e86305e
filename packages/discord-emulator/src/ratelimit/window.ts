// A rate-limit window as Discord and discord.js count them: a fixed window opened by the first request
// after the previous one closed, allowing `limit` requests until it closes.

import type { RateLimitRule } from "../constants.js";

export class FixedWindow {
  private start = Number.NEGATIVE_INFINITY;
  private count = 0;

  /**
   * `jitterMs` lets a request that arrives that much before a full window closes open the next one. The
   * global limit needs it: discord.js opens its own global window when it sends, a little before we see the
   * request, and sends its next burst when its window closes, a little before ours does.
   */
  constructor(
    readonly rule: RateLimitRule,
    private readonly jitterMs = 0,
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

  /** Time until one more request fits (0 when one fits now). */
  retryAfterMs(now: number): number {
    this.roll(now);
    return this.count < this.rule.limit ? 0 : this.start + this.rule.windowMs - this.jitterMs - now;
  }

  /** Time until the window closes: what X-RateLimit-Reset-After reports. */
  resetAfterMs(now: number): number {
    this.roll(now);
    return this.count === 0 ? this.rule.windowMs : this.start + this.rule.windowMs - now;
  }

  hit(now: number): void {
    this.roll(now);
    this.count += 1;
  }
}
