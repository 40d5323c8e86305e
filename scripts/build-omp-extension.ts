// `npm run build:extension`: bundles packages/omp-extension into the one file bot runs load
// (src/omp/extension.ts says where, and why bun builds it).
import { buildExtensionBundle } from "../src/omp/extension.js";

const path = buildExtensionBundle();
process.stdout.write(`built ${path}\n`);
