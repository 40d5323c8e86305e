// `/omp report [days]` through discord.js against the emulator: the figures of runs seeded in the store
// on known UTC days (runs, failures, time, tokens, cost, the total), a quiet day as zeros, the private
// reply, and the refusal for someone who is not an allowed user.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunFinish } from "../../src/store/index.js";
import { answerText, type BotHarness, EVENT_WAIT_MS, startBotHarness } from "../support/bot-harness.js";

const DAY_MS = 86_400_000;

describe("/omp report", () => {
  let h: BotHarness;
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const dayName = (at: number) => new Date(at).toISOString().slice(0, 10);

  /** One finished run that started `startMs` and took `tookMs`. */
  const seedRun = (startMs: number, tookMs: number, finish: Omit<RunFinish, "exitCode" | "signal">) => {
    const store = h.app!.store;
    const session = store.createSession({
      guildId: h.world.guildId,
      parentChannelId: h.world.channelId,
      threadId: `seeded-${startMs}-${finish.outcome}`,
      name: "seeded",
      createdBy: h.alice,
      workDir: h.home.workDir,
    });
    const prompt = store.enqueuePrompt({
      sessionId: session.id,
      authorId: h.alice,
      text: "seeded",
      source: "new",
    });
    const run = store.startRun({ sessionId: session.id, promptId: prompt.id });
    store.finishRun(run.id, { exitCode: null, signal: null, ...finish });
    store.sqlite
      .prepare("update runs set started_at = ?, ended_at = ? where id = ?")
      .run(startMs, startMs + tookMs, run.id);
    store.markSessionStopped(session.id);
  };

  const report = async (user: string, options: Record<string, number> = {}) => {
    const handle = h.emu
      .as(user)
      .runCommand({ channelId: h.world.channelId, name: "omp", subcommand: "report", options });
    await handle.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    return handle.view();
  };

  /** The table's cells of the row that starts with `label`. */
  const row = (text: string, label: string) =>
    text
      .split("\n")
      .find((line) => line.startsWith(label))
      ?.trim()
      .split(/\s{2,}/);

  beforeAll(async () => {
    h = await startBotHarness();
    const twoDaysAgo = today - 2 * DAY_MS + 3_600_000;
    seedRun(twoDaysAgo, 60_000, { outcome: "success", tokens: 1_000, cost: 0.5 });
    seedRun(twoDaysAgo + 60_000, 30_000, { outcome: "failed", tokens: 200, cost: 0.1 });
    seedRun(twoDaysAgo + 120_000, 5_000, { outcome: "cancelled", tokens: 0, cost: 0 });
    // Four days ago: outside a 3-day report.
    seedRun(today - 4 * DAY_MS, 1_000, { outcome: "success", tokens: 9_999, cost: 9 });
    const yesterday = today - DAY_MS + 7_200_000;
    seedRun(yesterday, 120_000, { outcome: "timed_out", tokens: 300, cost: 0.25 });
    seedRun(yesterday + 200_000, 10_000, { outcome: "interrupted", tokens: 0, cost: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("gives each UTC day's runs, failures, time, tokens and cost, and the total, privately", async () => {
    const view = await report(h.alice, { days: 3 });
    expect(view.original?.ephemeral).toBe(true);
    const embed = view.original!.embeds[0]!;
    expect(embed.title).toBe("Runs in the last 3 days");
    const table = embed.description!;
    expect(row(table, "day (UTC)")).toEqual(["day (UTC)", "runs", "failed", "time", "tokens", "cost"]);
    expect(row(table, dayName(today - 2 * DAY_MS))).toEqual([
      dayName(today - 2 * DAY_MS),
      "3",
      "1",
      "1m 35s",
      "1,200",
      "$0.60",
    ]);
    expect(row(table, dayName(today - DAY_MS))).toEqual([
      dayName(today - DAY_MS),
      "2",
      "1",
      "2m 10s",
      "300",
      "$0.25",
    ]);
    // Today has no run: a row of zeros, not a missing day.
    expect(row(table, dayName(today))).toEqual([dayName(today), "0", "0", "0s", "0", "$0"]);
    expect(row(table, dayName(today - 4 * DAY_MS))).toBeUndefined();
    expect(row(table, "total")).toEqual(["total", "5", "2", "3m 45s", "1,500", "$0.85"]);
    expect(embed.footer?.text).toContain("Days are UTC");
    expect(embed.footer?.text).toContain("Cancelled by a person: 1.");
    expect(embed.footer?.text).toContain("Cut by a stop or crash of the bot: 1.");
  });

  it("covers 7 days by default", async () => {
    const view = await report(h.alice);
    expect(view.original!.embeds[0]!.title).toBe("Runs in the last 7 days");
    expect(row(view.original!.embeds[0]!.description!, "total")?.slice(0, 2)).toEqual(["total", "6"]);
  });

  it("is refused to someone who is not an allowed user", async () => {
    const view = await report(h.bob, { days: 3 });
    expect(answerText(view)).not.toContain("Runs in the last");
    expect(answerText(view)).toMatch(/not|allowed/i);
  });
});
