// Terminal mirroring as a person's installed extension drives it (its HTTP protocol, spoken here by the
// test): a named token opens a thread in the home channel with a dashboard fed by the session's events,
// the terminal's prompts and answers show there, only the owner's steering is queued and reaches the
// mirror's long-poll, and no other credential (another person's token, a run's token, the bot's) gets in.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIRROR_ROUTES } from "../../src/sidecar/index.js";
import { type BotHarness, startBotHarness } from "../support/bot-harness.js";

describe("a terminal omp mirrored into a thread", () => {
  let h: BotHarness;
  let aliceToken: string;
  let otherToken: string;
  let mirrorId: string;
  let threadId: string;

  const call = (path: string, token: string, body?: unknown) =>
    fetch(`${h.app!.sidecar.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const route = (template: string) => template.replace(":id", mirrorId);

  beforeAll(async () => {
    h = await startBotHarness({ moreAllowedUsers: ["carol"] });
    aliceToken = h.app!.ctx.tokens.issue({
      name: "laptop",
      discordUserId: h.alice,
      createdBy: h.alice,
    }).token;
    const carol = h.allowedUsers.carol!;
    otherToken = h.app!.ctx.tokens.issue({ name: "desk", discordUserId: carol, createdBy: carol }).token;
    const opened = await call(MIRROR_ROUTES.open, aliceToken, {
      title: "fix the build",
      cwd: "/home/alice/project",
    });
    expect(opened.status).toBe(201);
    const body = (await opened.json()) as { mirror_id: string; thread_id: string };
    mirrorId = body.mirror_id;
    threadId = body.thread_id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("opens a thread in the home channel with a pinned dashboard and says whose terminal it is", async () => {
    const thread = await h.emu.waitForThread((t) => t.id === threadId);
    expect(thread.parentId).toBe(h.world.channelId);
    expect(thread.name).toBe("Terminal: fix the build");
    await h.waitForDashboard(threadId, (d) => d.state === "idle");
    const intro = await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.content.includes("terminal omp"),
    );
    expect(intro.content).toContain(`<@${h.alice}>`);
    expect(intro.content).toContain("Only");
  });

  it("shows the terminal's prompt, output and context on the dashboard, then posts the answer", async () => {
    const events = [
      { type: "agent_start" },
      {
        type: "message_start",
        message: { role: "user", content: [{ type: "text", text: "why does the build fail?" }] },
      },
      {
        type: "tool_execution_start",
        toolCallId: "c1",
        toolName: "bash",
        args: { command: "npm run build" },
      },
      {
        type: "tool_execution_end",
        toolCallId: "c1",
        toolName: "bash",
        result: { content: [{ type: "text", text: "error TS2322 in src/a.ts" }] },
        isError: true,
      },
      {
        type: "auto_retry_start",
        attempt: 1,
        maxAttempts: 3,
        delayMs: 20_000,
        errorMessage: "529 overloaded",
      },
    ];
    expect((await call(route(MIRROR_ROUTES.events), aliceToken, { events })).status).toBe(202);
    const busy = await h.waitForDashboard(threadId, (d) => d.text.includes("Now: ⏳ retrying in 20 s"));
    expect(busy.state).toBe("busy");
    expect(busy.text).toContain("why does the build fail?");
    expect(busy.text).toContain("▶ bash: npm run build");

    const rest = [
      { type: "turn_start" },
      {
        type: "message_end",
        message: {
          role: "assistant",
          content: [{ type: "text", text: "A type error in src/a.ts: line 3 assigns a string to a number." }],
          usage: { input: 100, output: 20, totalTokens: 120, cost: { total: 0.01 } },
          stopReason: "stop",
        },
      },
      { type: "agent_end", messages: [] },
    ];
    expect((await call(route(MIRROR_ROUTES.events), aliceToken, { events: rest })).status).toBe(202);
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.content.includes("A type error in src/a.ts"),
    );
    const idle = await h.waitForDashboard(threadId, (d) => d.state === "idle");
    expect(idle.text).not.toContain("Now:");
  });

  it("queues steering from its owner only, and hands it to the mirror's long-poll until acknowledged", async () => {
    const refused = h.app!.ctx.mirrors!.steer(mirrorId, h.bob, "delete everything");
    expect(refused).toEqual({ ok: false, message: expect.stringContaining("Only") });
    expect(h.app!.ctx.mirrors!.inThread(threadId)).toEqual({ mirrorId, ownerId: h.alice });

    const poll = call(`${route(MIRROR_ROUTES.poll)}?wait_ms=20000`, aliceToken);
    const steered = h.app!.ctx.mirrors!.steer(mirrorId, h.alice, "check tsconfig first");
    expect(steered.ok).toBe(true);
    const answer = (await (await poll).json()) as { messages: { id: string; content: string }[] };
    expect(answer.messages.map((m) => m.content)).toEqual(["check tsconfig first"]);
    const ack = await call(route(MIRROR_ROUTES.ack), aliceToken, { ids: [answer.messages[0]!.id] });
    expect(await ack.json()).toEqual({ acknowledged: [answer.messages[0]!.id] });
    // Delivered once: the next poll has nothing.
    const again = (await (await call(route(MIRROR_ROUTES.poll), aliceToken)).json()) as {
      messages: unknown[];
    };
    expect(again.messages).toEqual([]);
  });

  it("refuses another person's token, the bot's own token and a token that names nobody", async () => {
    const other = await call(route(MIRROR_ROUTES.events), otherToken, { events: [{ type: "agent_start" }] });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toMatch(/another Discord user/);
    expect((await call(route(MIRROR_ROUTES.poll), otherToken)).status).toBe(403);
    const bot = await call(MIRROR_ROUTES.open, h.config.api.token, { title: "x" });
    expect(bot.status).toBe(403);
    expect((await call(MIRROR_ROUTES.open, "ompcord_tok_not-a-real-one", { title: "x" })).status).toBe(401);
  });

  it("refuses a run's token: an agent cannot open or feed a mirror", async () => {
    const runToken = h.app!.sidecar.runs.issue({ sessionId: mirrorId, runId: "run-x" }).token;
    const opened = await call(MIRROR_ROUTES.open, runToken, { title: "escape" });
    expect(opened.status).toBe(403);
    expect(((await opened.json()) as { message: string }).message).toMatch(/not for a run's token/);
    expect(
      (await call(route(MIRROR_ROUTES.events), runToken, { events: [{ type: "agent_start" }] })).status,
    ).toBe(403);
  });

  it("closing ends the mirror: the dashboard says stopped and its token is refused there afterwards", async () => {
    expect((await call(route(MIRROR_ROUTES.close), aliceToken, {})).status).toBe(200);
    await h.waitForDashboard(threadId, (d) => d.text.includes("stopped"));
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.content.includes("terminal session ended"),
    );
    expect(
      (await call(route(MIRROR_ROUTES.events), aliceToken, { events: [{ type: "agent_start" }] })).status,
    ).toBe(404);
  });

  it("a mirror left open when the bot restarts is over: its session is stopped, its token gets 404", async () => {
    const opened = await call(MIRROR_ROUTES.open, aliceToken, { title: "left open" });
    const { mirror_id: orphan } = (await opened.json()) as { mirror_id: string };
    expect(h.app!.store.getSession(orphan)?.stoppedAt).toBeNull();
    await h.app!.stop();
    await h.startApp();
    expect(h.app!.store.getSession(orphan)?.stoppedAt).not.toBeNull();
    const events = await call(MIRROR_ROUTES.events.replace(":id", orphan), aliceToken, {
      events: [{ type: "agent_start" }],
    });
    expect(events.status).toBe(404);
  });
});
