import { defineConfig } from "vitest/config";

/**
 * Workspace packages (packages/*) export their TypeScript source under this condition, so tests run
 * them without a build. Vitest also hands these conditions to its worker processes as node's
 * `--conditions`: Vite's default "module" must stay out (node would then load bundler-only builds, such
 * as @opentelemetry/api's extensionless ESM), and "node" is node's own default anyway.
 */
const CONDITIONS = ["@ompcord/source", "node"];

// Real omp runs cost ~330 MB and ~1.6 s each on a 2-core box: keep file parallelism modest.
// Timeouts are ceilings for a shared, loaded machine (omp alone then takes over 10 s to start): a test
// waits for events, so a generous ceiling costs time only when something is broken.
export default defineConfig({
  ssr: { resolve: { conditions: CONDITIONS } },
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 240_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
