// A person's own `omp`, with the extension installed by the documented command, mirrored into a thread
// of the bot's home channel and steered by its owner. omp's interactive TUI cannot be driven from a
// test, so this runs `omp -p` (the same extension code path: session events, the mirror's long-poll,
// `sendUserMessage` steers) with OMPCORD_MIRROR=1, the per-session opt-in that `omp -p` needs.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIRROR_ENV } from "../../src/extension-protocol.js";
import { STEERED_LINE } from "../../src/sessions/mirrors.js";
import { answerText, type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { contentText, heldReply, reply } from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, NODE_BIN_DIR, OMP_BIN, type OmpHome } from "../support/omp-home.js";
import { expectPrivateRefusal } from "../support/refusals.js";

const ROOT = join(import.meta.dirname, "../..");

describe("a person's own omp mirrored into a thread", () => {
  let h: BotHarness;
  let person: OmpHome;
  let omp: ResultPromise<{
    cwd: string;
    env: Record<string, string>;
    extendEnv: false;
    reject: false;
    stdin: "ignore";
  }>;

  beforeAll(async () => {
    h = await startBotHarness({ moreAllowedUsers: ["carol"] });
    person = createOmpHome(h.model.baseUrl);
    const { token } = h.app!.ctx.tokens.issue({ name: "laptop", discordUserId: h.alice, createdBy: h.alice });
    const installed = await execa(
      "npm",
      [
        "run",
        "--silent",
        "extension",
        "--",
        "install",
        "--mirror-url",
        h.app!.sidecar.url,
        "--mirror-token",
        token,
        "--home",
        person.home,
      ],
      {
        cwd: ROOT,
        reject: false,
        env: { ...process.env, PATH: `${NODE_BIN_DIR}:${process.env.PATH ?? ""}` },
      },
    );
    expect(installed.exitCode, installed.stderr).toBe(0);
  });
  afterAll(async () => {
    omp?.kill("SIGKILL");
    await h?.close();
    if (person) rmSync(person.home, { recursive: true, force: true });
  });

  it("shows the session in a thread, takes its owner's steer into the same run, and refuses anyone else", async () => {
    const held = heldReply("Looking at the build");
    h.model.on("mirror me: why does the build fail", held.step);
    h.model.on("also check the tests", reply("Checked the tests too."));
    omp = execa(OMP_BIN, ["-p", "--model", FAKE_MODEL_ID, "--", "mirror me: why does the build fail"], {
      cwd: person.workDir,
      env: { ...person.env, [MIRROR_ENV]: "1" },
      extendEnv: false,
      reject: false,
      stdin: "ignore",
    });

    const thread = await h.emu.waitForThread((t) => t.name === "Terminal: work", { timeoutMs: RUN_WAIT_MS });
    expect(thread.parentId).toBe(h.world.channelId);
    await held.reached;
    await h.waitForDashboard(thread.id, (d) => d.state === "busy" && d.text.includes("mirror me"));
    const mirror = h.app!.ctx.mirrors!.inThread(thread.id)!;
    expect(mirror.ownerId).toBe(h.alice);

    // Steered from Discord as a person does: /omp steer in the thread, only the owner is heard (carol is an
    // allowed user but not the owner), and
    // /omp say is refused (the bot runs no prompts on the owner's machine).
    const refused = await h.command(h.allowedUsers.carol!, thread.id, "steer", {
      prompt: "rm -rf everything",
    });
    expectPrivateRefusal(refused, /Only <@\d+> can steer this terminal session/);
    const said = await h.command(h.alice, thread.id, "say", { prompt: "run this here" });
    expectPrivateRefusal(said, /mirrors a terminal session/);
    const steered = await h.command(h.alice, thread.id, "steer", { prompt: "also check the tests" });
    expect(answerText(steered)).toMatch(/Steering queued/);
    expect(steered.original?.ephemeral).toBeFalsy();
    // The extension leases it and hands it to omp while the answer streams (the dashboard says so);
    // omp takes it when the answer ends.
    await h.waitForDashboard(thread.id, (d) => d.text.includes(STEERED_LINE));
    held.release();

    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("Checked the tests too."),
      {
        timeoutMs: RUN_WAIT_MS,
      },
    );
    const result = await omp;
    expect(result.exitCode, result.stderr).toBe(0);
    // The steer reached the model in the same omp process, and bob's text never did.
    const sent = h.model.requests.flatMap((r) => r.messages ?? []).map((m) => contentText(m.content));
    expect(sent.some((text) => text.includes("also check the tests"))).toBe(true);
    expect(sent.some((text) => text.includes("rm -rf everything"))).toBe(false);
    // Acknowledged: delivered exactly once.
    await waitUntil(() => h.app!.store.undeliveredSteering(mirror.mirrorId).length === 0);
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("terminal session ended"),
      {
        timeoutMs: RUN_WAIT_MS,
      },
    );
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = RUN_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
