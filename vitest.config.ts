import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Workspace packages (packages/*) export their TypeScript source under this condition, so tests run
 * them without a build. Vitest also hands these conditions to its worker processes as node's
 * `--conditions`: Vite's default "module" must stay out (node would then load bundler-only builds, such
 * as @opentelemetry/api's extensionless ESM), and "node" is node's own default anyway.
 */
const CONDITIONS = ["@ompcord/source", "node"];

// Most of a test's time is waiting (for omp to start, a model reply, a tool, a grace period), so one file
// per core plus one keeps a 2-core box busy: on one, under the same background load, 3 workers took the
// suite from 530 s to 402 s (4: 393 s). Each worker may hold a bot and an omp (~330 MB): capped at 6.
// Timeouts are ceilings for a shared, loaded machine (omp alone then takes over 10 s to start): a test
// waits for events, so a generous ceiling costs time only when something is broken.
export default defineConfig({
  ssr: { resolve: { conditions: CONDITIONS } },
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // Builds the OMP extension every real-omp run loads, once per `vitest run`.
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    maxWorkers: Math.min(Math.max(availableParallelism() + 1, 3), 6),
    testTimeout: 240_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
