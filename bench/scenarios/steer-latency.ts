// Steer latency (issue 9): from `/omp steer` leaving the person's Discord client to the model request
// that carries the text, in a fixed scenario: one run whose agent works in a stream of short turns (each a
// `sleep 0.2` command, then the next request), steered again and again. The bot runs in-process against
// the emulator, real omp (with ompcord's extension) against the fake model. Target: p95 ≤ 2 s.

import { type BotHarness, startBotHarness } from "../../test/support/bot-harness.js";
import { contentText, type Step } from "../../test/support/fake-model/index.js";
import { summary } from "./bot-world.js";
import type { Scenario } from "./types.js";

const STEERS = Number(process.env.BENCH_STEERS ?? 20);
/** Each turn of the agent: one short command. The steer waits for it (commands are not cut short). */
const TURN_COMMAND = "sleep 0.2";
/** Turns after the latest user message before the agent would stop: far more than a sample needs. */
const TURNS = 400;
const TARGET_P95_MS = 2_000;
const SAMPLE_TIMEOUT_MS = 60_000;
const POLL_MS = 5;

const MARK = "BENCH-STEER";

export const steerLatency: Scenario = {
  name: "steer-latency",
  description: `/omp steer dispatched → the model request carrying its text, while the agent works in short turns (\`${TURN_COMMAND}\` each); ${STEERS} steers after a warm-up, p50/p95`,
  async run({ log }) {
    const h = await startBotHarness();
    try {
      // The prompt and every steer continue the same stream of short turns.
      const turns: Step[] = Array.from({ length: TURNS }, () => ({
        kind: "tool",
        name: "bash",
        args: { command: TURN_COMMAND },
      }));
      h.model.on(
        (text) => text.includes("steer latency stream") || text.includes(MARK),
        [...turns, { kind: "text", text: "Stream over." }],
      );
      const { thread } = await h.launch("steer latency stream: keep working in short turns");
      await waitForTurns(h, 2);

      const samples: number[] = [];
      for (let i = 0; i <= STEERS; i++) {
        const text = `${MARK}-${i}: note this and go on`;
        const seen = h.model.requests.length;
        const dispatchedAt = performance.now();
        h.emu.as(h.alice).runCommand({
          channelId: thread.id,
          name: "omp",
          subcommand: "steer",
          options: { prompt: text },
        });
        await waitForRequest(h, text, seen);
        const ms = performance.now() - dispatchedAt;
        if (i === 0) {
          log(`warm-up: ${ms.toFixed(0)} ms`);
          continue;
        }
        samples.push(ms);
        log(`steer ${i}/${STEERS}: ${ms.toFixed(0)} ms`);
        // Land the next steer somewhere else in a turn.
        await new Promise((resolve) => setTimeout(resolve, 50 + ((i * 37) % 150)));
      }
      const latency = summary(samples);
      log(`p50 ${latency.p50} ms, p95 ${latency.p95} ms (target p95 ≤ ${TARGET_P95_MS} ms)`);
      await h.command(h.alice, thread.id, "cancel").catch(() => undefined);
      return {
        steers: STEERS,
        turnCommand: TURN_COMMAND,
        dispatchToModelRequestMs: latency,
        samplesMs: samples.map((ms) => Math.round(ms)),
        targets: { p95Ms: { target: TARGET_P95_MS, met: latency.p95 <= TARGET_P95_MS } },
      };
    } finally {
      await h.close();
    }
  },
};

/** Resolves once the model received `n` requests: the agent is in its stream of turns. */
async function waitForTurns(h: BotHarness, n: number): Promise<void> {
  await until(() => h.model.requests.length >= n, "the agent's first turns");
}

/** Resolves when a model request after the first `from` carries `text` in a user message. */
async function waitForRequest(h: BotHarness, text: string, from: number): Promise<void> {
  await until(
    () =>
      h.model.requests
        .slice(from)
        .some((request) =>
          (request.messages ?? []).some((m) => m.role === "user" && contentText(m.content).includes(text)),
        ),
    `a model request carrying "${text}"`,
  );
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + SAMPLE_TIMEOUT_MS;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
