// A repository the agent works in runs none of its own code in omp before any gate of ours, with the
// sandbox or without it: its `.env` is not read, its `bunfig.toml` preload does not run, its `.omp`
// extensions, hooks and tools, `.claude`/`.codex` tools and `.mcp.json` servers do not load. Each plant
// leaves a marker file when it runs; a control run started the way omp usually is (from the workspace,
// default settings) shows that every plant does run when nothing stops it. A channel's trusted project
// gets its own code back.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeModel } from "../support/fake-model/index.js";
import { FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";
import { PLANT_PROMPT, PLANT_RUN_MS, type PlantWorld, startPlantWorld } from "../support/plant-world.js";
import { markerModule } from "../support/plants.js";

/** Every plant, and the marker it leaves when it runs (or, for `.env`, when it is read). */
const PLANTS = [
  "dotenv",
  "bunfig-preload",
  "omp-extension",
  "omp-hook",
  "omp-tool",
  "claude-tool",
  "codex-tool",
  "mcp-server",
] as const;
type Plant = (typeof PLANTS)[number];

const MARKERS = ".markers";

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let world: PlantWorld;
let workspaces = 0;

/** A fresh workspace (a session's directory under `root`) holding every plant. */
function plantedWorkspace(root: string): string {
  const ws = join(root, `ws-${++workspaces}`);
  const marker = (plant: Plant) => join(ws, MARKERS, plant);
  mkdirSync(join(ws, MARKERS), { recursive: true });
  // Read, the .env points omp's agent dir into the workspace; a working one, so the run goes on.
  const leakedAgentDir = join(ws, MARKERS, "dotenv-agent-dir");
  mkdirSync(leakedAgentDir);
  writeFileSync(join(leakedAgentDir, "models.yml"), readFileSync(join(home.home, ".omp/agent/models.yml")));
  writeFileSync(join(ws, ".env"), `PI_CODING_AGENT_DIR=${leakedAgentDir}\n`);
  writeFileSync(join(ws, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
  writeFileSync(join(ws, "preload.ts"), markerModule(marker("bunfig-preload")));
  const files: Array<[string, Plant]> = [
    [".omp/extensions/planted.ts", "omp-extension"],
    [".omp/hooks/pre/planted.ts", "omp-hook"],
    // Tools of one name shadow each other: each its own name.
    [".omp/tools/omp_planted.ts", "omp-tool"],
    [".claude/tools/claude_planted.ts", "claude-tool"],
    [".codex/tools/codex_planted.ts", "codex-tool"],
  ];
  for (const [path, plant] of files) {
    mkdirSync(join(ws, path, ".."), { recursive: true });
    writeFileSync(join(ws, path), markerModule(marker(plant)));
  }
  const server = { command: "/bin/sh", args: ["-c", `echo ran > '${marker("mcp-server")}'; sleep 5`] };
  writeFileSync(join(ws, ".mcp.json"), JSON.stringify({ mcpServers: { planted: server } }));
  return ws;
}

/** The plants that ran in `ws`. */
function ran(ws: string): Plant[] {
  const left = readdirSync(join(ws, MARKERS)).filter((name) => PLANTS.includes(name as Plant)) as Plant[];
  if (existsSync(join(ws, MARKERS, "dotenv-agent-dir", "agent.db"))) left.push("dotenv");
  return left.sort();
}

beforeAll(async () => {
  world = await startPlantWorld("ompcord-untrusted-", "ls -a");
  ({ model, home, scratch } = world);
});

afterAll(async () => {
  await world?.close();
});

describe("a workspace's own code", () => {
  it("runs, every plant of it, when omp starts in the workspace with its default settings (the control)", async () => {
    const ws = plantedWorkspace(join(scratch, "work"));
    const control = await execa(OMP_BIN, ["-p", "--mode", "json", "--model", FAKE_MODEL_ID, "--no-session"], {
      cwd: ws,
      env: home.env,
      extendEnv: false,
      input: PLANT_PROMPT,
      reject: false,
      timeout: PLANT_RUN_MS,
    });
    expect(control.stdout).toContain("Listed.");
    expect(ran(ws)).toEqual([...PLANTS].sort());
  });

  it.each([
    ["without the sandbox", false],
    ["in the sandbox", true],
  ])("never runs and is never read in a bot run, %s", async (_, sandboxed) => {
    const ws = plantedWorkspace(join(scratch, "work"));
    await world.run(world.runner({ sandboxed }), ws, `untrusted-${sandboxed ? "sandboxed" : "plain"}`);
    // The run did start its tools: the model got the listing, plants included.
    expect(model.requestsMatching(PLANT_PROMPT).at(-1)?.messages?.at(-1)?.content).toContain("bunfig.toml");
    expect(ran(ws)).toEqual([]);
  });

  it("of a project the channel trusts loads again (its extensions, hooks, tools, MCP servers), never its .env or preload", async () => {
    const ws = plantedWorkspace(join(scratch, "work"));
    await world.run(world.runner({ trusted: [ws] }), ws, "trusted");
    expect(ran(ws)).toEqual(
      expect.arrayContaining([
        "omp-extension",
        "omp-hook",
        "omp-tool",
        "claude-tool",
        "codex-tool",
        "mcp-server",
      ]),
    );
    expect(ran(ws)).not.toContain("dotenv");
    expect(ran(ws)).not.toContain("bunfig-preload");
  });
});
