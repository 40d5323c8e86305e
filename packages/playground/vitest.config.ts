import { defineConfig } from "vitest/config";

// `npm test` here runs the playground's own suite (its servers, security checks and the page's pure
// parts); the root `npm test` runs it with every other tier, and the browser tests of the whole
// product live in the root's test/e2e. The emulator resolves to its source, as at the root.
export default defineConfig({
  ssr: { resolve: { conditions: ["@ompcord/source", "node"] } },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
