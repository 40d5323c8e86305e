import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, startBotHarness } from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";

describe("smoke", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a 🚀 launch runs the prompt and posts the answer", async () => {
    h.model.on("say hello", reply("Hello from the fake model."));
    const { thread } = await h.launch("say hello please");
    const done = await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.message.history.length > 2,
    );
    expect(done.text).toContain("say hello");
    const answer = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Hello from the fake model."),
    );
    expect(answer.pinned).toBe(false);
  });
});
