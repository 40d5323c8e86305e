// OMPCORD_SANDBOX=auto (the default) on a machine where bubblewrap is installed but no sandbox starts
// (a `bwrap` failing as Debian's does without unprivileged user namespaces): the bot starts anyway, says
// loudly at start and in `/omp health` that runs are NOT sandboxed, what they can reach and the fix,
// and runs still answer. (`required` and `off`: test/integration/startup-sandbox.test.ts; the sandbox
// in force: flows-info.test.ts and sandbox-escapes.test.ts.)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNSANDBOXED_EXPOSURE, UNSANDBOXED_EXPOSURE_SHORT } from "../../src/omp/index.js";
import { answerText, type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";
import { NODE_BIN_DIR } from "../support/omp-home.js";
import { brokenBwrapDir } from "../support/sandbox.js";

const RUN = { timeoutMs: RUN_WAIT_MS };

describe("OMPCORD_SANDBOX=auto where no sandbox starts", () => {
  let h: BotHarness;
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "ompcord-no-sandbox-"));
    const path = [brokenBwrapDir(scratch), NODE_BIN_DIR, process.env.PATH ?? "/usr/bin:/bin"].join(delimiter);
    h = await startBotHarness({ processEnv: { PATH: path } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("starts, and warns at start that runs are not sandboxed, why, what they can reach and the fix", () => {
    const warning = h
      .logText()
      .split("\n")
      .find((line) => line.includes("runs are NOT sandboxed"));
    expect(warning).toBeDefined();
    expect(warning).toContain('"level":40');
    expect(warning).toContain("bwrap: No permissions to create new namespace");
    expect(warning).toContain(UNSANDBOXED_EXPOSURE);
    expect(warning).toContain("Unprivileged user namespaces are off: allow them");
  });

  it("`/omp health` shows the sandbox ❌: not sandboxed, what runs can reach, the cause; and a run still answers", async () => {
    const health = answerText(await h.command(h.alice, h.world.channelId, "health"));
    const line = health.split("\n").find((l) => l.includes("**Sandbox**"));
    expect(line).toMatch(/^❌ \*\*Sandbox\*\* — NOT sandboxed \(OMPCORD_SANDBOX=auto\)/);
    expect(line).toContain(UNSANDBOXED_EXPOSURE_SHORT);
    expect(line).toContain("Cause: a trial sandbox did not start");
    expect(line).toMatch(/Fix: see the start-up log\.$/);
    expect(health).toContain("1 of 7 checks failed");

    h.model.on("still answering", reply("Answered without a sandbox."));
    const { thread } = await h.launch("still answering");
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content === "Answered without a sandbox.",
      RUN,
    );
  });
});
