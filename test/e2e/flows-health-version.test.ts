// `/omp health` through discord.js when omp is not the version ompcord is tested with: OMP_BIN points at
// a script that answers `--version` as omp does, with another version; the check passes with a ⚠️ that
// names both versions, and the tested one comes from package.json.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testedOmpVersion } from "../../src/health/omp-version.js";
import { answerText, type BotHarness, startBotHarness } from "../support/bot-harness.js";

describe("/omp health and the omp version", () => {
  let h: BotHarness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ompcord-omp-version-"));
    const bin = join(dir, "omp");
    writeFileSync(bin, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo omp/17.9.0; exit 0; fi\nexit 1\n');
    chmodSync(bin, 0o755);
    h = await startBotHarness({ omp: bin });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("warns that omp 17.9.0 is not the tested version and says what to do", async () => {
    const text = answerText(await h.command(h.alice, h.world.channelId, "health"));
    const tested = testedOmpVersion();
    expect(tested).toMatch(/^\d+\.\d+\.\d+/);
    expect(text).toContain(
      `⚠️ **omp binary** — omp/17.9.0: ompcord is tested with omp ${tested}, this is 17.9.0`,
    );
    expect(text).toContain("npm install");
    expect(text).toMatch(/\(⚠️ 1 warning\)/);
  });
});
