import type { MessageCreateOptions, MessageEditOptions } from "discord.js";
import { describe, expect, it } from "vitest";
import { parseDashboardCustomId } from "../../src/dashboard/custom-ids.js";
import { renderDashboard, renderTail } from "../../src/dashboard/render.js";
import { type DashboardView, initialDashboardView } from "../../src/dashboard/view.js";
import { embedProblems } from "../support/embed-problems.js";

const now = new Date("2026-01-01T12:00:00Z");

function view(overrides: Partial<DashboardView> = {}): DashboardView {
  return {
    ...initialDashboardView({ sessionId: "s-1", sessionName: "Run: fix the build" }),
    ...overrides,
  };
}

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD = [
  "```",
  "`",
  "😀",
  "\u0000",
  "\r",
  "\n",
  "@everyone",
  "<@123>",
  "é",
  "\ud800",
  " ",
  "\t",
  "x".repeat(3000),
  "**",
];

function oddString(rand: () => number, maxParts: number): string {
  const parts = Math.floor(rand() * maxParts);
  return Array.from({ length: parts }, () => ODD[Math.floor(rand() * ODD.length)]).join("");
}

describe("renderDashboard", () => {
  it("uses the colour and emoji of each state from SPEC §1", () => {
    const expected = {
      idle: [0x2ecc71, "🟢"],
      busy: [0x5865f2, "🔵"],
      waiting: [0xf1c40f, "🟡"],
      degraded: [0xe67e22, "🟠"],
      failed: [0xe74c3c, "🔴"],
    } as const;
    for (const [state, [color, emoji]] of Object.entries(expected)) {
      const embed = renderDashboard(view({ state: state as DashboardView["state"] }), now).embeds[0];
      expect(embed.color).toBe(color);
      expect(embed.title).toBe(`${emoji} Run: fix the build`);
    }
  });

  it("shows prompt, author, run number, elapsed, queue depth, tokens, cost and last tool while busy", () => {
    const payload = renderDashboard(
      view({
        state: "busy",
        prompt: { text: "fix the build", authorId: "42" },
        runNumber: 3,
        runStartedAt: new Date(now.getTime() - 75_000),
        queueDepth: 2,
        tokens: 12345,
        cost: 0.42,
        lastTool: "bash: npm test",
        tail: ["▶ bash: npm test", "✓ 12 passed"],
      }),
      now,
    );
    const fields = Object.fromEntries(payload.embeds[0].fields!.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({
      State: "Busy",
      Run: "#3",
      Elapsed: `started <t:${now.getTime() / 1000 - 75}:R>`,
      Queue: "2 waiting",
      Tokens: "12,345",
      Cost: "$0.42",
      "Last tool": "`bash: npm test`",
      Prompt: "> fix the build\nqueued by <@42>",
    });
    expect(payload.embeds[0].description).toBe("```\n▶ bash: npm test\n✓ 12 passed\n```");
    expect(payload.embeds[0].footer?.text).toBe("Session s-1");
  });

  it("a running prompt's elapsed time stays true between edits: Discord counts it from the start", () => {
    // A quiet tool gets no edit for up to 15 s; a number painted at the start would say 0s all along.
    const running = view({ state: "busy", runStartedAt: now, runNumber: 1 });
    const elapsedAt = (at: Date) =>
      renderDashboard(running, at).embeds[0].fields!.find((f) => f.name === "Elapsed")!.value;
    expect(elapsedAt(now)).toBe(`started <t:${now.getTime() / 1000}:R>`);
    expect(elapsedAt(new Date(now.getTime() + 7_000))).toBe(elapsedAt(now));
  });

  it("a run that ended, cancelled after 7 s, shows exactly how long it ran", () => {
    const started = new Date(now.getTime() - 60_000);
    const ended = view({
      state: "degraded",
      runNumber: 1,
      runStartedAt: started,
      runEndedAt: new Date(started.getTime() + 7_400),
      note: "The last run was cancelled.",
    });
    const fields = Object.fromEntries(
      renderDashboard(ended, now).embeds[0].fields!.map((f) => [f.name, f.value]),
    );
    expect(fields.Elapsed).toBe("7s");
  });

  it("a prompt about to run is shown Busy and starting, never Idle, with nothing to cancel yet", () => {
    const payload = renderDashboard(
      view({
        state: "busy",
        prompt: { text: "fix it", authorId: "42" },
        pending: { waitingForSlot: undefined },
      }),
    );
    const fields = Object.fromEntries(payload.embeds[0].fields!.map((f) => [f.name, f.value]));
    expect(payload.embeds[0].title).toBe("🔵 Run: fix the build");
    expect(fields).toMatchObject({
      State: "Busy",
      Run: "#1, starting",
      Elapsed: "starting",
      Queue: "0 waiting",
    });
    expect(fields.Prompt).toBe("> fix it\nqueued by <@42>");
    expect(fields.Queued).toBeUndefined();
    expect(payload.components[0]!.components[0]!.disabled).toBe(true);
  });

  it("a prompt waiting for a global slot says how many slots are in use, and counts only those behind it", () => {
    const payload = renderDashboard(
      view({
        state: "busy",
        prompt: { text: "fix it", authorId: "42" },
        runNumber: 2,
        queueDepth: 3,
        pending: { waitingForSlot: { inUse: 2, max: 2 } },
      }),
    );
    const fields = Object.fromEntries(payload.embeds[0].fields!.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ Run: "#3, queued", Queue: "2 waiting" });
    expect(fields.Queued).toMatch(/^Waiting for a free run slot \(2 of 2 in use\)/);
  });

  it("a queued prompt behind a run waiting for a usage reset says that run keeps the slot", () => {
    const payload = renderDashboard(
      view({
        state: "busy",
        prompt: { text: "fix it", authorId: "42" },
        queueDepth: 1,
        pending: { waitingForSlot: { inUse: 2, max: 2, usageWaits: 1 } },
      }),
    );
    const queued = payload.embeds[0].fields!.find((f) => f.name === "Queued")?.value;
    expect(queued).toBe(
      "Waiting for a free run slot (2 of 2 in use; 1 of them is waiting for a usage limit to reset); it starts as soon as one frees up.",
    );
  });

  it("a run waiting for a usage limit shows ⏳ when it resumes, in each reader's time, and a Stop waiting button", () => {
    const resumesAt = new Date("2026-01-01T17:00:00Z");
    const seconds = resumesAt.getTime() / 1000;
    const running = view({
      state: "busy",
      prompt: { text: "fix it", authorId: "42" },
      runNumber: 1,
      runStartedAt: now,
    });
    const payload = renderDashboard({ ...running, usageWait: { resumesAt } });
    expect(payload.embeds[0].fields!.find((f) => f.name === "Paused")?.value).toBe(
      `⏳ usage limit: resumes <t:${seconds}:t> (<t:${seconds}:R>)`,
    );
    const buttons = payload.components[0]!.components;
    const stopWaiting = buttons.find((b) => b.label === "Stop waiting");
    expect(stopWaiting?.disabled).toBeFalsy();
    expect(parseDashboardCustomId(stopWaiting!.custom_id)).toEqual({ action: "stopwait", sessionId: "s-1" });
    expect(buttons.map((b) => b.label)).toEqual(["Stop waiting", "Cancel", "Stop session"]);

    const working = renderDashboard(running);
    expect(working.embeds[0].fields!.some((f) => f.name === "Paused")).toBe(false);
    expect(working.components[0]!.components.map((b) => b.label)).toEqual(["Cancel", "Stop session"]);
  });

  it("says when the answer waits to be delivered, and says nothing when nothing waits", () => {
    const waiting = renderDashboard(view({ delivery: { messages: 2, answer: true } }), now);
    const field = waiting.embeds[0].fields?.find((f) => f.name === "Delivery");
    expect(field?.value).toBe("📨 answer waiting to be delivered (retrying) · 2 messages in all");
    const reply = renderDashboard(view({ delivery: { messages: 1, answer: false } }), now);
    expect(reply.embeds[0].fields?.find((f) => f.name === "Delivery")?.value).toBe(
      "📨 1 message waiting to be delivered (retrying)",
    );
    expect(renderDashboard(view(), now).embeds[0].fields?.some((f) => f.name === "Delivery")).toBe(false);
  });

  it("says what holds a running agent up: a retry's wait and reason, or a compaction", () => {
    const busy = { state: "busy" as const, runStartedAt: now, runNumber: 1 };
    const retrying = renderDashboard(
      view({
        ...busy,
        activity: { kind: "retrying", delayMs: 20_000, reason: "529 overloaded", attempt: 1, maxAttempts: 3 },
      }),
    ).embeds[0].fields;
    expect(retrying).toContainEqual({
      name: "Now",
      value: "⏳ retrying in 20 s (attempt 1 of 3): 529 overloaded",
      inline: false,
    });
    const longWait = renderDashboard(
      view({
        ...busy,
        activity: { kind: "retrying", delayMs: 90_000, reason: "429", attempt: 1, maxAttempts: 2 },
      }),
    ).embeds[0].fields;
    expect(longWait?.find((f) => f.name === "Now")?.value).toBe(
      "⏳ retrying in 1m 30s (attempt 1 of 2): 429",
    );
    const compacting = renderDashboard(view({ ...busy, activity: { kind: "compacting" } })).embeds[0].fields;
    expect(compacting).toContainEqual({ name: "Now", value: "🗜️ compacting…", inline: false });
    // An idle session waits for nothing, whatever a stale view says.
    const idle = renderDashboard(view({ activity: { kind: "compacting" } })).embeds[0].fields;
    expect(idle?.some((f) => f.name === "Now")).toBe(false);
  });

  it("shows the context window in use and the model a retry fell back to", () => {
    const fields = renderDashboard(
      view({ context: { tokens: 20_160, contextWindow: 32_000 }, fallbackModel: "local/small" }),
    ).embeds[0].fields;
    expect(fields).toContainEqual({ name: "Context", value: "63 % · 20,160 of 32,000 tokens", inline: true });
    expect(fields).toContainEqual({ name: "Fallback", value: "fell back to `local/small`", inline: true });
    const none = renderDashboard(view()).embeds[0].fields;
    expect(none?.some((f) => f.name === "Context" || f.name === "Fallback")).toBe(false);
  });

  it("never lets mentions ping: allowedMentions parses nothing and @everyone is neutralised", () => {
    const payload = renderDashboard(
      view({ prompt: { text: "@everyone look", authorId: "1" }, note: "@here" }),
      now,
    );
    expect(payload.allowedMentions).toEqual({ parse: [] });
    expect(JSON.stringify(payload.embeds)).not.toMatch(/@everyone|@here/);
  });

  it("keeps the newest output when the tail does not fit, trimming from the top", () => {
    const tail = Array.from({ length: 40 }, (_, i) => `line ${i} ${"z".repeat(290)}`);
    const description = renderDashboard(view({ state: "busy", tail }), now).embeds[0].description!;
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(description).toContain("line 39 ");
    expect(description).not.toContain("line 0 ");
    expect(description.startsWith("```\nline ")).toBe(true);
  });

  it("escapes backticks in output so the code block cannot break", () => {
    const description = renderTail(["```js", "alert(1)", "```", "text after"], 4096);
    const fences = description.split("\n").filter((line) => line.startsWith("```"));
    expect(fences).toEqual(["```", "```"]);
    expect(description.replace(/\u200b/g, "")).toContain("```js\nalert(1)\n```\ntext after");
  });

  it("keeps the end of a single line longer than the whole description", () => {
    const description = renderTail([`${"a".repeat(10_000)}THE END`], 4096);
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(description.endsWith("THE END\n```")).toBe(true);
  });

  it("says there is no output yet instead of an empty code block", () => {
    expect(renderDashboard(view(), now).embeds[0].description).toBe("*No output yet.*");
  });

  it("enables Cancel only while a prompt runs, and Stop until the session is stopped", () => {
    const buttons = (v: DashboardView) => renderDashboard(v, now).components[0]!.components;
    const [cancelIdle, stopIdle] = buttons(view());
    expect(cancelIdle).toMatchObject({ custom_id: "omp:cancel:s-1", style: 4, disabled: true });
    expect(stopIdle).toMatchObject({ custom_id: "omp:stop:s-1", style: 2, disabled: false });
    const [cancelBusy] = buttons(view({ state: "busy" }));
    expect(cancelBusy!.disabled).toBe(false);
    const [cancelStopped, stopStopped] = buttons(view({ state: "busy", stopped: true }));
    expect(cancelStopped!.disabled).toBe(true);
    expect(stopStopped!.disabled).toBe(true);
  });

  it("round-trips button custom ids and ignores foreign ones", () => {
    expect(parseDashboardCustomId("omp:cancel:s-1")).toEqual({ action: "cancel", sessionId: "s-1" });
    expect(parseDashboardCustomId("omp:stop:a:b")).toEqual({ action: "stop", sessionId: "a:b" });
    expect(parseDashboardCustomId("omp:delete:s-1")).toBeUndefined();
    expect(parseDashboardCustomId("other:cancel:s-1")).toBeUndefined();
    expect(parseDashboardCustomId("omp:cancel:")).toBeUndefined();
  });

  it("drops the buttons rather than send a custom id Discord would refuse", () => {
    expect(renderDashboard(view({ sessionId: "s".repeat(200) }), now).components).toEqual([]);
  });

  it("is a payload discord.js accepts for both sending and editing", () => {
    const payload = renderDashboard(view(), now);
    const create: MessageCreateOptions = payload;
    const edit: MessageEditOptions = payload;
    expect(create).toBe(edit);
  });

  it("never produces an invalid embed, whatever the input (500 random views)", () => {
    const states = ["idle", "busy", "waiting", "degraded", "failed"] as const;
    for (let seed = 1; seed <= 500; seed++) {
      const rand = random(seed);
      const odd = () => oddString(rand, 12);
      const v: DashboardView = {
        state: states[Math.floor(rand() * states.length)]!,
        sessionId: rand() < 0.1 ? "x".repeat(5000) : odd(),
        sessionName: rand() < 0.1 ? "n".repeat(5000) : odd(),
        prompt:
          rand() < 0.8 ? { text: rand() < 0.2 ? "p".repeat(200_000) : odd(), authorId: odd() } : undefined,
        tail: Array.from({ length: Math.floor(rand() * 60) }, () =>
          rand() < 0.1 ? "l".repeat(10_000) : odd(),
        ),
        runStartedAt: rand() < 0.7 ? new Date(now.getTime() - rand() * 1e9) : undefined,
        runEndedAt: rand() < 0.3 ? now : undefined,
        queueDepth: rand() < 0.1 ? -3 : Math.floor(rand() * 1000),
        runNumber: Math.floor(rand() * 10_000),
        tokens: rand() < 0.5 ? rand() * 1e9 : rand() < 0.5 ? Number.NaN : undefined,
        cost: rand() < 0.5 ? rand() * 100 : rand() < 0.5 ? Number.POSITIVE_INFINITY : undefined,
        lastTool: rand() < 0.5 ? odd() : undefined,
        note: rand() < 0.5 ? (rand() < 0.2 ? "n".repeat(100_000) : odd()) : undefined,
        stopped: rand() < 0.2,
        activity:
          rand() < 0.3
            ? rand() < 0.5
              ? { kind: "compacting" }
              : {
                  kind: "retrying",
                  delayMs: rand() < 0.1 ? Number.NaN : rand() * 1e7,
                  reason: rand() < 0.1 ? "r".repeat(50_000) : odd(),
                  attempt: Math.floor(rand() * 10),
                  maxAttempts: Math.floor(rand() * 10),
                }
            : undefined,
        fallbackModel: rand() < 0.3 ? (rand() < 0.1 ? "m".repeat(5000) : odd()) : undefined,
        context:
          rand() < 0.5
            ? {
                tokens: rand() < 0.1 ? Number.NaN : rand() * 1e6,
                contextWindow: rand() < 0.1 ? 0 : rand() * 1e6,
              }
            : undefined,
      };
      const payload = renderDashboard(v, now);
      expect(embedProblems(payload.embeds[0]), `seed ${seed}`).toEqual([]);
      expect(payload.embeds[0].description?.trim(), `seed ${seed}`).toBeTruthy();
      for (const row of payload.components) {
        for (const button of row.components) expect(button.custom_id.length).toBeLessThanOrEqual(100);
      }
    }
  });
});

describe("renderDashboard prompt field", () => {
  it("breaks backtick runs in the prompt so a cut fence cannot swallow the author line", () => {
    const embed = renderDashboard(view({ prompt: { text: "```ts\nconst x = 1;", authorId: "9" } }), now)
      .embeds[0];
    const prompt = embed.fields!.find((f) => f.name === "Last prompt")!.value;
    expect(prompt).not.toContain("``");
    expect(prompt.endsWith("queued by <@9>")).toBe(true);
  });
});

describe("renderDashboard note field", () => {
  it("shows who stopped the session as a name but neutralises mass mentions", () => {
    const embed = renderDashboard(view({ stopped: true, note: "Stopped by <@42>. @everyone" }), now)
      .embeds[0];
    const note = embed.fields!.find((f) => f.name === "Note")!.value;
    expect(note).toContain("<@42>");
    expect(note).not.toContain("@everyone");
  });
});
