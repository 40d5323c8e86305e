// The shape of a benchmark scenario: a name, what it measures, and a function returning its figures.
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
