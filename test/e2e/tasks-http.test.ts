// Tasks over HTTP as a script uses them (issue 14): POST /api/tasks with a named token opens a session in
// a launch channel for the token's user, the thread says which token started it, GET /api/tasks/:id
// reports the runs and the answer. Bad input is refused with a reason and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, EVENT_WAIT_MS, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";

interface Answer {
  error?: string;
  message?: string;
  session_id?: string;
  thread_url?: string;
  state?: string;
  runs?: { number: number; outcome: string | null }[];
  answer?: string | null;
  issues?: { path: string; message: string }[];
}

describe("tasks over HTTP", () => {
  let h: BotHarness;
  let token: string;
  beforeAll(async () => {
    h = await startBotHarness();
    token = h.app!.ctx.tokens.issue({ name: "nightly", discordUserId: h.alice, createdBy: h.alice }).token;
  });
  afterAll(async () => {
    await h?.close();
  });

  async function call(method: string, path: string, body?: unknown, bearer = token) {
    const response = await fetch(`${h.app!.sidecar.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  }

  it("POST /api/tasks starts a session for the token's user; GET reports its run and answer", async () => {
    const answer = "The nightly check found three TODO comments in src.";
    h.model.on("count the TODO comments", reply(answer));
    const created = await call("POST", "/api/tasks", {
      channel: h.world.channelId,
      prompt: "count the TODO comments in src",
      name: "nightly todo count",
    });
    expect(created.status).toBe(201);
    const sessionId = created.body.session_id!;
    const session = h.app!.store.getSession(sessionId)!;
    expect(session.createdBy).toBe(h.alice);
    // Recorded as a task, not as a `/omp new`: history and reports tell the two apart.
    expect(
      h.app!.store.sqlite.prepare("select source from prompts where session_id = ?").all(sessionId),
    ).toEqual([{ source: "task" }]);
    expect(created.body.thread_url).toBe(
      `https://discord.com/channels/${h.world.guildId}/${session.threadId}`,
    );
    expect(h.emu.channel(session.threadId).name).toBe("Session: nightly todo count");
    await h.emu.waitFor(
      () => h.botPosts(session.threadId).find((m) => m.content.includes("token `nightly`")),
      { timeoutMs: EVENT_WAIT_MS },
    );
    await h.emu.waitFor(() => h.botPosts(session.threadId).find((m) => m.content.includes(answer)), {
      timeoutMs: RUN_WAIT_MS,
    });

    await h.waitForDashboard(session.threadId, (d) => d.state === "idle");
    const report = await call("GET", `/api/tasks/${sessionId}`);
    expect(report.status).toBe(200);
    expect(report.body.state).toBe("idle");
    expect(report.body.runs).toEqual([expect.objectContaining({ number: 1, outcome: "success" })]);
    expect(report.body.answer).toContain(answer);
  });

  it("a channel that is not a launch channel is refused with 403 and opens nothing", async () => {
    const general = h.emu.createChannel({ guildId: h.world.guildId, name: "general" });
    const before = h.storeCounts();
    const refused = await call("POST", "/api/tasks", { channel: general.id, prompt: "do a thing" });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("not_launch_channel");
    expect(refused.body.message).toMatch(/only be started in a launch channel/);
    expect(h.storeCounts()).toEqual(before);
  });

  it("a run's token gets 403 on /api/tasks: an agent cannot start sessions", async () => {
    const session = h.app!.store.listActiveSessions()[0]!;
    const grant = h.app!.sidecar.runs.issue({ sessionId: session.id, runId: "run-token-probe" });
    try {
      const before = h.storeCounts();
      const refused = await call(
        "POST",
        "/api/tasks",
        { channel: h.world.channelId, prompt: "escape" },
        grant.token,
      );
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/not for a run's token/);
      expect((await call("GET", `/api/tasks/${session.id}`, undefined, grant.token)).status).toBe(403);
      expect(h.storeCounts()).toEqual(before);
    } finally {
      grant.revoke();
    }
  });

  it("an unknown model or project is refused with 400 and what to do", async () => {
    // "Unknown" needs omp's list: until the bot has it, a model is refused with 503 (try again), not 400.
    const deadline = Date.now() + EVENT_WAIT_MS;
    while (h.app!.ctx.launchChoices.modelsNow().length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = h.storeCounts();
    const model = await call("POST", "/api/tasks", {
      channel: h.world.channelId,
      prompt: "x",
      model: "no-such-model",
    });
    expect(model.status).toBe(400);
    expect(model.body.error).toBe("unknown_model");
    const project = await call("POST", "/api/tasks", {
      channel: h.world.channelId,
      prompt: "x",
      project: "no-such-project",
    });
    expect(project.status).toBe(400);
    expect(project.body.error).toBe("unknown_project");
    expect(h.storeCounts()).toEqual(before);
  });

  it("a malformed body gets 400 naming the fields, never echoing them", async () => {
    const before = h.storeCounts();
    const bad = await call("POST", "/api/tasks", { channel: "general", prompt: "", secret: "sk-hidden" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/Expected a JSON body \{channel/);
    expect(bad.body.issues!.map((issue) => issue.path).sort()).toEqual(["(body)", "channel", "prompt"]);
    expect(JSON.stringify(bad.body)).not.toContain("sk-hidden");
    const notJson = await call("POST", "/api/tasks", "{not json");
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe("invalid_json");
    expect(h.storeCounts()).toEqual(before);
  });

  it("a token of someone who is not an allowed user starts nothing: it authenticates as nobody", async () => {
    const bobs = h.app!.ctx.tokens.issue({ name: "bobs", discordUserId: h.bob, createdBy: h.bob }).token;
    const before = h.storeCounts();
    const refused = await call("POST", "/api/tasks", { channel: h.world.channelId, prompt: "hi" }, bobs);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/no longer an allowed user/);
    expect(h.storeCounts()).toEqual(before);
  });
});
