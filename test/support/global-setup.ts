// Vitest's global setup: runs once before any test file. Every real-omp run loads the ompcord OMP
// extension, so its bundle is brought up to date here, once, instead of racing in each worker.
import { ensureExtensionBundle } from "../../src/omp/extension.js";

export default function setup(): void {
  ensureExtensionBundle();
}
