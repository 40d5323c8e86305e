import { defineConfig } from "vitest/config";

// Real omp runs cost ~330 MB and ~1.6 s each on a 2-core box: keep file parallelism modest.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
