// Approvals nobody answers in time, under the `all` policy with pings off; a bot killed while a card waits (the card is expired at
// the next start, never approved).

import type { MessageView } from "@ompcord/discord-emulator";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, EVENT_WAIT_MS, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import type { BotProcess } from "../support/bot-process.js";
import { type ChatRequest, contentText } from "../support/fake-model/index.js";

function toolResults(requests: readonly ChatRequest[]): string {
  return requests
    .flatMap((r) => r.messages ?? [])
    .filter((m) => m.role === "tool")
    .map((m) => contentText(m.content))
    .join("\n");
}

const footer = (m: MessageView) => m.embeds[0]?.footer?.text ?? "";
const open = (m: MessageView) => (m.components?.length ?? 0) > 0;
/** The message once its buttons are gone (decided, timed out, cancelled or expired). */
const closed = (h: BotHarness, id: string, what: string) =>
  h.emu.waitFor(
    () => {
      const now = h.emu.message(id);
      return now && !open(now) ? now : undefined;
    },
    { timeoutMs: RUN_WAIT_MS, what },
  );

describe("the all policy, a short timeout, no pings", () => {
  let h: BotHarness;

  beforeAll(async () => {
    h = await startBotHarness({
      env: { OMPCORD_APPROVALS: "all", OMPCORD_APPROVAL_TIMEOUT: "5s", OMPCORD_PINGS: "false" },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a read asks under `all`; nobody decides: denied as timed out, the agent is told, nobody is pinged", async () => {
    h.model.on("read under all", [
      { kind: "tool", name: "read", args: { path: "notes.txt" } },
      { kind: "text", text: "read done" },
    ]);
    const { thread } = await h.launch("read under all");
    const card = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && footer(m).startsWith("Approval ") && open(m),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(card.embeds[0]?.title).toContain("read");
    expect(card.content).toBe("");
    expect(card.allowedMentions?.users ?? []).toEqual([]);
    const settled = await closed(h, card.id, "the card timed out");
    expect(settled.embeds[0]?.fields?.find((f) => f.name === "Decision")?.value).toMatch(
      /No decision in time: denied/,
    );
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("read done"), {
      timeoutMs: RUN_WAIT_MS,
    });
    // Pings are off: nothing the bot posted in the thread may mention anyone.
    const mentioning = h.emu
      .messages(thread.id)
      .filter((m) => m.author.bot && (m.allowedMentions?.users?.length ?? 0) > 0);
    expect(mentioning).toEqual([]);
    expect(toolResults(h.model.requestsMatching("read under all"))).toMatch(
      /No one approved this tool call within 5s, so it was denied/,
    );
  });
  it("a question nobody answers in time: the agent is told no answer came, the question says so", async () => {
    h.model.on("ask and wait", [
      {
        kind: "tool",
        name: "ask",
        args: { question: "Which port?", options: [{ label: "80" }, { label: "8080" }] },
      },
      { kind: "text", text: "went on without an answer" },
    ]);
    const { thread } = await h.launch("ask and wait");
    const question = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && footer(m).startsWith("Question ") && open(m),
      { timeoutMs: RUN_WAIT_MS },
    );
    const settled = await closed(h, question.id, "the question timed out");
    expect(JSON.stringify(settled.embeds)).toMatch(/[Nn]o answer/);
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes("went on without an answer"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(toolResults(h.model.requestsMatching("ask and wait"))).toMatch(/No answer within 5s/);
  });
});

describe("a bot killed while a card waits", () => {
  let h: BotHarness;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    h = await startBotHarness({ env: { OMPCORD_APPROVALS: "writes" } });
    await h.app?.stop({ graceMs: 0 });
    h.app = undefined;
  });
  afterAll(async () => {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      // Killed once the card's message is on record (the bot stores it as Discord answers the post).
      const db = new Database(h.config.databasePath, { readonly: true, fileMustExist: true });
      await h.emu.waitFor(
        () => db.prepare("SELECT message_id FROM decisions WHERE message_id IS NOT NULL").get(),
        { timeoutMs: EVENT_WAIT_MS, what: "the card's message on record" },
      );
      db.close();
      bot.child.kill("SIGKILL");
      await bot.exited;
    }
    await h?.close();
  });

  it("the next start marks the card expired, without buttons, and nothing ran", async () => {
    h.model.on("crash while waiting", [
      { kind: "tool", name: "bash", args: { command: "echo must-not-run-after-crash" } },
      { kind: "text", text: "crash done" },
    ]);
    bot = await h.spawnBot();
    const { thread } = await h.launch("crash while waiting");
    const card = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && footer(m).startsWith("Approval ") && open(m),
      { timeoutMs: RUN_WAIT_MS },
    );
    // Killed once the card's message is on record (the bot stores it as Discord answers the post).
    const db = new Database(h.config.databasePath, { readonly: true, fileMustExist: true });
    await h.emu.waitFor(
      () => db.prepare("SELECT message_id FROM decisions WHERE message_id IS NOT NULL").get(),
      { timeoutMs: EVENT_WAIT_MS, what: "the card's message on record" },
    );
    db.close();
    bot.child.kill("SIGKILL");
    await bot.exited;
    await h.startApp();
    const expired = await h.emu.waitFor(
      () => {
        const now = h.emu.message(card.id);
        return now && !open(now) ? now : undefined;
      },
      { timeoutMs: EVENT_WAIT_MS, what: "the card expired" },
    );
    expect(expired.embeds[0]?.title).toMatch(/Expired/);
    const rows = h.app!.store.sqlite.prepare("SELECT outcome FROM decisions").all();
    expect(rows).toEqual([{ outcome: "expired" }]);
    expect(toolResults(h.model.requestsMatching("crash while waiting"))).not.toContain(
      "must-not-run-after-crash",
    );
  });
});
