// A run cannot plant code in its sandboxed session's kept home that the session's next run starts
// before any gate of ours. Planted: omp's `~/.omp` (a plugin's tools, hooks and extension, user-level
// extensions, hooks and tools), other agents' tool folders and MCP configs (opted in by the workspace's
// settings, as a run can write those too) and Bun's global `~/.bunfig.toml` preload. Each plant leaves
// a marker when it runs. A control run with ompcord's own flags but a home holding the same plants
// (what an unsandboxed run reads: the bot's own) shows which are live; in the sandbox none may run.

import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/omp/index.js";
import { AGENT_GIT_NAME } from "../../src/omp/sandbox-host.js";
import type { FakeModel } from "../support/fake-model/index.js";
import { createOmpHome } from "../support/omp-home.js";
import { PLANT_PROMPT, type PlantWorld, startPlantWorld } from "../support/plant-world.js";
import { markerModule, plantOmpPlugin, write } from "../support/plants.js";

/** Every plant, and the marker it leaves when it runs. */
const PLANTS = [
  "bunfig-preload",
  "omp-plugin-tool",
  "omp-plugin-hook",
  "omp-plugin-extension",
  "omp-user-extension",
  "omp-user-hook",
  "omp-user-tool",
  "claude-tool",
  "codex-tool",
  "claude-mcp",
  "cursor-mcp",
  "gemini-mcp",
] as const;
type Plant = (typeof PLANTS)[number];

const MARKERS = ".markers";

let model: FakeModel;
let scratch: string;
let sandbox: Sandbox;
let world: PlantWorld;

/** Plants every vector in `dir` (a home), each leaving its marker in `markers` when it runs. */
function plantHome(dir: string, markers: string): void {
  const marker = (plant: Plant) => join(markers, plant);
  mkdirSync(markers, { recursive: true });
  // The agent runs as another account when the tests run as root (OMPCORD_SANDBOX_USER).
  chmodSync(markers, 0o777);
  write(join(dir, ".planted", "preload.ts"), markerModule(marker("bunfig-preload")));
  write(join(dir, ".bunfig.toml"), `preload = [${JSON.stringify(join(dir, ".planted", "preload.ts"))}]\n`);

  plantOmpPlugin(join(dir, ".omp", "plugins"), {
    tool: marker("omp-plugin-tool"),
    hook: marker("omp-plugin-hook"),
    extension: marker("omp-plugin-extension"),
  });

  const files: Array<[string, Plant]> = [
    [".omp/agent/extensions/planted.ts", "omp-user-extension"],
    [".omp/agent/hooks/pre/planted.ts", "omp-user-hook"],
    // Tools of one name shadow each other: each its own name.
    [".omp/agent/tools/omp_home_planted.ts", "omp-user-tool"],
    [".claude/tools/claude_home_planted.ts", "claude-tool"],
    [".codex/tools/codex_home_planted.ts", "codex-tool"],
  ];
  for (const [path, plant] of files) write(join(dir, path), markerModule(marker(plant)));

  const server = (plant: Plant) => ({
    mcpServers: { [plant]: { command: "/bin/sh", args: ["-c", `echo ran > '${marker(plant)}'; sleep 5`] } },
  });
  write(join(dir, ".claude.json"), JSON.stringify(server("claude-mcp")));
  write(join(dir, ".cursor", "mcp.json"), JSON.stringify(server("cursor-mcp")));
  write(join(dir, ".gemini", "settings.json"), JSON.stringify(server("gemini-mcp")));
}

/**
 * omp reads other agents' home configs (`~/.cursor`, `~/.gemini` …) only when settings opt them in: a
 * workspace's own `.omp/config.yml` can, and the agent writes its workspace too.
 */
function optInForeignConfigs(cwd: string): void {
  write(
    join(cwd, ".omp", "config.yml"),
    "enabledProviders: [cursor, gemini, claude, codex, opencode, windsurf]\n",
  );
}

