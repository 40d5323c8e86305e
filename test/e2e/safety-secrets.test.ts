// Secrets never leave the bot (SPEC §6) and omp's child never gets them (SPEC §2): a tool printing a
// (fake) API key and the bot token is masked in the dashboard, the posted answer, the transcript and the
// database; the child's environment has no DISCORD_BOT_TOKEN even when the bot's own process has it.

import { existsSync, readFileSync } from "node:fs";
import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { bashThenReply, contentText, httpError, reply } from "../support/fake-model/index.js";

/** A fake OpenAI-style key: the shape of a real one, valid nowhere. */
const FAKE_API_KEY = "sk-proj-FAKEfakeFAKEfake0123456789abcdefFAKE";

describe("secrets", () => {
  let h: BotHarness;
  let token: string;
  let threadId: string;

  beforeAll(async () => {
    // As deployed: DISCORD_BOT_TOKEN and the rest of the configuration are in the bot's environment.
    h = await startBotHarness({ configInProcessEnv: true });
    token = h.emu.botToken;
    h.model.on(
      "show me the environment",
      bashThenReply(
        `echo "fake key (test only): ${FAKE_API_KEY}"; echo "bot token: ${token}"; env | sort`,
        `The key is ${FAKE_API_KEY} and the token is ${token}. secrets answer`,
      ),
    );
    const { thread } = await h.launch("show me the environment");
    threadId = thread.id;
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.author.bot && m.content.includes("secrets answer"),
      { timeoutMs: RUN_WAIT_MS },
    );
    await h.waitForDashboard(threadId, (d) => d.state === "idle");
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectMasked = (where: string, text: string) => {
    expect(text, where).not.toContain(FAKE_API_KEY);
    expect(text, where).not.toContain(token);
  };

  it("omp's child never sees DISCORD_BOT_TOKEN: the tool's `env` output the model received lacks it", () => {
    // The bash tool's output goes back to the model as the tool result: that is the child's environment.
    const toolResults = h.model.requests
      .flatMap((r) => r.messages ?? [])
      .filter((m) => m.role === "tool")
      .map((m) => contentText(m.content));
    const envDump = toolResults.find((t) => t.includes("OMPCORD_SESSION_ID="));
    expect(envDump, "the tool printed its environment").toBeDefined();
    // (The token does appear once: the model's own command echoed it. No variable holds it.)
    expect(envDump).not.toMatch(/^DISCORD_/m);
    expect(envDump).not.toMatch(new RegExp(`^[A-Z_]+=${token}`, "m"));
    expect(envDump).not.toMatch(/^OMPCORD_(DATA_DIR|API_PORT)=/m);
  });

  it("the dashboard never showed the fake key or the bot token, in any of its edits", () => {
    const dashboard = h.dashboard(threadId)!;
    expect(dashboard.history.length).toBeGreaterThan(1);
    const everything = JSON.stringify(dashboard.history);
    expect(everything).toContain("[REDACTED]");
    expectMasked("dashboard", everything);
  });

  it("the posted answer and any attachment mask the fake key and the bot token", () => {
    const posts: MessageView[] = h.botPosts(threadId);
    const answer = posts.find((m) => m.content.includes("secrets answer"))!;
    expect(answer.content).toContain("[REDACTED]");
    for (const post of posts) {
      expectMasked(`post ${post.id}`, JSON.stringify(post.history));
      for (const attachment of post.attachments) {
        expectMasked(attachment.filename, h.emu.attachmentBytes(attachment.id).toString("utf8"));
      }
    }
  });

  it("the transcript file masks the fake key and the bot token", () => {
    const runs = h.app!.store.sqlite.prepare("SELECT transcript_path FROM runs").all() as {
      transcript_path: string | null;
    }[];
    const paths = runs.map((r) => r.transcript_path).filter((p): p is string => p !== null && existsSync(p));
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      const transcript = readFileSync(path, "utf8");
      expect(transcript).toContain("[REDACTED]");
      expectMasked(path, transcript);
    }
  });

  it("the database (runs, prompts, events, sessions) holds neither the fake key nor the bot token", () => {
    const sqlite = h.app!.store.sqlite;
    for (const table of ["runs", "events", "prompts", "sessions", "steering"]) {
      const rows = sqlite.prepare(`SELECT * FROM ${table}`).all();
      expectMasked(table, JSON.stringify(rows));
    }
    // The run did end up in the store, with its error column (where omp's stderr lands) clean.
    expect(sqlite.prepare("SELECT count(*) AS n FROM runs").get()).toEqual({ n: 1 });
  });

  it("the bot's log masks the fake key and the bot token, even in a line that carries both", () => {
    // Nothing in this run logs output; a line that does carry secrets proves the app's logger redacts.
    h.app!.ctx.logger.warn({ detail: `key ${FAKE_API_KEY} token ${token}` }, `probe ${FAKE_API_KEY}`);
    const log = h.logText();
    expect(log).toContain("session opened");
    expect(log).toContain("probe [REDACTED]");
    expectMasked("bot.log", log);
  });
});

