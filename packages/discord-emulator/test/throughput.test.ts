import { describe, expect, it } from "vitest";
import { measureThroughput } from "../bench/throughput.js";

describe("throughput", () => {
  it("measures messages/s a discord.js client sustains, and Discord's limits never 429 it", async () => {
    const result = await measureThroughput({ inbound: 1000, outbound: 500, channels: 10 });
    // A figure for the report, not an assertion: timings vary with the machine and its load.
    console.log(`emulator throughput: ${JSON.stringify(result.figures)}`);
    expect(result.figures.inboundMessagesPerSecond).toBeGreaterThan(0);
    expect(result.figures.outboundUncappedMessagesPerSecond).toBeGreaterThan(0);
    expect(result.figures.rateLimited429s).toBe(0);
  }, 30_000);
});
