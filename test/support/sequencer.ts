// The order test files start in. Vitest starts the files that took longest last time first, which keeps
// every worker busy to the end; on a clean clone (CI, a newcomer) it has no such record and starts the
// largest files first, which are unit files of many quick tests, so long end-to-end files started late
// and ran alone at the end. Without a record, this starts the slow tiers first: e2e, then integration,
// then the rest, each largest file first.

import { statSync } from "node:fs";
import { relative, sep } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Tiers from the slowest per file: each starts bots, omp runs or browsers; the rest are quick. */
const TIERS = [`test${sep}e2e${sep}`, `test${sep}integration${sep}`];

function tier(file: string): number {
  const index = TIERS.findIndex((prefix) => file.startsWith(prefix));
  return index === -1 ? TIERS.length : index;
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export class SlowTiersFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const recorded = files.every((spec) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${relative(root, spec.moduleId)}`),
    );
    if (recorded) return super.sort(files);
    // Each file's tier and size once, not once per comparison.
    const keys = new Map(
      files.map((spec) => [spec, { tier: tier(relative(root, spec.moduleId)), size: size(spec.moduleId) }]),
    );
    return [...files].sort((a, b) => {
      const ka = keys.get(a)!;
      const kb = keys.get(b)!;
      return ka.tier - kb.tier || kb.size - ka.size;
    });
  }
}
