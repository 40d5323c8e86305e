// Every series `GET /metrics` serves is documented in the README's Metrics table, with its type and
// labels, and every row there is served: a new series cannot go undocumented, nor a removed one linger.
// Scrapes a started sidecar (the route a Prometheus reads), not a list of our own.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sidecar, startSidecar } from "../../src/sidecar/index.js";
import { createMemorySidecarPorts } from "../support/memory-sidecar-ports.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const TOKEN = "test-token-metrics-documented-0123";

/** One row of the README's table: a series, or a family of them when the name ends in `*`. */
interface DocumentedSeries {
  name: string;
  type: string;
  labels: string[];
}

/** The rows of the table under `### Metrics`. */
function documented(markdown: string): DocumentedSeries[] {
  const section = markdown.split(/^### Metrics\n/m)[1]?.split(/^#{2,3} /m)[0];
  if (!section) throw new Error("Expected a `### Metrics` section in the README, found none");
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [name = "", type = "", labels = ""] = line
        .split("|")
        .slice(1)
        .map((cell) => cell.trim());
      return {
        name: name.replaceAll("`", ""),
        type,
        labels: [...labels.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string).sort(),
      };
    });
}

/** Each served series' type, from the `# TYPE name type` lines of a scrape. */
function served(scrape: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm))
    types.set(match[1] as string, match[2] as string);
  return types;
}

/** What is wrong between the table and a scrape, as lines a person can act on; empty when they agree. */
function disagreements(
  rows: readonly DocumentedSeries[],
  types: ReadonlyMap<string, string>,
  labelsOf: (name: string) => string[],
): string[] {
  const exact = new Map(rows.filter((row) => !row.name.endsWith("*")).map((row) => [row.name, row]));
  const families = rows.filter((row) => row.name.endsWith("*")).map((row) => row.name.slice(0, -1));
  const found: string[] = [];
  for (const [name, type] of types) {
    const row = exact.get(name);
    if (row) {
      if (row.type !== type) found.push(`${name}: documented as ${row.type}, served as ${type}`);
      const labels = labelsOf(name);
      if (row.labels.join() !== labels.join()) {
        found.push(`${name}: documented labels [${row.labels.join(", ")}], served [${labels.join(", ")}]`);
      }
    } else if (!families.some((prefix) => name.startsWith(prefix))) {
      found.push(`${name} (${type}) is served but not in the README's Metrics table: add a row`);
    }
  }
  for (const name of exact.keys()) {
    if (!types.has(name))
      found.push(`${name} is in the README's Metrics table but not served: remove the row`);
  }
  for (const prefix of families) {
    if (![...types.keys()].some((name) => name.startsWith(prefix))) {
      found.push(`${prefix}* is in the README's Metrics table but no such series is served`);
    }
  }
  return found;
}

let sidecar: Sidecar;
let scrape: string;

beforeAll(async () => {
  sidecar = await startSidecar({
    token: TOKEN,
    port: 0,
    bodyLimitBytes: 1024,
    redact: (text: string) => text,
    ports: createMemorySidecarPorts(["s-1"]),
  });
  const response = await fetch(`${sidecar.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  scrape = await response.text();
});

afterAll(async () => {
  await sidecar?.close();
});

/** The label names a served series declares (a labelled counter shows none in a scrape until counted). */
function labelsOf(name: string): string[] {
  const metric = sidecar.metrics.registry.getSingleMetric(name) as
    | { labelNames?: readonly string[] }
    | undefined;
  return [...(metric?.labelNames ?? [])].sort();
}

describe("the README's Metrics table", () => {
  it("documents every series /metrics serves, with its type and labels, and nothing it does not serve", () => {
    const types = served(scrape);
    expect(types.size).toBeGreaterThan(0);
    // Joined, so a failure prints each line in full.
    expect(disagreements(documented(README), types, labelsOf).join("\n")).toBe("");
  });

  it("would catch a series left out of it, or a row for a series that is gone", () => {
    const rows = documented(README);
    const types = served(scrape);
    const first = rows.find((row) => row.name.startsWith("ompcord_"));
    if (!first) throw new Error("Expected the table to document ompcord_ series, found none");
    const withoutFirst = rows.filter((row) => row !== first);
    expect(disagreements(withoutFirst, types, labelsOf)).toEqual([
      `${first.name} (${types.get(first.name)}) is served but not in the README's Metrics table: add a row`,
    ]);
    const gone = { name: "ompcord_gone_total", type: "counter", labels: [] };
    expect(disagreements([...rows, gone], types, labelsOf)).toEqual([
      "ompcord_gone_total is in the README's Metrics table but not served: remove the row",
    ]);
  });
});
