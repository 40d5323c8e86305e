import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { SlowTiersFirst } from "./test/support/sequencer.js";

/**
 * Workspace packages (packages/*) export their TypeScript source under this condition, so tests run
 * them without a build. Vitest also hands these conditions to its worker processes as node's
 * `--conditions`: Vite's default "module" must stay out (node would then load bundler-only builds, such
 * as @opentelemetry/api's extensionless ESM), and "node" is node's own default anyway.
 */
const CONDITIONS = ["@ompcord/source", "node"];

// Most of a test's time is waiting (for omp to start, a model reply, a tool, a grace period, Discord's
// write window), so files overlap their waits: on an idle 2-core box, 3 workers kept the cores about 70 %
// busy (596 s), 5 workers about 93 % (495 s); past that, omp's own start (about 2 s of CPU per run) is
// what limits. Each worker may hold a bot and an omp (~330 MB): capped at 6.
// Files share their worker's module cache (`isolate: false`): importing discord.js and the bot once per
// worker instead of once per file saved about a tenth of the suite's CPU time, and no test relies on
// module state another file left (none stubs modules, env or timers globally).
// Timeouts are ceilings for a shared, loaded machine (omp alone then takes over 10 s to start): a test
// waits for events, so a generous ceiling costs time only when something is broken.
export default defineConfig({
  ssr: { resolve: { conditions: CONDITIONS } },
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // Builds the OMP extension every real-omp run loads, once per `vitest run`.
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    maxWorkers: Math.min(Math.max(2 * availableParallelism() + 1, 3), 6),
    isolate: false,
    // Without vitest's record of last time (a clean clone), the slow tiers start first.
    sequence: { sequencer: SlowTiersFirst },
    testTimeout: 240_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
