// Starting sessions as a person does: 🚀 on a message in the launch channel, or `/omp new`. Real omp
// against the fake model; what is asserted is what the person sees in Discord.

import type { MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_STATES } from "../../src/dashboard/index.js";
import {
  answerText,
  type BotHarness,
  type DashboardReading,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  readDashboard,
  startBotHarness,
} from "../support/bot-harness.js";
import { heldReply, reply } from "../support/fake-model/index.js";

/** The value of the dashboard field called `name`, or undefined when the dashboard has none. */
function fieldValue(reading: DashboardReading, name: string): string | undefined {
  return reading.message.embeds[0]?.fields?.find((f) => f.name === name)?.value;
}

/** Every colour the message's embed has had, in order, without repeats in a row. */
function colourHistory(message: MessageView): number[] {
  const colours: number[] = [];
  for (const version of message.history) {
    const colour = version.embeds[0]?.color;
    if (colour !== undefined && colours.at(-1) !== colour) colours.push(colour);
  }
  return colours;
}

describe("launching sessions", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("🚀 on a message opens `Run: <first words>` from it; the pinned dashboard goes Busy then Idle and the answer is posted", async () => {
    const answer = "The fizzbuzz loop counts from one to fifteen and prints words for multiples.";
    // Held mid-answer until the dashboard has shown Busy, however slow the machine.
    const held = heldReply(
      "The fizzbuzz loop counts ",
      "from one to fifteen and prints words for multiples.",
    );
    h.model.on("explain the fizzbuzz", held.step);
    const { thread, dashboard, message } = await h.launch("explain the fizzbuzz loop in main.ts");

    expect(thread.name).toBe("Run: explain the fizzbuzz loop in main.ts");
    expect(thread.parentId).toBe(h.world.channelId);
    expect(thread.starterMessageId ?? thread.id).toBe(message.id);
    expect(dashboard.author.bot).toBe(true);
    expect(dashboard.pinned).toBe(true);

    const busy = await h.waitForDashboard(thread.id, (d) => d.state === "busy");
    expect(busy.message.embeds[0]?.color).toBe(0x5865f2);
    expect(busy.text).toContain("explain the fizzbuzz loop in main.ts");
    expect(fieldValue(busy, "Run")).toBe("#1");
    held.release();

    const idle = await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
    expect(idle.message.embeds[0]?.color).toBe(0x2ecc71);
    expect(idle.message.id).toBe(dashboard.id);
    expect(idle.text).toContain("explain the fizzbuzz loop in main.ts");
    expect(fieldValue(idle, "Run")).toBe("#1");
    expect(fieldValue(idle, "Tokens")).toMatch(/^[1-9][\d,]*$/);
    // One dashboard, edited in place: it was Busy before it was Idle.
    expect(colourHistory(idle.message)).toEqual(
      expect.arrayContaining([DASHBOARD_STATES.busy.color, DASHBOARD_STATES.idle.color]),
    );
    const colours = colourHistory(idle.message);
    expect(colours.lastIndexOf(DASHBOARD_STATES.busy.color)).toBeLessThan(
      colours.lastIndexOf(DASHBOARD_STATES.idle.color),
    );
    expect(h.emu.pins(thread.id).map((m) => m.id)).toEqual([dashboard.id]);

    const posted = await h.emu.waitFor(() => h.botPosts(thread.id).find((m) => m.content.includes(answer)), {
      timeoutMs: EVENT_WAIT_MS,
      what: "the answer in the thread",
    });
    expect(posted.pinned).toBe(false);
    expect(posted.embeds).toEqual([]);
    expect(posted.mentionIds).toEqual([]);
  });

  it("a long multi-line answer with a code block is posted in messages of at most 2000 characters, each code block closed and reopened", async () => {
    const intro = Array.from(
      { length: 12 },
      (_, i) => `Paragraph ${i + 1} explains one more step of the refactor in plain words, at some length.`,
    ).join("\n\n");
    const code = Array.from(
      { length: 90 },
      (_, i) => `  const value${String(i).padStart(2, "0")} = compute(${i}, "some argument text");`,
    );
    const outro = "That is the whole change; run the tests to check it.";
    const answer = `${intro}\n\n\`\`\`ts\nfunction refactored() {\n${code.join("\n")}\n}\n\`\`\`\n\n${outro}`;
    expect(answer.length).toBeGreaterThan(5000);
    h.model.on("write the long refactor", reply(answer, { chunkSize: 700 }));

    h.emu.resetCounters();
    const { thread } = await h.launch("write the long refactor please");
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
    const posts = await h.emu.waitFor(
      () => {
        const all = h.botPosts(thread.id);
        return all.some((m) => m.content.includes(outro)) ? all : undefined;
      },
      { timeoutMs: EVENT_WAIT_MS, what: "the whole long answer" },
    );

    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const post of posts) {
      expect(post.content.length).toBeLessThanOrEqual(2000);
      // Every message renders on its own: its fences pair up.
      expect((post.content.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    const text = posts.map((p) => p.content).join("\n");
    // Every code line arrives once, in order, inside a `ts` block.
    let from = 0;
    for (const line of code) {
      const at = text.indexOf(line, from);
      expect(at, `code line ${JSON.stringify(line)} missing or out of order`).toBeGreaterThanOrEqual(0);
      from = at + line.length;
    }
    for (const line of code) {
      const holder = posts.filter((p) => p.content.includes(line));
      expect(holder).toHaveLength(1);
      const content = holder[0]!.content;
      const before = content.slice(0, content.indexOf(line));
      expect((before.match(/^```/gm) ?? []).length % 2, `${line} is outside a code block`).toBe(1);
    }
    const codePosts = posts.filter((p) => code.some((line) => p.content.includes(line)));
    expect(codePosts.length).toBeGreaterThanOrEqual(2);
    for (const post of codePosts.slice(1)) {
      expect(post.content.startsWith("```ts\n")).toBe(true);
    }
    expect(text).toContain("Paragraph 12 explains");
    // Six writes in the thread within seconds (dashboard, edits, answer parts): paced, never refused.
    expect(h.emu.counters.rateLimitedByRoute).toEqual({});
  });

  it("`/omp new prompt:… name:…` opens a standalone `Session: <name>` thread with its pinned dashboard and posts the answer", async () => {
    h.model.on("list the open todos", reply("There are three TODOs left in src/."));
    const handle = h.emu.as(h.alice).runCommand({
      channelId: h.world.channelId,
      name: "omp",
      subcommand: "new",
      options: { prompt: "list the open todos", name: "todo sweep" },
    });
    const thread = await h.emu.waitForThread((t) => t.name === "Session: todo sweep", {
      timeoutMs: EVENT_WAIT_MS,
    });
    expect(thread.parentId).toBe(h.world.channelId);
    expect(thread.starterMessageId).toBeNull();

    const view = await handle.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    expect(view.original?.ephemeral ?? false).toBe(false);
    expect(answerText(view)).toContain(`<#${thread.id}>`);

    const dashboard = await h.emu.waitFor(() => h.dashboard(thread.id), {
      timeoutMs: EVENT_WAIT_MS,
      what: "pinned dashboard",
    });
    expect(readDashboard(dashboard).text).toContain("Session: todo sweep");
    const idle = await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));
    expect(idle.text).toContain("list the open todos");
    const posted = await h.emu.waitFor(
      () => h.botPosts(thread.id).find((m) => m.content.includes("There are three TODOs left in src/.")),
      { timeoutMs: EVENT_WAIT_MS, what: "the answer in the thread" },
    );
    expect(posted.pinned).toBe(false);
  });

  it("`/omp new` without a name titles the thread `Session: <first words>`, cut to Discord's 100 characters", async () => {
    const prompt =
      `summarise the changelog ${"and every release note since the first tag ".repeat(4)}`.trim();
    h.model.on("summarise the changelog", reply("Twelve releases, mostly fixes."));
    const view = await h.command(h.alice, h.world.channelId, "new", { prompt });
    const thread = await h.emu.waitForThread(
      (t) => t.parentId === h.world.channelId && t.name.startsWith("Session: summarise the changelog"),
      { timeoutMs: EVENT_WAIT_MS },
    );
    expect(thread.name.length).toBeLessThanOrEqual(100);
    expect(thread.name).toMatch(/…$/);
    expect(prompt.startsWith(thread.name.slice("Session: ".length, -1).trimEnd())).toBe(true);
    expect(answerText(view)).toContain(`<#${thread.id}>`);
    await h.emu.waitFor(
      () => h.botPosts(thread.id).find((m) => m.content.includes("Twelve releases, mostly fixes.")),
      { timeoutMs: RUN_WAIT_MS, what: "the answer in the thread" },
    );
  });
});
