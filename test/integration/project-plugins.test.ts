// The project plugin root ompcord finds for a workspace is the one omp 18.2.3 would load plugins from
// (discovery/helpers.ts `resolveActiveProjectRegistryPath`): the walk's rules, on real directories.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectPluginProblem, projectPluginRoot } from "../../src/omp/project-plugins.js";

let scratch: string;
let cases = 0;

/** A fresh tree `<case>/home/repo/app` (the workspace), each directory made. */
function tree() {
  const base = join(scratch, `case-${++cases}`);
  const home = join(base, "home");
  const repo = join(home, "repo");
  const ws = join(repo, "app");
  mkdirSync(ws, { recursive: true });
  return { base, home, repo, ws };
}

const plain = (home: string) => ({ home, workspaceOnly: false });

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "ompcord-project-plugins-"));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a workspace's project plugin root", () => {
  it("is under the nearest .omp directory at or above the workspace", () => {
    const { home, repo, ws } = tree();
    mkdirSync(join(repo, ".omp"));
    expect(projectPluginRoot(ws, plain(home))).toBe(join(repo, ".omp", "plugins"));
    mkdirSync(join(ws, ".omp"));
    expect(projectPluginRoot(ws, plain(home))).toBe(join(ws, ".omp", "plugins"));
  });

  it("is under a .omp directory further up rather than a nearer .git, as omp's two passes find it", () => {
    const { home, repo, ws } = tree();
    mkdirSync(join(ws, ".git"));
    expect(projectPluginRoot(ws, plain(home))).toBe(join(ws, ".omp", "plugins"));
    mkdirSync(join(repo, ".omp"));
    expect(projectPluginRoot(ws, plain(home))).toBe(join(repo, ".omp", "plugins"));
  });

  it("is never found at HOME or above it: the person's ~/.omp is no project", () => {
    const { base, home, ws } = tree();
    mkdirSync(join(home, ".omp"));
    mkdirSync(join(base, ".omp"));
    expect(projectPluginRoot(ws, plain(home))).toBeUndefined();
  });

  it("is not anchored by a .omp that is a file", () => {
    const { home, ws } = tree();
    writeFileSync(join(ws, ".omp"), "");
    expect(projectPluginRoot(ws, plain(home))).toBeUndefined();
  });

  it("is looked for in the workspace alone in the sandbox, where nothing above it is visible", () => {
    const { home, repo, ws } = tree();
    mkdirSync(join(repo, ".omp"));
    expect(projectPluginRoot(ws, { home, workspaceOnly: true })).toBeUndefined();
    mkdirSync(join(ws, ".omp"));
    expect(projectPluginRoot(ws, { home, workspaceOnly: true })).toBe(join(ws, ".omp", "plugins"));
  });

  it("follows omp's config directory name when PI_CONFIG_DIR renames it", () => {
    const { home, repo, ws } = tree();
    mkdirSync(join(repo, ".omp"));
    mkdirSync(join(ws, ".pi"));
    expect(projectPluginRoot(ws, { ...plain(home), configDir: ".pi" })).toBe(join(ws, ".pi", "plugins"));
  });

  it("stops a run only once it holds a node_modules omp would import from", () => {
    const { home, repo, ws } = tree();
    mkdirSync(join(repo, ".omp", "plugins"), { recursive: true });
    expect(projectPluginProblem(ws, plain(home))).toBeUndefined();
    mkdirSync(join(repo, ".omp", "plugins", "node_modules"));
    const problem = projectPluginProblem(ws, plain(home));
    expect(problem).toContain(join(repo, ".omp", "plugins", "node_modules"));
    expect(problem).toContain(`list ${ws} in OMPCORD_TRUSTED_WORKDIRS`);
  });
});
