// An untrusted workspace's omp plugins never run in a bot run. omp 18.2.3 imports the tools of the
// plugins installed in a project's `.omp/plugins` (found walking up from the workspace to the first
// `.omp` or `.git`) as it starts, whatever its flags and settings say, so a workspace holding such a root
// is refused before omp starts; in the sandbox only the workspace itself can hold one. A control run
// with ompcord's own flags and overlay shows the plant is live; a trusted project keeps its plugins.

import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOmpArgs, type OmpRunner, overlayYaml } from "../../src/omp/index.js";
import type { FakeModel } from "../support/fake-model/index.js";
import { FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";
import { PLANT_PROMPT, PLANT_RUN_MS, type PlantWorld, startPlantWorld } from "../support/plant-world.js";
import { plantOmpPlugin } from "../support/plants.js";

const PLANTS = ["plugin-tool", "plugin-hook", "plugin-extension"] as const;
type Plant = (typeof PLANTS)[number];

const MARKERS = ".markers";

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let world: PlantWorld;
let dirs = 0;

/** A fresh directory under the workspace root, as the bot makes a session's. */
function freshDir(): string {
  const dir = join(scratch, "work", `dir-${++dirs}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Installs an omp plugin in `<anchor>/.omp/plugins` whose markers go to `<ws>/.markers` (`ws` is the
 * workspace: `anchor` itself or a directory below it).
 */
function plantPlugin(anchor: string, ws: string): void {
  const markers = join(ws, MARKERS);
  mkdirSync(markers, { recursive: true });
  // The agent runs as another account when the tests run as root (OMPCORD_SANDBOX_USER).
  chmodSync(markers, 0o777);
  plantOmpPlugin(join(anchor, ".omp", "plugins"), {
    tool: join(markers, "plugin-tool"),
    hook: join(markers, "plugin-hook"),
    extension: join(markers, "plugin-extension"),
  });
}

/** The plants that ran for workspace `ws`. */
function ran(ws: string): Plant[] {
  const markers = join(ws, MARKERS);
  if (!existsSync(markers)) return [];
  return (readdirSync(markers).filter((name) => PLANTS.includes(name as Plant)) as Plant[]).sort();
}

/** Starts a run the way the scheduler does: a refusal is thrown by `start`, and no omp starts. */
async function refusal(runner: OmpRunner, cwd: string, session: string): Promise<string> {
  try {
    const result = await runner.start(world.request(cwd, session)).done;
    return `the run started and ended ${result.outcome}`;
  } catch (error) {
    return (error as Error).message;
  }
}

beforeAll(async () => {
  world = await startPlantWorld("ompcord-untrusted-plugins-", "ls -a");
  ({ model, home, scratch } = world);
});

afterAll(async () => {
  await world?.close();
});

describe("a workspace's omp plugins", () => {
  it("have their tools imported by omp started with ompcord's own flags and overlay (the control)", async () => {
    const ws = freshDir();
    plantPlugin(ws, ws);
    const overlay = join(scratch, "control-overlay.yml");
    writeFileSync(overlay, overlayYaml({ maxRetries: 0 }));
    const launchDir = join(scratch, "control-launch");
    mkdirSync(launchDir, { recursive: true });
    const { args, stdinText } = buildOmpArgs({
      model: FAKE_MODEL_ID,
      maxTimeMs: PLANT_RUN_MS,
      configOverlayPath: overlay,
      sessionDir: join(scratch, "control-session"),
      continuation: { kind: "continue" },
      cwd: ws,
      text: PLANT_PROMPT,
    });
    const control = await execa(OMP_BIN, args, {
      cwd: launchDir,
      env: home.env,
      extendEnv: false,
      input: stdinText,
      reject: false,
      timeout: PLANT_RUN_MS,
    });
    expect(control.stdout).toContain("Listed.");
    // Extension discovery off keeps the plugin's hook and extension out; nothing keeps its tool out.
    expect(ran(ws)).toEqual(["plugin-tool"]);
  });

  it.each([
    ["without the sandbox", false],
    ["in the sandbox", true],
  ])("stop a bot run before omp starts, saying where they are and what to do, %s", async (_, sandboxed) => {
    const ws = freshDir();
    plantPlugin(ws, ws);
    const said = await refusal(
      world.runner({ sandboxed }),
      ws,
      `refused-${sandboxed ? "sandboxed" : "plain"}`,
    );
    expect(ran(ws)).toEqual([]);
    expect(said).toContain(join(ws, ".omp", "plugins", "node_modules"));
    expect(said).toContain("OMPCORD_TRUSTED_WORKDIRS");
    // Nothing of the person's project was touched.
    expect(existsSync(join(ws, ".omp", "plugins", "node_modules", "planted-plugin", "tool.ts"))).toBe(true);
  });

  it("above the workspace (a channel project inside a repository) stop an unsandboxed run", async () => {
    const repo = freshDir();
    const ws = join(repo, "packages", "app");
    mkdirSync(ws, { recursive: true });
    plantPlugin(repo, ws);
    const said = await refusal(world.runner(), ws, "above-plain");
    expect(ran(ws)).toEqual([]);
    expect(said).toContain(join(repo, ".omp", "plugins", "node_modules"));
  });

  it("above the workspace are out of a sandboxed run's sight: it runs, and they do not", async () => {
    const repo = freshDir();
    const ws = join(repo, "packages", "app");
    mkdirSync(ws, { recursive: true });
    plantPlugin(repo, ws);
    await world.run(world.runner({ sandboxed: true }), ws, "above-sandboxed");
    expect(model.requestsMatching(PLANT_PROMPT).at(-1)?.messages?.at(-1)?.content).toContain(MARKERS);
    expect(ran(ws)).toEqual([]);
  });

  it("of a project the channel trusts load (their tools)", async () => {
    const ws = freshDir();
    plantPlugin(ws, ws);
    await world.run(world.runner({ trusted: [ws] }), ws, "trusted");
    expect(ran(ws)).toContain("plugin-tool");
  });
});
