// The approval policy's tool tiers against the installed omp itself: a real omp session (under Bun, its
// runtime) lists the tools it registers and resolves their tiers for sample arguments; ompcord must know
// every one of them and never be laxer than omp.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyToolCall, type ToolTier } from "../../src/approvals/policy.js";
import { createOmpHome, NODE_BIN_DIR, type OmpHome } from "../support/omp-home.js";

const SCRIPT = resolve(import.meta.dirname, "../support/omp-tool-tiers.ts");
const RANK: Record<ToolTier, number> = { read: 0, write: 1, exec: 2 };

interface OmpTools {
  builtin: string[];
  registered: string[];
  devices: string[];
  samples: { tool: string; args: Record<string, unknown>; tier: ToolTier }[];
}

describe("approval tiers against the pinned omp", () => {
  let home: OmpHome;
  let omp: OmpTools;
  beforeAll(async () => {
    // No model is called: the address only has to parse.
    home = createOmpHome("http://127.0.0.1:9/v1");
    const cwd = mkdtempSync(join(tmpdir(), "ompcord-tiers-"));
    try {
      const { stdout } = await promisify(execFile)(join(NODE_BIN_DIR, "bun"), [SCRIPT], {
        cwd,
        env: home.env,
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      omp = JSON.parse(stdout.trim().split("\n").at(-1)!) as OmpTools;
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 200_000);
  afterAll(() => home?.cleanup());

  it("knows every tool omp names, registers or mounts as a device", () => {
    const names = new Set([...omp.builtin, ...omp.registered, ...omp.devices]);
    expect(omp.registered).toEqual(expect.arrayContaining(["bash", "edit", "read", "task", "write"]));
    expect([...names].filter((name) => !classifyToolCall(name, {}).known)).toEqual([]);
  });

  it("is never laxer than omp's own tier for the same arguments", () => {
    expect(omp.samples.length).toBeGreaterThan(50);
    const laxer = omp.samples
      .map((s) => ({ ...s, ours: classifyToolCall(s.tool, s.args).tier }))
      .filter((s) => RANK[s.ours] < RANK[s.tier])
      .map((s) => `${s.tool} ${JSON.stringify(s.args)}: omp ${s.tier}, ompcord ${s.ours}`);
    expect(laxer).toEqual([]);
  });

  it("agrees with omp exactly on the read-only branches it mirrors (lsp, debug, hub, xd:// devices)", () => {
    const mirrored = omp.samples.filter((s) =>
      ["lsp", "debug", "hub", "write", "read", "grep"].includes(s.tool),
    );
    const differ = mirrored
      .filter((s) => classifyToolCall(s.tool, s.args).tier !== s.tier)
      .map(
        (s) =>
          `${s.tool} ${JSON.stringify(s.args)}: omp ${s.tier}, ompcord ${classifyToolCall(s.tool, s.args).tier}`,
      );
    expect(differ).toEqual([]);
  });
});
