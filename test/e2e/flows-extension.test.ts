// The OMP extension in a bot run started as a person starts one (🚀): the agent's `discord_notify`
// lands in its own thread, mention-safe; the run holds its own sidecar token (never the bot's), which
// is masked wherever output is shown and refused once the run is over; the context use it reported is
// kept on the run.

import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { contentText } from "../support/fake-model/index.js";

describe("the extension in a bot run", () => {
  let h: BotHarness;
  let threadId: string;
  let envDump: string;
  let runToken: string;

  beforeAll(async () => {
    h = await startBotHarness();
    h.model.on("tell the thread and show the env", [
      { kind: "tool", name: "discord_notify", args: { text: "Halfway there @everyone" } },
      { kind: "tool", name: "bash", args: { command: "env | sort" } },
      {
        kind: "text",
        text: "extension answer",
        usage: { prompt_tokens: 20_000, completion_tokens: 160 },
      },
    ]);
    const { thread } = await h.launch("tell the thread and show the env");
    threadId = thread.id;
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.author.bot && m.content.includes("extension answer"),
      { timeoutMs: RUN_WAIT_MS },
    );
    await h.waitForDashboard(threadId, (d) => d.state === "idle");
    envDump =
      h.model.requests
        .flatMap((r) => r.messages ?? [])
        .filter((m) => m.role === "tool")
        .map((m) => contentText(m.content))
        .find((text) => text.includes("OMPCORD_SESSION_ID=")) ?? "";
    runToken = /^OMPCORD_RUN_TOKEN=(\S+)$/m.exec(envDump)?.[1] ?? "";
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the agent's notice is posted in its own thread, and pings nobody", async () => {
    const notice = await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.author.bot && m.content.includes("Halfway there"),
      { timeoutMs: RUN_WAIT_MS },
    );
    expect(notice.content).toBe("📣 Halfway there @\u200beveryone");
  });

  it("the run holds a token of its own, never the bot's API token", () => {
    expect(runToken).toMatch(/^ompcord_run_[A-Za-z0-9_-]{43}$/);
    expect(envDump).not.toContain(h.config.api.token);
    expect(envDump).not.toMatch(/^OMPCORD_API_TOKEN=/m);
  });

  it("the run's token is masked in the thread, the dashboard and the transcript", () => {
    const shown = [
      JSON.stringify(h.dashboard(threadId)?.history),
      JSON.stringify(h.botPosts(threadId).map((post) => post.history)),
    ];
    const runs = h.app!.store.sqlite.prepare("SELECT transcript_path FROM runs").all() as {
      transcript_path: string | null;
    }[];
    for (const { transcript_path: path } of runs)
      if (path && existsSync(path)) shown.push(readFileSync(path, "utf8"));
    expect(shown.join("\n")).toContain("OMPCORD_RUN_TOKEN=[REDACTED]");
    for (const text of shown) expect(text).not.toContain(runToken);
  });

  it("the run's token is refused once the run is over", async () => {
    const response = await fetch(`${h.app!.sidecar.url}/api/commands/poll?session_id=x`, {
      headers: { authorization: `Bearer ${runToken}` },
    });
    expect(response.status).toBe(401);
  });

  it("the dashboard shows the context use the extension reported", async () => {
    const dashboard = await h.waitForDashboard(threadId, (d) => d.text.includes("Context: "));
    expect(dashboard.text).toMatch(/Context: 63 % · 20,\d{3} of 32,000 tokens/);
  });

  it("the context use the extension reported is kept on the run", () => {
    const run = h.app!.store.sqlite.prepare("SELECT context_tokens, context_window FROM runs").get() as {
      context_tokens: number | null;
      context_window: number | null;
    };
    expect(run.context_window).toBe(32_000);
    expect(Math.round(((run.context_tokens ?? 0) / 32_000) * 100)).toBe(63);
  });
});
