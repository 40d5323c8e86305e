// An untrusted workspace's omp plugins never run in a bot run. omp 18.2.3 imports the tools of the
// plugins installed in a project's `.omp/plugins` (found walking up from the workspace to the first
// `.omp` or `.git`) as it starts, whatever its flags and settings say, so a workspace holding such a root
// is refused before omp starts; in the sandbox only the workspace itself can hold one. A control run
// with ompcord's own flags and overlay shows the plant is live; a trusted project keeps its plugins.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildOmpArgs,
  createOmpRunner,
  type OmpRunner,
  overlayYaml,
  type Sandbox,
} from "../../src/omp/index.js";
import { bashThenReply, type FakeModel, startFakeModel } from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";
import { plantOmpPlugin } from "../support/plants.js";
import { createTestSandbox, launchDirOf } from "../support/sandbox.js";

const PLANTS = ["plugin-tool", "plugin-hook", "plugin-extension"] as const;
type Plant = (typeof PLANTS)[number];

const MARKERS = ".markers";
const PROMPT = "list the workspace";
/** omp's time limit: far beyond a run here, even on a loaded machine. */
const RUN = 120_000;

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let sandbox: Sandbox;
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

function runnerFor(options: { sandboxed?: boolean; trusted?: string[] } = {}): OmpRunner {
  const dataDir = join(scratch, "data");
  return createOmpRunner({
    bin: OMP_BIN,
    model: FAKE_MODEL_ID,
    runTimeoutMs: RUN,
    maxRetries: 0,
    env: home.env,
    overlayPath: join(dataDir, "omp-overlay.yml"),
    launchDir: launchDirOf(dataDir),
    sandbox: options.sandboxed ? sandbox : undefined,
    trustedWorkDirs: options.trusted ?? [],
  });
}

function request(cwd: string, session: string) {
  return {
    prompt: PROMPT,
    cwd,
    sessionDir: join(scratch, "data", "omp-sessions", session),
    sessionId: session,
    transcriptPath: join(scratch, `${session}.log`),
  };
}

async function runIn(runner: OmpRunner, cwd: string, session: string) {
  const result = await runner.start(request(cwd, session)).done;
  expect(result.error).toBeUndefined();
  expect(result.outcome).toBe("success");
  return result;
}

/** Starts a run the way the scheduler does: a refusal is thrown by `start`, and no omp starts. */
async function refusal(runner: OmpRunner, cwd: string, session: string): Promise<string> {
  try {
    const result = await runner.start(request(cwd, session)).done;
    return `the run started and ended ${result.outcome}`;
  } catch (error) {
    return (error as Error).message;
  }
}

beforeAll(async () => {
  model = await startFakeModel();
  model.on(PROMPT, bashThenReply("ls -a", "Listed."));
  home = createOmpHome(model.baseUrl);
  scratch = mkdtempSync(join(tmpdir(), "ompcord-untrusted-plugins-"));
  mkdirSync(join(scratch, "work"));
  sandbox = await createTestSandbox({
    dataDir: join(scratch, "data"),
    workRoot: join(scratch, "work"),
    env: home.env,
  });
});

afterAll(async () => {
  await model?.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
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
      maxTimeMs: RUN,
      configOverlayPath: overlay,
      sessionDir: join(scratch, "control-session"),
      continuation: { kind: "continue" },
      cwd: ws,
      text: PROMPT,
    });
    const control = await execa(OMP_BIN, args, {
      cwd: launchDir,
      env: home.env,
      extendEnv: false,
      input: stdinText,
      reject: false,
      timeout: RUN,
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
    const said = await refusal(runnerFor({ sandboxed }), ws, `refused-${sandboxed ? "sandboxed" : "plain"}`);
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
    const said = await refusal(runnerFor(), ws, "above-plain");
    expect(ran(ws)).toEqual([]);
    expect(said).toContain(join(repo, ".omp", "plugins", "node_modules"));
  });

  it("above the workspace are out of a sandboxed run's sight: it runs, and they do not", async () => {
    const repo = freshDir();
    const ws = join(repo, "packages", "app");
    mkdirSync(ws, { recursive: true });
    plantPlugin(repo, ws);
    await runIn(runnerFor({ sandboxed: true }), ws, "above-sandboxed");
    expect(model.requestsMatching(PROMPT).at(-1)?.messages?.at(-1)?.content).toContain(MARKERS);
    expect(ran(ws)).toEqual([]);
  });

  it("of a project the channel trusts load (their tools)", async () => {
    const ws = freshDir();
    plantPlugin(ws, ws);
    await runIn(runnerFor({ trusted: [ws] }), ws, "trusted");
    expect(ran(ws)).toContain("plugin-tool");
  });
});
