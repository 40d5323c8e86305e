// The dashboard's Cancel and Stop buttons, clicked as people click them: they do what `/omp cancel` and
// `/omp stop` do, and only for allowed users. Real omp against the fake model.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, EVENT_WAIT_MS, readDashboard, startBotHarness } from "../support/bot-harness.js";
import { buttonId, buttonsOf, privateAnswer } from "../support/components.js";
import { heldReply, reply } from "../support/fake-model/index.js";

describe("dashboard buttons", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("Cancel stops the running prompt; the same click by a user who is not allowed is refused privately and changes nothing", async () => {
    // Held mid-answer and never let go: the run is busy until it is cancelled.
    h.model.on(
      "a slow essay to cancel",
      heldReply("An essay that streams ", "for a long while, word by word.").step,
    );
    const { thread } = await h.launch("a slow essay to cancel");
    const session = h.app!.store.getSessionByThread(thread.id)!;
    const busy = await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    const cancelId = buttonId(busy.message, /cancel/i);
    const before = h.emu.messages(thread.id).length;

    const refused = await h.emu
      .as(h.bob)
      .clickButton({ messageId: busy.message.id, customId: cancelId })
      .waitForReply({ timeoutMs: EVENT_WAIT_MS });
    expect(privateAnswer(refused)).toMatch(/not on this bot's list of allowed users/);
    expect(h.emu.messages(thread.id)).toHaveLength(before);
    expect(h.app!.ctx.sessions.snapshot(session.id).running).toBeDefined();
    expect(readDashboard(h.dashboard(thread.id)!).state).toBe("busy");

    const clicked = h.emu.as(h.alice).clickButton({ messageId: busy.message.id, customId: cancelId });
    const notice = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Run cancelled by"),
      { timeoutMs: EVENT_WAIT_MS },
    );
    expect(notice.mentionIds).toEqual([]);
    expect(privateAnswer(await clicked.waitForReply({ timeoutMs: EVENT_WAIT_MS }))).toBe("");

    const degraded = await h.waitForDashboard(thread.id, (d) => d.state === "degraded");
    expect(degraded.message.embeds[0]?.color).toBe(0xe67e22);
    expect(degraded.text).toMatch(/cancel/i);
    expect(buttonsOf(degraded.message).find((b) => /cancel/i.test(b.label ?? ""))?.disabled).toBe(true);
    expect(h.app!.store.getSession(session.id)?.stoppedAt).toBeNull();
    expect(h.botPosts(thread.id).some((m) => m.content.includes("word by word"))).toBe(false);
  });

  it("Stop ends the session and archives the thread; the same click by a user who is not allowed is refused privately and changes nothing", async () => {
    h.model.on("a quick job to stop later", reply("Quick job done."));
    const { thread } = await h.launch("a quick job to stop later");
    const session = h.app!.store.getSessionByThread(thread.id)!;
    const idle = await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
    await h.emu.waitFor(() => h.botPosts(thread.id).find((m) => m.content.includes("Quick job done.")), {
      timeoutMs: EVENT_WAIT_MS,
      what: "the answer",
    });
    const stopId = buttonId(idle.message, /stop/i);
    const before = h.emu.messages(thread.id).length;

    const refused = await h.emu
      .as(h.bob)
      .clickButton({ messageId: idle.message.id, customId: stopId })
      .waitForReply({ timeoutMs: EVENT_WAIT_MS });
    expect(privateAnswer(refused)).toMatch(/not on this bot's list of allowed users/);
    expect(h.emu.messages(thread.id)).toHaveLength(before);
    expect(h.emu.channel(thread.id)?.archived).toBe(false);
    expect(h.app!.store.getSession(session.id)?.stoppedAt).toBeNull();
    expect(readDashboard(h.dashboard(thread.id)!).text).not.toMatch(/stopped/i);

    h.emu.as(h.alice).clickButton({ messageId: idle.message.id, customId: stopId });
    const notice = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Session stopped by"),
      { timeoutMs: EVENT_WAIT_MS },
    );
    expect(notice.mentionIds).toEqual([]);
    await h.emu.waitFor(() => (h.emu.channel(thread.id)?.archived ? true : undefined), {
      timeoutMs: EVENT_WAIT_MS,
      what: "the thread archived",
    });
    const final = readDashboard(h.dashboard(thread.id)!);
    expect(final.text).toMatch(/stopped/i);
    expect(buttonsOf(final.message).every((b) => b.disabled)).toBe(true);
    expect(h.app!.store.getSession(session.id)?.stoppedAt).not.toBeNull();
  });
});
