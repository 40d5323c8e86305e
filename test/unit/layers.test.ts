// The tree reads in the order the data flows (docs/ARCHITECTURE.md): each part of src/ imports only the
// parts below it in ARCHITECTURE's table, and discord.js only where the bot talks to Discord.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/** ARCHITECTURE's table, top down: a part may import only parts on a later row. */
const ROWS: readonly (readonly string[])[] = [
  ["main.ts"],
  ["playground.ts"],
  ["app.ts"],
  ["discord"],
  ["sessions"],
  ["dashboard"],
  ["approvals"],
  ["health"],
  ["queue"],
  ["sidecar"],
  ["omp"],
  ["format"],
  ["output", "store", "log.ts"],
  ["config", "clock.ts", "expect.ts", "extension-protocol.ts", "metrics.ts", "secrets.ts"],
];

/** Where the bot talks to Discord through discord.js (discord-api-types' plain shapes may go anywhere). */
const DISCORD_JS_ALLOWED = new Set(["app.ts", "discord", "health"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The top-level part of src/ a file belongs to: its folder, or the file itself. */
function partOf(path: string): string {
  return relative(SRC, path).split(sep)[0]!.replace(/\.js$/, ".ts");
}

interface Import {
  from: string;
  to: string;
  file: string;
}

function imports(): { parts: Import[]; packages: Import[] } {
  const parts: Import[] = [];
  const packages: Import[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"([^"]+)"/g)) {
      const specifier = match[1]!;
      const entry = { from: partOf(file), file: relative(SRC, file) };
      if (specifier.startsWith(".")) {
        const to = partOf(resolve(dirname(file), specifier));
        if (to !== entry.from) parts.push({ ...entry, to });
      } else {
        packages.push({ ...entry, to: specifier });
      }
    }
  }
  return { parts, packages };
}

const row = (part: string) => ROWS.findIndex((parts) => parts.includes(part));

describe("the layout of src/", () => {
  const { parts, packages } = imports();

  it("names every part of src/ in the table", () => {
    const unknown = [...new Set(sourceFiles(SRC).map(partOf))].filter((part) => row(part) < 0);
    expect(unknown, "add them to ROWS and to docs/ARCHITECTURE.md's table").toEqual([]);
  });

  it("has each part import only the parts below it, so there is no cycle and no back edge", () => {
    const upward = parts
      .filter(({ from, to }) => row(to) <= row(from))
      .map(({ file, to }) => `${file} imports ${to}`);
    expect(upward).toEqual([]);
  });

  it("keeps discord.js at the Discord edge: sessions, the dashboards and the runner never import it", () => {
    const outside = packages
      .filter(({ from, to }) => to === "discord.js" && !DISCORD_JS_ALLOWED.has(from))
      .map(({ file }) => file);
    expect(outside).toEqual([]);
  });
});
