// A real omp run through the whole bot versus a bare `omp -p` (issue 4): the same prompt against the fake
// model, alternating bot and bare so both see the same machine load; median of the per-pair ratios.
// The bot side is 🚀 on a fresh message → the answer posted in its thread (thread, dashboard, queue,
// runner, edits, answer post); the bare side gets the very arguments the bot's runner builds.

import { join } from "node:path";
import { spawnBotProcess } from "../../test/support/bot-process.js";
import { reply, startFakeModel } from "../../test/support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN } from "../../test/support/omp-home.js";
import { timeBareOmp } from "./bare-omp.js";
import { type BotChildRequest, botChildScript, buildBot } from "./bot-child.js";
import { LAUNCH_EMOJI, startBotWorld } from "./bot-world.js";
import { alternatingPairs, median, type Scenario } from "./types.js";

const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
const PROMPT = "benchmark prompt: reply with one short line";
const ANSWER = "A short benchmark reply.";
const RUN_TIMEOUT_MS = 60_000;

export const botOverhead: Scenario = {
  name: "bot-overhead",
  description: `wall time of one trivial prompt: 🚀 → answer posted through the whole bot vs a bare \`omp -p\` with the runner's arguments (median of ${PAIRS} alternating pairs)`,
  async run({ log }) {
    const model = await startFakeModel();
    model.on("benchmark prompt", reply(ANSWER));
    const home = createOmpHome(model.baseUrl);
    await buildBot();
    const w = await startBotWorld({ ompBin: OMP_BIN, workDir: home.workDir });
    const bot = spawnBotProcess({
      env: w.env({ ...home.env, OMP_MODEL: FAKE_MODEL_ID, OMP_RUN_TIMEOUT: `${RUN_TIMEOUT_MS / 1000}s` }),
      cwd: w.dataDir,
      script: botChildScript(),
      ipc: true,
      logFile: join(w.dataDir, "bot.log"),
    });
    const overlay = join(w.dataDir, "data", "omp-overlay.yml");
    const alice = w.emu.as(w.world.users.alice.id);

    let b = 0;
    const bare = async () => {
      b++;
      return timeBareOmp({
        home,
        overlayPath: overlay,
        sessionDir: join(w.dataDir, `bare-session-${b}`),
        maxTimeMs: RUN_TIMEOUT_MS,
        prompt: PROMPT,
      });
    };
    const throughBot = async () => {
      const message = alice.postMessage(w.world.channelId, PROMPT);
      const started = performance.now();
      alice.react(w.world.channelId, message.id, LAUNCH_EMOJI);
      const thread = await w.emu.waitForThread(
        (t) => t.id === message.id || t.starterMessageId === message.id,
        {
          timeoutMs: 10_000,
        },
      );
      await w.emu.waitForMessage(
        (m) => m.channelId === thread.id && m.author.bot && m.content.includes(ANSWER),
        { timeoutMs: RUN_TIMEOUT_MS },
      );
      return performance.now() - started;
    };

    try {
      await bot.ready(60_000);
      const {
        bareMs,
        measuredMs: botMs,
        ratios,
      } = await alternatingPairs({
        pairs: PAIRS,
        bare,
        measured: throughBot,
        label: "bot",
        log,
      });
      const medianRatio = Number(median(ratios).toFixed(3));
      return {
        pairs: PAIRS,
        bareMs: bareMs.map(Math.round),
        botMs: botMs.map(Math.round),
        ratios: ratios.map((r) => Number(r.toFixed(3))),
        medianBareMs: Math.round(median(bareMs)),
        medianBotMs: Math.round(median(botMs)),
        medianRatio,
        targets: { medianRatio: { target: 1.05, met: medianRatio <= 1.05 } },
      };
    } finally {
      if (bot.child.connected) bot.child.send({ type: "stop" } satisfies BotChildRequest);
      const exit = await Promise.race([bot.exited, new Promise((done) => setTimeout(done, 15_000))]);
      if (!exit) bot.child.kill("SIGKILL");
      await w.close();
      await model.close();
      home.cleanup();
    }
  },
};
