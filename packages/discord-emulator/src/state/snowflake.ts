// Discord-style snowflake ids: time-ordered, unique within one emulator.

import { DISCORD_EPOCH } from "../constants.js";

export class SnowflakeGenerator {
  private increment = 0n;
  private last = 0n;

  /** A new id for the given time (defaults to now); ids from one generator always increase. */
  next(timeMs: number = Date.now()): string {
    let id = ((BigInt(timeMs) - DISCORD_EPOCH) << 22n) | (1n << 17n) | (this.increment++ & 0xfffn);
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }
}

/** The creation time encoded in a snowflake. */
export function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH));
}
