// The systemd unit in deploy/systemd: `systemd-analyze verify` prints nothing for it (it exits 0 even on
// an unknown key or a value it cannot parse, so what it prints is the verdict), and its stop settings
// leave the bot its whole graceful shutdown. Runs the real systemd-analyze, not a parser of our own.

import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config/defaults.js";
import { EXIT_CONFIG } from "../../src/config/errors.js";

const UNIT_FILE = new URL("../../deploy/systemd/ompcord.service", import.meta.url);
const UNIT = readFileSync(UNIT_FILE, "utf8");

/** systemd-analyze on PATH, or a failure that says how to get it (the check must not pass unrun). */
function systemdAnalyze(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "systemd-analyze");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    "systemd-analyze is not installed, so the systemd unit cannot be checked. Install it (Debian/Ubuntu: `sudo apt-get install systemd`; `npm test` does this itself when run as root), then run the tests again.",
  );
}

/**
 * The unit with the lines a person edits pointed at this machine: `verify` fails when ExecStart's
 * program does not exist, and /usr/bin/node is not everyone's Node. Every other line is checked as
 * written; a line that is not found as expected fails here, so the test follows the unit's shape.
 */
function render(unit: string, dir: string): string {
  const replacements: Array<[RegExp, string]> = [
    [/^ExecStart=\/usr\/bin\/node (.*)$/m, `ExecStart=${process.execPath} $1`],
    [/^WorkingDirectory=.*$/m, `WorkingDirectory=${dir}`],
    [/^EnvironmentFile=-\/etc\/ompcord\/ompcord\.env$/m, `EnvironmentFile=-${join(dir, "ompcord.env")}`],
  ];
  let rendered = unit;
  for (const [pattern, replacement] of replacements) {
    if (!pattern.test(rendered)) {
      throw new Error(
        `Expected deploy/systemd/ompcord.service to have a line matching ${pattern}, found none`,
      );
    }
    rendered = rendered.replace(pattern, replacement);
  }
  return rendered;
}

let dir: string;
let analyze: string;
let verifyCount = 0;

beforeAll(() => {
  analyze = systemdAnalyze();
  dir = mkdtempSync(join(tmpdir(), "ompcord-unit-"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What `systemd-analyze verify` says about a unit text (each in its own directory: the name must stay). */
async function verify(
  unit: string,
): Promise<{ exitCode: number | undefined; stderr: string; stdout: string }> {
  verifyCount += 1;
  const unitDir = join(dir, String(verifyCount));
  const path = join(unitDir, "ompcord.service");
  mkdirSync(unitDir);
  writeFileSync(path, render(unit, dir));
  const result = await execa(analyze, ["verify", path], { reject: false, env: { SYSTEMD_LOG_COLOR: "0" } });
  return { exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout };
}

/** The value of `key=` in the unit (the last one wins, as in systemd). */
function setting(key: string): string | undefined {
  const values = [...UNIT.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((match) => match[1]);
  return values.at(-1);
}

describe("systemd-analyze verify", () => {
  it("prints nothing for the unit", async () => {
    const result = await verify(UNIT);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("reports a misspelled key, though it still exits 0", async () => {
    const broken = UNIT.replace(/^Restart=on-failure$/m, "Restrat=on-failure");
    expect(broken).not.toBe(UNIT);
    const result = await verify(broken);
    expect(result.stderr).toMatch(/Unknown key '?Restrat'?/);
  });

  it("reports a value it cannot parse", async () => {
    const broken = UNIT.replace(/^KillMode=mixed$/m, "KillMode=mixd");
    expect(broken).not.toBe(UNIT);
    const result = await verify(broken);
    expect(result.stderr).toMatch(/mixd/);
  });
});

describe("the unit", () => {
  it("restarts the bot only after a failure, and gives up on a crash loop", () => {
    expect(setting("Restart")).toBe("on-failure");
    expect(setting("RestartSec")).toMatch(/^\d+s$/);
    expect(Number(setting("StartLimitBurst"))).toBeGreaterThan(1);
  });

  it("does not restart a bot whose configuration must be fixed first (exit 78, EX_CONFIG)", () => {
    expect(setting("RestartPreventExitStatus")?.split(/\s+/)).toContain(String(EXIT_CONFIG));
  });

  it("stops the bot with SIGTERM alone and waits longer than its graceful shutdown", () => {
    // mixed: only the bot gets SIGTERM; its runs are its to finish or cancel, then leftovers get SIGKILL.
    expect(setting("KillMode")).toBe("mixed");
    expect(setting("KillSignal")).toBe("SIGTERM");
    const timeout = setting("TimeoutStopSec")?.match(/^(\d+)s$/);
    if (!timeout) throw new Error(`Expected TimeoutStopSec like 60s, got \`${setting("TimeoutStopSec")}\``);
    expect(Number(timeout[1]) * 1000).toBeGreaterThan(DEFAULTS.shutdownGraceMs + DEFAULTS.killGraceMs);
  });

  it("runs as an ordinary account, with the sandbox required", () => {
    expect(setting("User")).not.toMatch(/^(root|0)$/);
    expect(UNIT).toMatch(/^Environment=OMPCORD_SANDBOX=required$/m);
  });
});
