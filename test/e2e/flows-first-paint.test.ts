// The dashboard tells the truth from its first paint (SPEC §1, §2): a session whose prompt is about to
// run is never shown 🟢 Idle "ready for prompts", and one whose prompt waits for a global run slot says
// so — when it is launched, after a restart, and on a dashboard posted again. One run slot
// (OMP_MAX_CONCURRENT_RUNS=1) and the fake omp, whose `hang` holds the slot until it is cancelled.

import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_STATES } from "../../src/dashboard/index.js";
import { type BotHarness, EVENT_WAIT_MS, readDashboard, startBotHarness } from "../support/bot-harness.js";

/** One version of a message from its edit history. */
type Version = MessageView["history"][number];

const WAITS_FOR_SLOT = /waiting for a free run slot \(1 of 1 in use\)/i;

/** One version of the dashboard as a person reads it. */
function reading(version: Version) {
  return readDashboard({ embeds: version.embeds } as MessageView);
}

function cancelDisabled(version: Version): boolean | undefined {
  const buttons = version.components.flatMap((row) =>
    "components" in row ? (row.components as { custom_id?: string; disabled?: boolean }[]) : [],
  );
  return buttons.find((b) => b.custom_id?.includes("cancel"))?.disabled;
}

describe("the first paint tells the truth", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ omp: "fake", env: { OMP_MAX_CONCURRENT_RUNS: "1" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Launches a `hang` that holds the only run slot; resolves once it is running. */
  const holdTheSlot = async (prompt: string) => {
    const launched = await h.launch(prompt);
    await h.waitForDashboard(launched.thread.id, (d) => d.state === "busy" && d.text.includes("#1"));
    return launched;
  };

  it("a launched session's first dashboard shows its prompt starting, never Idle", async () => {
    const { thread, dashboard } = await h.launch("plain first paint please");
    const first = reading(dashboard.history[0]!);
    expect(first.state).toBe("starting");
    expect(first.message.embeds[0]?.color).toBe(DASHBOARD_STATES.busy.color);
    expect(first.text).toContain("plain first paint please");
    expect(first.text).not.toMatch(/Idle/);
    // It runs and ends as usual.
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
  });

  it("with the only run slot taken, a new session's first paint says it waits for a slot, and it starts once the slot frees", async () => {
    const holder = await holdTheSlot("hang holding the slot");
    const { thread, dashboard } = await h.launch("second in line for a slot");
    const first = reading(dashboard.history[0]!);
    expect(first.state).toBe("starting");
    expect(first.message.embeds[0]?.color).toBe(DASHBOARD_STATES.busy.color);
    expect(first.text).toContain("second in line for a slot");
    expect(first.text).toMatch(WAITS_FOR_SLOT);
    // Nothing runs yet, so there is nothing to cancel, and /omp cancel says why, privately.
    expect(cancelDisabled(dashboard.history[0]!)).toBe(true);
    const sessionId = h.app!.ctx.sessions.byThread(thread.id)!.id;
    await h.emu.waitFor(() => h.app!.ctx.sessions.snapshot(sessionId).waitingForSlot || undefined, {
      timeoutMs: EVENT_WAIT_MS,
      what: "the prompt queued for a slot",
    });
    const early = await h.command(h.alice, thread.id, "cancel");
    expect(early.original?.ephemeral).toBe(true);
    expect(early.original?.content).toMatch(/waiting for a free run slot/);

    await h.command(h.alice, holder.thread.id, "cancel");
    const done = await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
    expect(done.text).not.toMatch(WAITS_FOR_SLOT);
    // The answer waits its turn in the thread's write window, so it may land just after Idle is drawn.
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("fake reply to: second in line"),
      { timeoutMs: EVENT_WAIT_MS },
    );
  });

  it("a dashboard posted again while its prompt waits for a slot says so from its first paint", async () => {
    const holder = await holdTheSlot("hang holding the slot again");
    const { thread, dashboard } = await h.launch("waiting while my dashboard vanishes");
    await h.waitForDashboard(thread.id, (d) => WAITS_FOR_SLOT.test(d.text));
    // A moderator deletes the pinned dashboard; the thread stays.
    h.emu.core.store.deleteMessage(h.emu.core.store.messages.get(dashboard.id)!);
    // The next change (a follow-up) finds the message gone; a new dashboard is posted and pinned.
    await h.command(h.alice, thread.id, "say", { prompt: "and one more" });
    const reposted = await h.emu.waitFor(
      () => {
        const pinned = h.emu.pins(thread.id)[0];
        return pinned && pinned.id !== dashboard.id ? pinned : undefined;
      },
      { timeoutMs: EVENT_WAIT_MS, what: "a new pinned dashboard" },
    );
    const first = reading(reposted.history[0]!);
    expect(first.state).toBe("starting");
    expect(first.message.embeds[0]?.color).toBe(DASHBOARD_STATES.busy.color);
    expect(first.text).toContain("waiting while my dashboard vanishes");
    expect(first.text).toMatch(WAITS_FOR_SLOT);
    await h.command(h.alice, holder.thread.id, "stop");
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#2"));
  });

  it("after a restart, sessions with queued prompts repaint as starting or waiting for a slot, never Idle", async () => {
    const holder = await holdTheSlot("hang until the restart");
    const next = await h.launch("first to resume after the restart");
    const later = await h.launch("second to resume after the restart");
    for (const { thread } of [next, later]) {
      await h.waitForDashboard(thread.id, (d) => WAITS_FOR_SLOT.test(d.text));
    }
    // The holder's run is cancelled by the shutdown; the two queued prompts stay queued in the store.
    await h.app!.stop({ graceMs: 0 });
    const editsBefore = new Map(
      [next, later].map(({ thread }) => [thread.id, h.dashboard(thread.id)!.history.length]),
    );
    await h.startApp();

    const firstRepaint = async (threadId: string) => {
      const version = await h.emu.waitFor(() => h.dashboard(threadId)!.history[editsBefore.get(threadId)!], {
        timeoutMs: EVENT_WAIT_MS,
        what: `the first repaint of ${threadId} after the restart`,
      });
      return reading(version);
    };
    const resumed = await firstRepaint(next.thread.id);
    expect(["starting", "busy"]).toContain(resumed.state);
    expect(resumed.text).toContain("first to resume after the restart");
    expect(resumed.text).not.toMatch(WAITS_FOR_SLOT);
    const waiting = await firstRepaint(later.thread.id);
    expect(waiting.state).toBe("starting");
    expect(waiting.text).toContain("second to resume after the restart");
    expect(waiting.text).toMatch(WAITS_FOR_SLOT);

    // Both then run to their answers, one after the other.
    for (const { thread } of [next, later]) {
      await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
    }
    expect(h.app!.ctx.sessions.byThread(holder.thread.id)?.state).not.toBe("busy");
  });
});
