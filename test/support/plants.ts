// Code planted where omp might load it, for the tests showing it does not run: each plant is a module
// that leaves a marker file when it is loaded, so a test reads which plants ran from the markers left.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A module that leaves `marker` when it is loaded, whatever it is loaded as. */
export function markerModule(marker: string): string {
  return `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nexport default function () {}\n`;
}

/** Writes `text` to `path`, making its directory first. */
export function write(path: string, text: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

/** The markers an omp plugin's entry points leave when they are loaded. */
export interface PluginMarkers {
  tool: string;
  hook: string;
  extension: string;
}

/**
 * An omp plugin installed in the plugin root `root` (`~/.omp/plugins`, or a project's `.omp/plugins`),
 * as `omp plugin install` leaves it: the root's `package.json` names it, its manifest (`omp` in its own
 * `package.json`) names a tool, a hook and an extension, each leaving its marker when loaded.
 */
export function plantOmpPlugin(root: string, markers: PluginMarkers, name = "planted-plugin"): void {
  const plugin = join(root, "node_modules", name);
  write(join(root, "package.json"), JSON.stringify({ dependencies: { [name]: "1.0.0" } }));
  const manifest = { tools: ["tool.ts"], hooks: ["hook.ts"], extensions: ["extension.ts"] };
  write(join(plugin, "package.json"), JSON.stringify({ name, version: "1.0.0", omp: manifest }));
  write(join(plugin, "tool.ts"), markerModule(markers.tool));
  write(join(plugin, "hook.ts"), markerModule(markers.hook));
  write(join(plugin, "extension.ts"), markerModule(markers.extension));
}
