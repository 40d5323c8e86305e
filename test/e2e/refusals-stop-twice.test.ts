// Stopping happens once per session: a double click on the dashboard's Stop button, or two `/omp stop`
// at once, stop the session and announce it one time; the second gets a private refusal. Likewise a
// run is cancelled and announced once however many Cancel presses arrive together, and those that lost
// the race are told so privately.

import type { InteractionHandle, InteractionView, MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";

describe("a session stops once", () => {
  let h: BotHarness;
  beforeAll(async () => {
    // The fake omp's `hang` keeps a run busy until it is cancelled.
    h = await startBotHarness({ omp: "fake" });
  });
  afterAll(async () => {
    await h?.close();
  });

  const announcements = (threadId: string) =>
    h.emu.messages(threadId).filter((m) => m.author.bot && m.content.includes("Session stopped"));

  /** Waits until both answered; returns the one that stopped and the one that was refused. */
  const settle = (first: InteractionHandle, second: InteractionHandle) =>
    h.emu.waitFor(
      () => {
        // What each presser was told (not the dashboard a button sits on, which also changes).
        const told = (v: InteractionView) => answerText({ ...v, message: null });
        const views = [first.view(), second.view()];
        const stopped = views.filter((v) => /Session stopped/.test(told(v)));
        const refused = views.filter((v) => /This session was stopped/.test(told(v)));
        return stopped.length + refused.length === 2 ? { stopped, refused } : undefined;
      },
      { timeoutMs: RUN_WAIT_MS, what: "both answers" },
    );

  const busySession = async (prompt: string) => {
    const { thread, dashboard } = await h.launch(prompt);
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    return { thread, dashboard };
  };

  it("a double click on Stop stops the session once and refuses the second click privately", async () => {
    const { thread, dashboard } = await busySession("hang for a double click");
    const stop = buttonId(dashboard, "stop");
    const first = h.emu.as(h.alice).clickButton({ messageId: dashboard.id, customId: stop });
    const second = h.emu.as(h.alice).clickButton({ messageId: dashboard.id, customId: stop });
    const { stopped, refused } = await settle(first, second);
    expect(stopped).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const told = [refused[0]!.original, ...refused[0]!.followUps].filter((m) => m !== null);
    expect(told.length).toBeGreaterThan(0);
    for (const message of told) expect(message.ephemeral).toBe(true);
    await h.emu.waitFor(() => h.emu.channel(thread.id).archived, {
      timeoutMs: EVENT_WAIT_MS,
      what: "archived",
    });
    expect(announcements(thread.id)).toHaveLength(1);
  });

  it("two /omp stop at once stop the session once", async () => {
    const { thread } = await busySession("hang for two stops");
    const run = () => h.emu.as(h.alice).runCommand({ channelId: thread.id, name: "omp", subcommand: "stop" });
    const { stopped, refused } = await settle(run(), run());
    expect(stopped).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.original?.ephemeral).toBe(true);
    await h.emu.waitFor(() => h.emu.channel(thread.id).archived, {
      timeoutMs: EVENT_WAIT_MS,
      what: "archived",
    });
    expect(
      h.app!.store.sqlite.prepare("SELECT count(*) AS n FROM runs WHERE outcome = 'cancelled'").get(),
    ).toEqual({
      n: 2,
    });
  });
});

describe("a run is cancelled once", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ omp: "fake" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a double click on Cancel plus /omp cancel announce one cancel in public; the two that lost are told privately", async () => {
    const { thread, dashboard } = await h.launch("hang for three cancels");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    const cancel = buttonId(dashboard, "cancel");
    const first = h.emu.as(h.alice).clickButton({ messageId: dashboard.id, customId: cancel });
    const second = h.emu.as(h.alice).clickButton({ messageId: dashboard.id, customId: cancel });
    const command = h.emu.as(h.alice).runCommand({ channelId: thread.id, name: "omp", subcommand: "cancel" });
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("Run #1 was cancelled"),
      {
        timeoutMs: RUN_WAIT_MS,
      },
    );
    // What each presser was told: the reply and follow-ups (not the dashboard a button sits on).
    const told = (handle: InteractionHandle) => {
      const v = handle.view();
      return [v.original, ...v.followUps].filter((m): m is MessageView => m !== null && m.content !== "");
    };
    const all = [first, second, command];
    await h.emu.waitFor(() => all.every((handle) => told(handle).length > 0) || undefined, {
      timeoutMs: EVENT_WAIT_MS,
      what: "every presser told what happened",
    });
    await h.command(h.alice, thread.id, "queue");
    const announced = h.emu
      .messages(thread.id)
      .filter((m) => m.author.bot && m.content.includes("Run cancelled by"));
    expect(announced).toHaveLength(1);
    const winners = all.filter((handle) => told(handle).some((m) => m.content.includes("Run cancelled by")));
    expect(winners).toHaveLength(1);
    expect(told(winners[0]!).every((m) => !m.ephemeral)).toBe(true);
    for (const loser of all.filter((handle) => !winners.includes(handle))) {
      const messages = told(loser);
      expect(messages.map((m) => m.content).join("\n")).toMatch(/already (finished|being cancelled)/);
      for (const message of messages) expect(message.ephemeral, message.content).toBe(true);
    }
    expect(h.app!.ctx.sessions.byThread(thread.id)?.stoppedAt).toBeNull();
  });

  it("/omp cancel while another cancel of the run is under way is answered privately", async () => {
    const { thread } = await h.launch("hang for a late cancel");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    const sessionId = h.app!.ctx.sessions.byThread(thread.id)!.id;
    // Someone else's cancel (e.g. a shutdown) already under way when this one arrives.
    const underWay = h.app!.ctx.sessions.cancel(sessionId);
    const late = await h.command(h.alice, thread.id, "cancel");
    await underWay;
    expect(answerText(late)).toMatch(/already (finished|being cancelled)/);
    const told = [late.original, ...late.followUps].filter(
      (m): m is MessageView => m !== null && m.content !== "",
    );
    expect(told.length).toBeGreaterThan(0);
    for (const message of told) expect(message.ephemeral, message.content).toBe(true);
    expect(
      h.emu.messages(thread.id).filter((m) => m.author.bot && m.content.includes("Run cancelled by")),
    ).toHaveLength(0);
  });
});

function buttonId(dashboard: MessageView, action: "cancel" | "stop"): string {
  const ids = dashboard.components.flatMap((row) =>
    "components" in row ? (row.components as { custom_id?: string }[]).map((c) => c.custom_id ?? "") : [],
  );
  const id = ids.find((customId) => customId.includes(action));
  if (!id) throw new Error(`The dashboard has no ${action} button; it has ${ids.join(", ")}`);
  return id;
}
