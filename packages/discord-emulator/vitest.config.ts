import { defineConfig } from "vitest/config";

// `npm test` here runs the emulator's suite alone; the root `npm test` runs it with every other tier
// (the root vitest.config.ts includes packages/*/test). Real discord.js clients log in: generous ceilings.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
