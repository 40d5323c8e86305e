// Nothing the bot posts pings anyone (SPEC §6): `@everyone` and `<@user>` in prompts and in the agent's
// answer are shown neutralised, and every message the bot wrote carried `allowed_mentions` with no
// parse. Nothing it posts carries terminal escape sequences or their remains. And a long prompt
// (over Linux's argument limit) reaches the model intact.

import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerText, type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { contentText, reply } from "../support/fake-model/index.js";

/** Message types the bot writes itself (default, reply, slash-command answer); not Discord's system notes. */
const WRITTEN_TYPES = new Set([0, 19, 20]);

/** Every message the bot wrote anywhere, ephemeral interaction answers included. */
function botWrites(h: BotHarness): MessageView[] {
  const channels = [h.world.channelId, ...h.emu.threads().map((t) => t.id)];
  const inChannels = channels.flatMap((id) => h.emu.messages(id, { includeDeleted: true }));
  const answers = h.emu
    .interactions()
    .flatMap((i) => [i.original, ...i.followUps])
    .filter((m): m is MessageView => m !== null);
  const byId = new Map([...inChannels, ...answers].map((m) => [m.id, m]));
  return [...byId.values()].filter((m) => m.author.bot && WRITTEN_TYPES.has(m.type));
}

const visible = (text: string) =>
  text.replace(/^<system-reminder>[\s\S]*?<\/system-reminder>/, "").replace(/[\u200b-\u200d]/g, "");

describe("mentions never ping", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("@everyone and <@user> in a prompt and in the answer are shown neutralised and ping nobody", async () => {
    const prompt = `@everyone look, and <@${h.bob}> too: ping test`;
    const answer = `Done, @everyone! Thanks <@${h.bob}>. ping answer`;
    h.model.on("ping test", reply(answer));
    h.model.on("once more", reply(`@here <@${h.alice}> second answer`));
    const { thread } = await h.launch(prompt);
    const posted = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("ping answer"),
      { timeoutMs: RUN_WAIT_MS },
    );
    const idle = await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.text.includes("ping answer"),
    );
    const queued = await h.command(h.alice, thread.id, "say", {
      prompt: `@everyone once more <@${h.bob}>`,
    });
    expect(answerText(queued)).toMatch(/Queued/);
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("second answer"),
      { timeoutMs: RUN_WAIT_MS },
    );

    // Shown neutralised wherever Discord renders mentions: message content, and the dashboard's prompt
    // field (embed titles and code blocks render mention syntax as plain text anyway).
    const promptField = idle.message.embeds[0]?.fields?.find((f) => /prompt/i.test(f.name))?.value ?? "";
    expect(promptField).toContain("look, and");
    for (const text of [posted.content, promptField, answerText(queued)]) {
      expect(text).toMatch(/@\u200beveryone/);
      expect(text).not.toMatch(/@everyone/);
      expect(text).not.toContain(`<@${h.bob}>`);
    }
    // The agent still got the words as written.
    const promptSent = h.model.requests.some((r) =>
      (r.messages ?? []).some((m) => m.role === "user" && visible(contentText(m.content)) === prompt),
    );
    expect(promptSent).toBe(true);

    // Every write of every bot message asked Discord to parse no mention, and none pinged.
    const writes = botWrites(h);
    expect(writes.length).toBeGreaterThan(3);
    for (const message of writes) {
      expect(message.mentionIds, `message ${message.id}`).toEqual([]);
      for (const version of message.history) {
        expect(version.allowedMentions, `a write of message ${message.id}: ${version.content}`).toEqual(
          expect.objectContaining({ parse: [] }),
        );
        expect(version.allowedMentions?.users ?? []).toEqual([]);
      }
    }
  });
});

describe("terminal colour never reaches Discord", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const ESC = "\u001b";
  /** An escape sequence, or what is left of one when only its ESC is removed (`[32m`). */
  const REMAINS = /[\u001b\u009b]|\[\d+(;\d+)*m/;

  it("an answer in colour is posted as plain words: no escape sequence or `[32m` remains anywhere the bot wrote", {
    timeout: 240_000,
  }, async () => {
    const answer = `${ESC}[32mgreen answer${ESC}[0m and ${ESC}[1;31mbold red${ESC}[0m`;
    h.model.on("colour test", reply(answer));
    h.model.on("colour follow-up", reply(`${ESC}[33msecond${ESC}[0m answer`));
    const { thread } = await h.launch(`${ESC}[35mcolour test${ESC}[0m please`);
    const posted = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("bold red"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(posted.content).toBe("green answer and bold red");
    const queued = await h.command(h.alice, thread.id, "say", {
      prompt: `${ESC}[36mcolour follow-up${ESC}[0m`,
    });
    expect(answerText(queued)).toContain("colour follow-up");
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("second answer"),
      { timeoutMs: RUN_WAIT_MS },
    );
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("second answer"));

    expect(h.emu.channel(thread.id)?.name).toBe("Run: colour test please");
    const writes = botWrites(h);
    expect(writes.length).toBeGreaterThan(3);
    for (const message of writes) {
      for (const version of message.history) {
        expect(
          JSON.stringify([version.content, version.embeds]),
          `a write of message ${message.id}`,
        ).not.toMatch(REMAINS);
      }
    }
  });
});

describe("a long prompt", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ env: { OMPCORD_PROMPT_MAX_CHARS: "200000" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a 150 KB prompt, allowed by a raised limit, reaches the model intact through stdin", async () => {
    const lines = Array.from({ length: 2_500 }, (_, i) => `line ${i} — ünïcödé ✓ ${"x".repeat(40)}`);
    const prompt = `long prompt test\n${lines.join("\n")}`.slice(0, 150 * 1024);
    expect(Buffer.byteLength(prompt, "utf8")).toBeGreaterThan(128 * 1024);
    h.model.on("long prompt test", reply("Read it all."));
    const view = await h.command(h.alice, h.world.channelId, "new", { prompt, name: "long one" });
    expect(answerText(view)).toMatch(/Session started/);
    await h.emu.waitForMessage((m) => m.author.bot && m.content.includes("Read it all."), {
      timeoutMs: RUN_WAIT_MS,
    });
    const received = h.model
      .requestsMatching("long prompt test")
      .flatMap((r) =>
        (r.messages ?? []).filter((m) => m.role === "user").map((m) => visible(contentText(m.content))),
      );
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.length).toBe(prompt.length);
    expect(received[0]).toBe(prompt);
  });
});
