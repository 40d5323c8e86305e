// Bundles the page (web/) into dist/web at build time: one HTML file, hashed assets, nothing fetched
// from elsewhere at run time, so the playground works offline.

import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  root: resolve(import.meta.dirname, "web"),
  base: "/",
  // JSX compiles to Preact's runtime (no plugin needed: the transform is Vite's own).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: resolve(import.meta.dirname, "dist/web"),
    emptyOutDir: true,
    // The page is served by the playground itself, so its source maps stay local too.
    sourcemap: true,
    target: "es2022",
    reportCompressedSize: false,
  },
  logLevel: "warn",
});
