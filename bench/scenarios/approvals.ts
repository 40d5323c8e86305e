// Approvals (issue 10): how long after a click on Approve the tool starts (p50/p95, target p95 ≤ 1 s),
// and what asking costs a run: the same prompt (three shell commands) under `writes`, with an emulated
// person clicking Approve as soon as each card appears, against `off`. Both bots run side by side (the
// whole bot in-process against the emulator, real omp against the fake model), runs alternating.

import type { Emulator } from "@ompcord/discord-emulator";
import { parseCustomId } from "../../src/approvals/custom-ids.js";
import { type BotHarness, RUN_WAIT_MS, startBotHarness } from "../../test/support/bot-harness.js";
import { contentText } from "../../test/support/fake-model/index.js";
import { median, type Scenario } from "./types.js";

const RUNS = Number(process.env.BENCH_APPROVAL_RUNS ?? 6);
const CALLS = 3;
const TARGET_P95_MS = 1_000;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Clicks Approve on every card that appears in the emulator, recording when it clicked, by card. */
function autoApprover(emu: Emulator, userId: string) {
  const clicks: number[] = [];
  const seen = new Set<string>();
  const stop = emu.onChange((change) => {
    if (!change.messageId || seen.has(change.messageId)) return;
    const message = emu.message(change.messageId);
    if (!message?.author.bot || !(message.embeds[0]?.footer?.text ?? "").startsWith("Approval ")) return;
    for (const row of message.components ?? []) {
      for (const c of (row as { components?: { custom_id?: string }[] }).components ?? []) {
        const parsed = c.custom_id ? parseCustomId(c.custom_id) : undefined;
        if (parsed && "action" in parsed && parsed.action === "approve") {
          seen.add(message.id);
          clicks.push(Date.now());
          emu.as(userId).clickButton({ messageId: message.id, customId: c.custom_id! });
          return;
        }
      }
    }
  });
  return { clicks, stop };
}

async function oneRun(h: BotHarness, tag: string): Promise<{ ms: number; toolStarts: number[] }> {
  const prompt = `approval bench ${tag}`;
  const commands = Array.from({ length: CALLS }, (_, i) => ({
    kind: "tool" as const,
    name: "bash",
    args: { command: `echo start-${i}-$(date +%s%3N)` },
  }));
  h.model.on(prompt, [...commands, { kind: "text", text: `bench done ${tag}` }]);
  const startedAt = Date.now();
  const { thread } = await h.launch(prompt);
  await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes(`bench done ${tag}`), {
    timeoutMs: RUN_WAIT_MS,
  });
  const ms = Date.now() - startedAt;
  const results = h.model
    .requestsMatching(prompt)
    .flatMap((r) => r.messages ?? [])
    .filter((m) => m.role === "tool")
    .map((m) => contentText(m.content));
  const toolStarts = [
    ...new Set(
      results.flatMap((text) => [...text.matchAll(/start-(\d)-(\d{13})/g)].map((m) => `${m[1]}:${m[2]}`)),
    ),
  ]
    .map((pair) => pair.split(":").map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0])
    .map(([, at]) => at);
  return { ms, toolStarts };
}

export const approvals: Scenario = {
  name: "approvals",
  description: `click on Approve → the tool starts (p50/p95, target p95 ≤ ${TARGET_P95_MS} ms); a ${CALLS}-command run under writes with instant clicks vs off (${RUNS} runs each, alternating)`,
  async run({ log }) {
    const writes = await startBotHarness({ env: { OMPCORD_APPROVALS: "writes", LOG_LEVEL: "info" } });
    const off = await startBotHarness({ env: { OMPCORD_APPROVALS: "off", LOG_LEVEL: "info" } });
    const approver = autoApprover(writes.emu, writes.alice);
    try {
      await oneRun(writes, "warm-writes");
      await oneRun(off, "warm-off");
      const writesMs: number[] = [];
      const offMs: number[] = [];
      const clickToTool: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const order: [BotHarness, number[], string][] =
          i % 2 === 0
            ? [
                [writes, writesMs, `w${i}`],
                [off, offMs, `o${i}`],
              ]
            : [
                [off, offMs, `o${i}`],
                [writes, writesMs, `w${i}`],
              ];
        for (const [h, into, tag] of order) {
          const clicksBefore = approver.clicks.length;
          const { ms, toolStarts } = await oneRun(h, tag);
          into.push(ms);
          if (h === writes) {
            const clicks = approver.clicks.slice(clicksBefore);
            toolStarts.forEach((at, k) => {
              if (clicks[k] !== undefined) clickToTool.push(at - clicks[k]!);
            });
          }
        }
        log(`round ${i + 1}/${RUNS}: writes ${writesMs.at(-1)} ms, off ${offMs.at(-1)} ms`);
      }
      const p95 = percentile(clickToTool, 95);
      const ratio = median(writesMs) / median(offMs);
      const clickShare = (median(writesMs) - median(offMs)) / median(writesMs);
      log(
        `click → tool p50 ${percentile(clickToTool, 50)} ms, p95 ${p95} ms; writes/off ${ratio.toFixed(2)}, clicks' share ${(clickShare * 100).toFixed(0)} %`,
      );
      return {
        runs: RUNS,
        callsPerRun: CALLS,
        clickToToolStartMs: {
          p50: percentile(clickToTool, 50),
          p95,
          samples: clickToTool,
        },
        runMs: { writesMedian: median(writesMs), offMedian: median(offMs), writes: writesMs, off: offMs },
        writesOverOffRatio: ratio,
        shareOfWritesRunTakenByApprovals: clickShare,
        targets: { clickToToolP95Ms: { target: TARGET_P95_MS, met: p95 <= TARGET_P95_MS } },
      };
    } finally {
      approver.stop();
      await writes.close();
      await off.close();
    }
  },
};
