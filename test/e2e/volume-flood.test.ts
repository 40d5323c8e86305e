// Volume (SPEC §1, §6, §9): an omp printing 20 000 lines through the whole bot. Discord never answers
// 429, the dashboard is edited at most once a second and ends on the output's tail, the transcript in
// the thread holds every line, and the bot's memory does not grow with the output.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type DashboardEditInfo, MIN_EDIT_INTERVAL_MS } from "../../src/dashboard/live/index.js";
import { type BotHarness, EVENT_WAIT_MS, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";

const LINES = 20_000;
/** Heap the bot may add while streaming; the output alone (20 000 lines, ~1 MB of events) fits many times. */
const HEAP_GROWTH_LIMIT_BYTES = 96 * 1024 * 1024;

describe("volume: 20 000 lines of output", () => {
  let h: BotHarness;
  /**
   * Every dashboard edit as the bot sent it. The bot paces edits by when it sends them; when the
   * emulator stores them depends on how busy the process is (a loaded machine delays one request more
   * than the next), so the pacing is checked on the send times.
   */
  const edits: DashboardEditInfo[] = [];
  beforeAll(async () => {
    h = await startBotHarness({ omp: "fake", onDashboardEdit: (info) => edits.push(info) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("streams without a 429, edits at most once a second, shows the tail and attaches every line", async () => {
    h.emu.resetCounters();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 50);

    const { thread } = await h.launch(`flood ${LINES}`);
    const transcriptPost = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.attachments.some((a) => a.filename.startsWith("transcript-")),
      { timeoutMs: RUN_WAIT_MS },
    );
    const final = await h.waitForDashboard(thread.id, (d) => d.state === "idle");
    clearInterval(sampler);

    // Discord never had to say "slow down".
    expect(h.emu.counters.rateLimited).toBe(0);
    expect(h.emu.counters.rateLimitedByRoute).toEqual({});

    // The final dashboard ends on the last line.
    expect(final.text).toContain(`line ${LINES}`);
    expect(final.text).not.toContain("line 1\n");

    // At most one edit a second (the first version is the post itself): each edit Discord stored was
    // sent at least the interval after the one before.
    const session = h.app!.store.getSessionByThread(thread.id)!;
    const sentTimes = () => edits.filter((edit) => edit.sessionId === session.id).map((edit) => edit.sentAt);
    // The bot hears of an edit when Discord's answer arrives, a moment after the emulator stored it.
    await vi.waitFor(() => expect(sentTimes()).toHaveLength(h.dashboard(thread.id)!.history.length - 1), {
      timeout: EVENT_WAIT_MS,
    });
    const sent = sentTimes();
    expect(sent.length).toBeGreaterThan(1);
    const gaps = sent.slice(1).map((at, i) => at - sent[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MIN_EDIT_INTERVAL_MS);

    // Every line, in order, in the attached transcript.
    const attachment = transcriptPost.attachments.find((a) => a.filename.startsWith("transcript-"))!;
    const transcript = Buffer.from(h.emu.attachmentBytes(attachment.id)!).toString("utf8");
    const numbers = [...transcript.matchAll(/\bline (\d+)\b/g)].map((match) => Number(match[1]));
    expect(numbers).toHaveLength(LINES);
    expect(numbers.every((n, i) => n === i + 1)).toBe(true);
    expect(transcriptPost.mentionIds).toEqual([]);

    // The bot's memory did not follow the output.
    expect(heapPeak - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT_BYTES);
  });
});