describe("secrets in errors and prompts", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a provider error quoting a fake key is masked on the dashboard, in the failure note and in runs.error", async () => {
    h.model.on("provider error", httpError(401, `invalid api key ${FAKE_API_KEY}`));
    const { thread } = await h.launch("provider error please");
    const degraded = await h.waitForDashboard(thread.id, (d) => d.state === "degraded");
    expect(degraded.text).toContain("invalid api key [REDACTED]");
    const note = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("Run #1 failed"),
      { timeoutMs: EVENT_WAIT_MS },
    );
    expect(note.content).toContain("[REDACTED]");
    expect(JSON.stringify(h.dashboard(thread.id)!.history)).not.toContain(FAKE_API_KEY);
    expect(note.content).not.toContain(FAKE_API_KEY);
    const runs = JSON.stringify(h.app!.store.sqlite.prepare("SELECT * FROM runs").all());
    expect(runs).toContain("invalid api key [REDACTED]");
    expect(runs).not.toContain(FAKE_API_KEY);
  });

  it("a fake key pasted into a prompt reaches the model but not the thread name, dashboard, acknowledgement or queue", async () => {
    h.model.on("use this key", reply("Noted. pasted key answer"));
    const { thread } = await h.launch(`use this key ${FAKE_API_KEY} to call the API`);
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes("pasted key answer"), {
      timeoutMs: RUN_WAIT_MS,
    });
    const idle = await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.text.includes("pasted key"),
    );
    expect(h.emu.channel(thread.id).name).toBe("Run: use this key [REDACTED] to call the API");
    expect(idle.text).toContain("use this key [REDACTED] to call the API");
    expect(JSON.stringify(idle.message.history)).not.toContain(FAKE_API_KEY);
    // What the person asked for still happens: the agent gets the key they gave it.
    expect(JSON.stringify(h.model.requestsMatching("use this key"))).toContain(FAKE_API_KEY);

    // The follow-up's acknowledgement and the queue listing quote prompts too.
    h.model.on("also try", { kind: "hang" });
    const said = await h.command(h.alice, thread.id, "say", { prompt: `also try ${FAKE_API_KEY}` });
    expect(answerText(said)).toContain("also try [REDACTED]");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    const queue = await h.command(h.alice, thread.id, "queue");
    expect(answerText(queue)).toContain("also try [REDACTED]");
    for (const view of [said, queue]) expect(answerText(view)).not.toContain(FAKE_API_KEY);
    await h.command(h.alice, thread.id, "stop");
  });
});

describe("secrets with the fake omp", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ omp: "fake", configInProcessEnv: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the child's arguments carry no Discord token (fake omp `args`)", async () => {
    const { thread } = await h.launch("args");
    const answer = await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.author.bot && m.content.includes("--mode"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(answer.content).not.toContain(h.emu.botToken);
    expect(answer.content).not.toContain("DISCORD");
  });

  it("a key printed in a tool result is masked on the dashboard and in the transcript (fake omp `secret`)", async () => {
    const { thread } = await h.launch("secret");
    const done = await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("done"));
    const fakeKey = "sk-proj-FAKEfakeFAKEfake0123456789abcdef";
    expect(JSON.stringify(done.message.history)).not.toContain(fakeKey);
    const transcript = (
      h.app!.store.sqlite.prepare("SELECT transcript_path FROM runs ORDER BY started_at DESC").get() as {
        transcript_path: string;
      }
    ).transcript_path;
    const text = readFileSync(transcript, "utf8");
    expect(text).toContain("OPENAI_API_KEY=");
    expect(text).not.toContain(fakeKey);
  });
});
