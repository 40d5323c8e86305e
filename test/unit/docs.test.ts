// The documents stay true: every `SPEC §n` the repository cites names a section of docs/SPEC.md, and
// every path and name docs/ARCHITECTURE.md points at exists where it says.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(resolve(ROOT, path), "utf8");

/** Files git knows of, as the repository has them (no node_modules, no build output). */
function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((path) => /\.(ts|tsx|mjs|md)$/.test(path) && existsSync(resolve(ROOT, path)));
}

describe("docs/SPEC.md", () => {
  const sections = new Set(
    [...read("docs/SPEC.md").matchAll(/^## (\d+)\. /gm)].map((match) => Number(match[1])),
  );

  it("has its sections numbered 1, 2, 3… without a gap", () => {
    expect([...sections]).toEqual(Array.from({ length: sections.size }, (_, i) => i + 1));
  });

  it("has a section for every `SPEC §n` the repository cites", () => {
    const dangling: string[] = [];
    for (const path of trackedFiles()) {
      for (const match of read(path).matchAll(/SPEC §(\d+)((?:,? ?§\d+)*)/g)) {
        const numbers = [match[1], ...[...match[2]!.matchAll(/§(\d+)/g)].map((more) => more[1])];
        for (const n of numbers) if (!sections.has(Number(n))) dangling.push(`${path}: SPEC §${n}`);
      }
    }
    expect(dangling).toEqual([]);
  });
});

describe("docs/ARCHITECTURE.md", () => {
  const text = read("docs/ARCHITECTURE.md");

  it("names only paths that exist", () => {
    const paths = [...text.matchAll(/`((?:src|test|packages|bench|docs)\/[^`\s]*)`/g)].map(
      (match) => match[1]!,
    );
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !existsSync(resolve(ROOT, path)))).toEqual([]);
  });

  it("finds every name it points at in the file it names", () => {
    const missing: string[] = [];
    // "`Name` in `src/file.ts`" and "`src/file.ts` (`Name`, `Class.member`)"
    const named = [
      ...[...text.matchAll(/`([\w#.]+)`(?: and `([\w#.]+)`)? in `(src\/[^`]+)`/g)].flatMap((match) =>
        [match[1], match[2]].filter(Boolean).map((name) => [name!, match[3]!] as const),
      ),
      ...[...text.matchAll(/`(src\/[^`]+)` \(([^)]+)\)/g)].flatMap((match) =>
        [...match[2]!.matchAll(/`([\w#.]+)`/g)].map((name) => [name[1]!, match[1]!] as const),
      ),
    ];
    expect(named.length).toBeGreaterThan(20);
    for (const [name, path] of named) {
      const member = name.split(".").at(-1)!;
      const escaped = member.replace(/[#$]/g, "\\$&");
      if (!new RegExp(`(?:^|[^\\w#])${escaped}\\b`).test(read(path))) missing.push(`${name} in ${path}`);
    }
    expect(missing).toEqual([]);
  });
});