/** The plants whose marker is in `markers`. */
function ran(markers: string): Plant[] {
  if (!existsSync(markers)) return [];
  return (readdirSync(markers).filter((name) => PLANTS.includes(name as Plant)) as Plant[]).sort();
}

/** Whether anything, a dangling link included, is at `path`. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A session's working directory under the workspace root, as the bot makes it. */
function workDir(name: string): string {
  const dir = join(scratch, "work", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  world = await startPlantWorld("ompcord-home-plants-", "ls -a ~");
  ({ model, scratch, sandbox } = world);
});

afterAll(async () => {
  await world?.close();
});

describe("code planted in a home", () => {
  it("runs in omp started with ompcord's own flags when it is the home omp reads (the control)", async () => {
    // An unsandboxed run reads the bot's own home: plants there run (the README says so).
    const planted = createOmpHome(model.baseUrl);
    try {
      const cwd = workDir("control");
      plantHome(planted.home, join(cwd, MARKERS));
      optInForeignConfigs(cwd);
      await world.run(world.runner({ env: planted.env }), cwd, "control");
      expect(ran(join(cwd, MARKERS))).toEqual(
        // The rest do not run under ompcord's flags even here (omp 18.2.3, Bun 1.4.5): the sandboxed
        // run below must stop these three at least.
        expect.arrayContaining(["cursor-mcp", "gemini-mcp", "omp-plugin-tool"]),
      );
    } finally {
      planted.cleanup();
    }
  });

  it("by one run of a sandboxed session never runs in the session's next run", async () => {
    const runner = world.runner({ sandboxed: true });
    const cwd = workDir("kept");
    await world.run(runner, cwd, "kept");
    // What the first run's agent could have written: its home is kept for the session.
    const kept = join(scratch, "data", "sandbox", "kept", "home");
    expect(existsSync(kept)).toBe(true);
    plantHome(kept, join(cwd, MARKERS));
    optInForeignConfigs(cwd);
    write(join(kept, ".local", "bin", "installed-tool"), "#!/bin/sh\n");
    await world.run(runner, cwd, "kept");
    // The second run did reach its tools, in the same home.
    expect(model.requestsMatching(PLANT_PROMPT).at(-1)?.messages?.at(-1)?.content).toContain(".gitconfig");
    expect(ran(join(cwd, MARKERS))).toEqual([]);
    // The session's ordinary state stays.
    expect(readFileSync(join(kept, ".gitconfig"), "utf8")).toContain(AGENT_GIT_NAME);
    expect(existsSync(join(kept, ".local", "bin", "installed-tool"))).toBe(true);
  });

  it("is removed without following a link a run planted in its place", () => {
    const outside = join(scratch, "outside");
    for (const name of ["plugins", "opencode", "windsurf"]) write(join(outside, name, "keep.txt"), "mine");
    const run = {
      sessionId: "links",
      workDir: workDir("links"),
      sessionDir: join(scratch, "data", "omp-sessions", "links"),
    };
    sandbox.prepare(run).finish();
    const kept = join(scratch, "data", "sandbox", "links", "home");
    // A link as the entry itself, as a directory on the way to one, and inside a real directory.
    symlinkSync(outside, join(kept, ".omp"));
    symlinkSync(outside, join(kept, ".config"));
    mkdirSync(join(kept, ".codeium"));
    symlinkSync(join(outside, "windsurf"), join(kept, ".codeium", "windsurf"));
    sandbox.prepare(run).finish();
    expect([".omp", ".config", ".codeium/windsurf"].filter((entry) => present(join(kept, entry)))).toEqual(
      [],
    );
    for (const name of ["plugins", "opencode", "windsurf"]) {
      expect(readFileSync(join(outside, name, "keep.txt"), "utf8")).toBe("mine");
    }
    expect(present(join(kept, ".codeium"))).toBe(true);
  });
});
