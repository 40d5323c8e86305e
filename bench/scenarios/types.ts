// The shape of a benchmark scenario (a name, what it measures, a function returning its figures) and the
// measuring helpers scenarios share.
export interface Scenario {
  name: string;
  description: string;
  /** Runs the scenario and returns its figures (numbers, plus anything needed to read them). */
  run(options: { log: (message: string) => void }): Promise<Record<string, unknown>>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times `bare` and `measured` in alternating pairs after one warm-up of each (the first omp start fills
 * bun's transpile cache and the disk cache), swapping the order inside every other pair so neither side
 * always runs second. Returns each side's times and the per-pair ratios measured / bare.
 */
export async function alternatingPairs(options: {
  pairs: number;
  bare: () => Promise<number>;
  measured: () => Promise<number>;
  label: string;
  log: (line: string) => void;
}): Promise<{ bareMs: number[]; measuredMs: number[]; ratios: number[] }> {
  const { pairs, bare, measured, label, log } = options;
  await bare();
  await measured();
  const bareMs: number[] = [];
  const measuredMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      bareMs.push(await bare());
      measuredMs.push(await measured());
    } else {
      measuredMs.push(await measured());
      bareMs.push(await bare());
    }
    log(
      `pair ${i + 1}/${pairs}: bare ${bareMs.at(-1)!.toFixed(0)} ms, ${label} ${measuredMs.at(-1)!.toFixed(0)} ms`,
    );
  }
  return { bareMs, measuredMs, ratios: measuredMs.map((t, i) => t / bareMs[i]!) };
}
