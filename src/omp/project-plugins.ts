// Finds the project plugin root omp would load a workspace's omp plugins from, so that a run in an
// untrusted workspace holding one is refused before omp starts: omp imports those plugins' tools as it
// starts, before any tool call reaches ompcord's approval gate, and no flag or setting turns that off.
//
// What omp 18.2.3 does (node_modules/@oh-my-pi/pi-coding-agent/src):
// - `extensibility/custom-tools/loader.ts#discoverCustomToolPaths` step 2 imports every tool of
//   `getAllPluginToolPaths(cwd)` at start. It is not a capability provider, so `disabledProviders` does
//   not reach it, and `--trusted-extension`/`--no-extensions` (extension discovery off) does not either.
//   The plugins' extensions load only with discovery on and their hooks and commands not at all
//   (test/integration/untrusted-workspace-plugins.test.ts shows which ran).
// - `extensibility/plugins/loader.ts#loadEnabledPlugins` reads the user root (`~/.omp/plugins`) and the
//   project root; `collectPluginsAtRoot` lists nothing when the root has no `node_modules`.
// - `discovery/helpers.ts#resolveActiveProjectRegistryPath` finds the project root: walking up from the
//   working directory, the first directory holding a `.omp` directory, else the first holding `.git`,
//   never looking at HOME or above it; the root is `<that directory>/.omp/plugins`.
// The walk passes the workspace's own bounds, so a repository around a channel's project, the workspace
// root or `/tmp` can hold the root too; in the sandbox the directories above the workspace are empty.

import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** omp's config directory name unless PI_CONFIG_DIR renames it (pi-utils `getConfigDirName`). */
export const OMP_CONFIG_DIR = ".omp";

export interface PluginRootLookup {
  /** The HOME omp runs with: its walk stops before it. */
  home: string | undefined;
  /** omp's config directory name: PI_CONFIG_DIR as omp gets it, else `OMP_CONFIG_DIR`. */
  configDir?: string | undefined;
  /** Look at the workspace only: in the sandbox nothing above it is visible to omp. */
  workspaceOnly: boolean;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `workDir` and the directories above it that omp's walk visits, nearest first. */
function walk(workDir: string, lookup: PluginRootLookup): string[] {
  const home = lookup.home === undefined ? undefined : resolve(lookup.home);
  const visited: string[] = [];
  for (let dir = resolve(workDir); dir !== home; dir = dirname(dir)) {
    visited.push(dir);
    if (lookup.workspaceOnly || dirname(dir) === dir) break;
  }
  return visited;
}

/**
 * The project plugin root omp uses for `workDir` (`<anchor>/.omp/plugins`), or undefined when the walk
 * finds no anchor. As omp: the nearest `.omp` directory wins over any `.git`, and a stat that fails
 * (missing, unreadable) counts as absent.
 */
export function projectPluginRoot(workDir: string, lookup: PluginRootLookup): string | undefined {
  const configDir = lookup.configDir || OMP_CONFIG_DIR;
  const dirs = walk(workDir, lookup);
  const anchor =
    dirs.find((dir) => isDirectory(join(dir, configDir))) ??
    dirs.find((dir) => existsSync(join(dir, ".git")));
  return anchor === undefined ? undefined : join(anchor, configDir, "plugins");
}

/**
 * Why omp must not start in the untrusted `workDir`, or undefined: the project plugin root omp would
 * read there has a `node_modules`, from which it would import plugin code. Nothing is removed: the
 * directory may be a person's project.
 */
export function projectPluginProblem(workDir: string, lookup: PluginRootLookup): string | undefined {
  const root = projectPluginRoot(workDir, lookup);
  if (root === undefined) return undefined;
  const modules = join(root, "node_modules");
  if (!existsSync(modules)) return undefined;
  return `${modules} holds omp plugins, whose code omp would run as it starts in ${workDir}, before any approval. If you trust this project, list ${workDir} in OMPCORD_TRUSTED_WORKDIRS; otherwise remove ${modules}.`;
}
