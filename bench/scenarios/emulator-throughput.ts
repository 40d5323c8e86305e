// The emulator's own throughput benchmark (packages/discord-emulator/bench/throughput.ts) as a scenario
// of `npm run bench`, so its figures are saved with the machine like every other scenario's.

import { measureThroughput } from "@ompcord/discord-emulator/bench";
import type { Scenario } from "./types.js";

export const emulatorThroughput: Scenario = {
  name: "emulator-throughput",
  description: "messages/s a discord.js client sustains against the local Discord emulator, in and out",
  async run({ log }) {
    const result = await measureThroughput();
    log(JSON.stringify(result.figures));
    return { ...result.figures, parameters: result.parameters };
  },
};
