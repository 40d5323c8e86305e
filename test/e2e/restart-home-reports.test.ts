// The home channel (DISCORD_CHANNEL_ID) across the bot's life, with the bot as a real process: a start
// says its version, omp's and what it recovered; a clean stop says so and paints a cut run ⏸ bot stopped
// (repainted when the bot is back); a `kill -9` is reported as a crash at the next start, and a crash
// loop edits its one message rather than posting one per restart. No report mentions anyone.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MessageView } from "@ompcord/discord-emulator";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_STOPPED_LOOK, DASHBOARD_STATES } from "../../src/dashboard/index.js";
import { LIFECYCLE_FILE } from "../../src/discord/home-reports.js";
import { isAlive } from "../../src/omp/index.js";
import { waitUntil } from "../../src/omp/kill.js";
import { type BotHarness, EVENT_WAIT_MS, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import type { BotProcess } from "../support/bot-process.js";
import { bashThenReply } from "../support/fake-model/index.js";
import { processesMatching, SLEEP, taggedSeconds } from "../support/processes.js";

const TOOL_SECONDS = taggedSeconds(289);
/** The home reports' first lines, by kind. */
const STARTED = /^🟢 \*\*ompcord \S+ started\*\*/;
const STOPPED = /^⏸ \*\*ompcord \S+ stopped\*\* cleanly/;
const CRASHED = /^⚠️ \*\*ompcord \S+ is back after a crash\*\*/;
const LOOPING = /^🔁 \*\*ompcord \S+ is crash-looping\*\*: back after a crash 2 times/;

describe("reports in the home channel", () => {
  let h: BotHarness;
  let bot: BotProcess | undefined;
  const botIsRunning = () =>
    bot !== undefined && bot.child.exitCode === null && bot.child.signalCode === null;

  /** The bot's messages in the home channel, oldest first (the launch channel's threads are elsewhere). */
  const reports = (): MessageView[] =>
    h.emu.messages(h.world.channelId).filter((m) => m.author.bot && !m.interactionId);
  const waitForReports = (count: number, last: RegExp) =>
    h.emu.waitFor(
      () => {
        const all = reports();
        return all.length === count && last.test(all.at(-1)!.content) ? all : undefined;
      },
      { timeoutMs: EVENT_WAIT_MS, what: `home report ${count} matching ${last}` },
    );

  beforeAll(async () => {
    // The harness's in-process app is the first start: its report is the first message.
    h = await startBotHarness({ env: { OMPCORD_HOME_REPORTS: "on", OMPCORD_SHUTDOWN_GRACE: "1s" } });
  });
  afterAll(async () => {
    if (botIsRunning()) {
      bot!.child.kill("SIGKILL");
      await bot!.exited;
    }
    for (const pid of processesMatching(`${SLEEP} ${TOOL_SECONDS}`)) {
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    }
    await h?.close();
  });

  it("a start says the bot's and omp's versions and what it recovered; a clean stop says so; nobody is mentioned", async () => {
    const [started] = await waitForReports(1, STARTED);
    expect(started!.content).toMatch(/omp: omp\/\d+\.\d+\.\d+/);
    expect(started!.content).toContain("Recovered: 0 live sessions repainted");
    await h.app?.stop({ graceMs: 0 });
    h.app = undefined;
    const all = await waitForReports(2, STOPPED);
    for (const message of all) {
      expect(message.allowedMentions).toEqual({ parse: [] });
      expect(message.mentionIds).toEqual([]);
    }
  });

  it("a stop cuts a run past its grace period: ⏸ bot stopped, recorded interrupted, repainted when the bot is back", async () => {
    h.model.on("slow tool for the stop", bashThenReply(`${SLEEP} ${TOOL_SECONDS}`, "never"));
    bot = await h.spawnBot();
    await waitForReports(3, STARTED);
    const { thread } = await h.launch("slow tool for the stop, please");
    expect(
      await waitUntil(() => processesMatching(`${SLEEP} ${TOOL_SECONDS}`).length > 0, RUN_WAIT_MS, 100),
      "omp runs the tool command",
    ).toBe(true);

    expect(await bot.stop()).toEqual({ code: 0, signal: null });
    const stopped = h.dashboard(thread.id)?.embeds[0];
    expect(stopped?.color).toBe(BOT_STOPPED_LOOK.color);
    expect(stopped?.title).toMatch(/^⏸ /);
    expect(JSON.stringify(stopped)).toContain("Bot stopped");
    expect(JSON.stringify(stopped)).toContain("ompcord stopped during this run");
    const [, , , stopReport] = await waitForReports(4, STOPPED);
    expect(stopReport!.content).toContain("1 run still going after the grace period was stopped");
    // Nobody cancelled it: the store says the bot's stop interrupted it.
    const db = new Database(h.config.databasePath, { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare("select outcome, error from runs").all()).toEqual([
        { outcome: "interrupted", error: "interrupted: ompcord stopped during the run" },
      ]);
      expect(db.prepare("select status from prompts").all()).toEqual([{ status: "interrupted" }]);
    } finally {
      db.close();
    }

    bot = await h.spawnBot();
    const [, , , , back] = await waitForReports(5, STARTED);
    expect(back!.content).toContain("Recovered: 1 live session repainted");
    const repainted = await h.waitForDashboard(thread.id, (d) => d.state === "degraded", EVENT_WAIT_MS);
    expect(repainted.text).toContain("Interrupted by a restart");
    expect(repainted.message.embeds[0]?.title).not.toMatch(/^⏸/);
    expect(repainted.message.embeds[0]?.color).toBe(DASHBOARD_STATES.degraded.color);
  });

  it("kill -9 is reported as a crash at the next start, and a crash loop edits that one message", async () => {
    bot!.child.kill("SIGKILL");
    await bot!.exited;
    bot = await h.spawnBot();
    const afterCrash = await waitForReports(6, CRASHED);
    const crashReport = afterCrash.at(-1)!;
    // The bot records the report's id once Discord answered (the emulator shows the message a moment
    // before): the next crash must come after that, as a real crash loop's would.
    const lifecycle = join(h.config.dataDir, LIFECYCLE_FILE);
    expect(
      await waitUntil(() => readFileSync(lifecycle, "utf8").includes(crashReport.id), EVENT_WAIT_MS, 50),
      "the crash report's id is recorded",
    ).toBe(true);

    bot.child.kill("SIGKILL");
    await bot.exited;
    bot = await h.spawnBot();
    // The same message, edited: the loop counts its restarts instead of adding a message per restart.
    const edited = await h.emu
      .waitFor(
        () => {
          const message = h.emu.message(crashReport.id);
          return message && LOOPING.test(message.content) ? message : undefined;
        },
        { timeoutMs: EVENT_WAIT_MS, what: "the crash report edited into a crash loop" },
      )
      .catch((error: unknown) => {
        throw new Error(
          `${(error as Error).message}\n${JSON.stringify(reports().map((m) => m.content))}\n${readFileSync(lifecycle, "utf8")}`,
        );
      });
    expect(edited.history.length).toBe(2);
    expect(reports()).toHaveLength(6);

    // A clean stop ends the loop: the next crash would get a message of its own.
    expect(await bot.stop()).toEqual({ code: 0, signal: null });
    await waitForReports(7, STOPPED);
  });
});
