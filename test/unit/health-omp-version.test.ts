// The omp version the bot is tested with comes from package.json's exact devDependency, the same one
// `npm install` puts in node_modules; the warning names both versions and what to do.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  OMP_PACKAGE,
  ompVersionWarning,
  parseOmpVersion,
  testedOmpVersion,
} from "../../src/health/omp-version.js";

describe("the tested omp version", () => {
  it("is the version of omp that npm installed from package.json's devDependency", () => {
    const installed = JSON.parse(
      readFileSync(new URL(`../../node_modules/${OMP_PACKAGE}/package.json`, import.meta.url), "utf8"),
    ) as { version: string };
    expect(testedOmpVersion()).toBe(installed.version);
  });

  it("is unknown when package.json does not name omp, and then nothing warns", () => {
    const dir = mkdtempSync(join(tmpdir(), "ompcord-manifest-"));
    try {
      const manifest = join(dir, "package.json");
      writeFileSync(manifest, JSON.stringify({ devDependencies: { other: "1.0.0" } }));
      expect(testedOmpVersion(manifest)).toBeUndefined();
      expect(ompVersionWarning("omp/99.0.0", testedOmpVersion(manifest))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseOmpVersion", () => {
  it.each([
    ["omp/18.2.3", "18.2.3"],
    ["18.2.3", "18.2.3"],
    ["^18.2.3", "18.2.3"],
    ["omp/19.0.0-beta.1\n", "19.0.0-beta.1"],
  ])("finds the version in %j", (text, version) => {
    expect(parseOmpVersion(text)).toBe(version);
  });

  it("finds none in text without one", () => {
    expect(parseOmpVersion("omp (development build)")).toBeUndefined();
  });
});

describe("ompVersionWarning", () => {
  it("says nothing for the tested version", () => {
    expect(ompVersionWarning("omp/18.2.3", "18.2.3")).toBeUndefined();
  });

  it("names both versions and the fix for another one", () => {
    const warning = ompVersionWarning("omp/18.1.0", "18.2.3");
    expect(warning).toContain("tested with omp 18.2.3, this is 18.1.0");
    expect(warning).toContain("npm install");
  });
});
