// A steer leased by a run when the bot dies (`kill -9`, the bot as a real process): nothing acknowledged
// it, so the restart gives the lease back and the steer becomes a follow-up, said in the thread. The
// model reads its words exactly once, and the steering row is settled.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../src/omp/kill.js";
import { answerText, type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import type { BotProcess } from "../support/bot-process.js";
import { bashThenReply, contentText, reply } from "../support/fake-model/index.js";
import { SLEEP } from "../support/processes.js";

const GATE = "never-opened-before-the-crash";

describe("a steer leased when the bot is killed", () => {
  let h: BotHarness;
  let bot: BotProcess | undefined;
  let db: Database.Database | undefined;
  const readDb = () => {
    db ??= new Database(h.config.databasePath, { readonly: true, fileMustExist: true });
    return db;
  };

  beforeAll(async () => {
    h = await startBotHarness();
    // The harness starts the app in-process; this file needs it as a process it can kill.
    await h.app?.stop({ graceMs: 0 });
    h.app = undefined;
  });
  afterAll(async () => {
    // Whatever a failed run of this test left waiting for the gate ends now.
    const workDir = db?.prepare("SELECT work_dir FROM sessions").get() as { work_dir: string } | undefined;
    if (workDir) writeFileSync(join(workDir.work_dir, GATE), "");
    db?.close();
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill("SIGKILL");
      await bot.exited;
    }
    await h?.close();
  });

  it("comes back after the restart as a follow-up, said in the thread, and reaches the model exactly once", async () => {
    h.model.on(
      "run the bean check before the crash",
      bashThenReply(`while [ ! -e ${GATE} ]; do ${SLEEP} 0.1; done; echo command-finished`, "never"),
    );
    h.model.on("STEER-CRASH-1212", reply("Handled the steer after the crash."));
    bot = await h.spawnBot();
    const { thread } = await h.launch("run the bean check before the crash");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy" && d.text.includes("bash"));

    const steered = await h.command(h.alice, thread.id, "steer", { prompt: "STEER-CRASH-1212 then rest" });
    expect(answerText(steered)).toContain("⚡ Steering queued");
    const leased = () =>
      readDb().prepare("SELECT leased_run_id FROM steering WHERE text LIKE 'STEER-CRASH-1212%'").get() as
        | { leased_run_id: string | null }
        | undefined;
    expect(
      await waitUntil(() => Boolean(leased()?.leased_run_id), RUN_WAIT_MS, 50),
      "the run leased it",
    ).toBe(true);

    bot.child.kill("SIGKILL");
    await bot.exited;
    const session = readDb().prepare("SELECT id FROM sessions").get() as { id: string };
    bot = await h.spawnBot();

    await h.emu.waitForMessage(
      (m) =>
        m.channelId === thread.id && m.author.bot && m.content.includes("Handled the steer after the crash."),
      { timeoutMs: RUN_WAIT_MS },
    );
    const note = h.botPosts(thread.id).find((m) => m.content.includes("became a follow-up prompt"));
    expect(note?.content).toContain(`<@${h.alice}>`);
    const last = h.model.requestsMatching("STEER-CRASH-1212").at(-1)!;
    const carrying = (last.messages ?? []).filter(
      (m) => m.role === "user" && contentText(m.content).includes("STEER-CRASH-1212"),
    );
    expect(carrying).toHaveLength(1);
    const rows = readDb()
      .prepare("SELECT delivered_at FROM steering WHERE session_id = ?")
      .all(session.id) as { delivered_at: number | null }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.delivered_at).not.toBeNull();
    const sources = readDb()
      .prepare("SELECT source, status FROM prompts WHERE session_id = ? ORDER BY position")
      .all(session.id);
    expect(sources).toEqual([
      { source: "reaction", status: "interrupted" },
      { source: "steer", status: "done" },
    ]);
  });
});
