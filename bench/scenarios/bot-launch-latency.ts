// Launch latency (issue 4): from the 🚀 reaction's dispatch to the thread existing and to the dashboard
// being pinned, which happens before omp starts. One launch at a time against an idle bot (in its own
// process), the first one as warm-up; medians over the rest.

import { join } from "node:path";
import { spawnBotProcess } from "../../test/support/bot-process.js";
import { type BotChildRequest, botChildScript, buildBot } from "./bot-child.js";
import { FAKE_OMP_BIN, LAUNCH_EMOJI, startBotWorld, summary } from "./bot-world.js";
import { median, type Scenario } from "./types.js";

const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? 12);

export const botLaunchLatency: Scenario = {
  name: "bot-launch-latency",
  description: `🚀 dispatch → thread created → dashboard pinned, before omp starts (median of ${LAUNCHES} launches after a warm-up)`,
  async run({ log }) {
    await buildBot();
    const w = await startBotWorld({ ompBin: FAKE_OMP_BIN });
    const bot = spawnBotProcess({
      env: w.env(),
      cwd: w.dataDir,
      script: botChildScript(),
      ipc: true,
      logFile: join(w.dataDir, "bot.log"),
    });
    try {
      await bot.ready(60_000);
      const alice = w.emu.as(w.world.users.alice.id);
      const toThread: number[] = [];
      const toPinned: number[] = [];
      for (let i = 0; i <= LAUNCHES; i++) {
        const message = alice.postMessage(w.world.channelId, `launch latency probe ${i}`);
        const dispatchedAt = Date.now();
        alice.react(w.world.channelId, message.id, LAUNCH_EMOJI);
        const thread = await w.emu.waitForThread(
          (t) => t.id === message.id || t.starterMessageId === message.id,
          {
            timeoutMs: 10_000,
          },
        );
        const threadAt = Date.now();
        const pinned = await w.emu.waitFor(() => w.emu.pins(thread.id)[0], {
          timeoutMs: 10_000,
          what: "pinned dashboard",
        });
        const pinnedAt = pinned.pinnedAt?.getTime() ?? Date.now();
        // Let the (instant) fake run end, so every launch meets an idle bot.
        await w.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("fake reply to"), {
          timeoutMs: 20_000,
        });
        if (i === 0) continue; // warm-up: first-use code paths, caches
        toThread.push(threadAt - dispatchedAt);
        toPinned.push(pinnedAt - dispatchedAt);
      }
      const medianPinned = median(toPinned);
      log(`median 🚀 → thread ${median(toThread)} ms, → pinned ${medianPinned} ms`);
      return {
        launches: LAUNCHES,
        dispatchToThreadMs: { median: median(toThread), ...summary(toThread) },
        dispatchToPinnedMs: { median: medianPinned, ...summary(toPinned) },
        samplesPinnedMs: toPinned,
        targets: { medianDispatchToPinnedMs: { target: 300, met: medianPinned <= 300 } },
      };
    } finally {
      if (bot.child.connected) bot.child.send({ type: "stop" } satisfies BotChildRequest);
      const exit = await Promise.race([bot.exited, new Promise((done) => setTimeout(done, 15_000))]);
      if (!exit) bot.child.kill("SIGKILL");
      await w.close();
    }
  },
};
