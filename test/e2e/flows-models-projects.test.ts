// Model and project per session, as a person uses them: autocomplete while typing `/omp new` (omp's
// model list, the channel's projects), a launch with a model (the model sees it) and in a project (the
// run works there), `/omp model` in the thread, the refusals, and the typing indicator while a run
// streams, inside the thread's write window.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InteractionView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { bashThenReply, heldReply, reply, requestText } from "../support/fake-model/index.js";
import { expectPrivateRefusal, expectUnchanged, worldOf } from "../support/refusals.js";

/** A launch channel that only a project is restricted to: it need not exist for the refusal. */
const OTHER_CHANNEL = "100000000000000042";
const RUN = { timeoutMs: RUN_WAIT_MS };

describe("model and project per session", () => {
  let h: BotHarness;
  const projectsRoot = mkdtempSync(join(tmpdir(), "ompcord-projects-"));
  const alphaDir = join(projectsRoot, "alpha");
  const betaDir = join(projectsRoot, "beta");

  beforeAll(async () => {
    mkdirSync(alphaDir);
    mkdirSync(betaDir);
    h = await startBotHarness({
      moreModels: ["fake-pro", "fake-mini"],
      env: (world) => ({
        OMP_LAUNCH_CHANNEL_IDS: `${world.channelId},${OTHER_CHANNEL}`,
        OMPCORD_PROJECTS: `alpha=${alphaDir}; beta@${OTHER_CHANNEL}=${betaDir}`,
      }),
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(projectsRoot, { recursive: true, force: true });
  });

  /** Types in the option until omp's list is in: the first answers may be empty while omp lists (cold). */
  async function modelChoices(sub: string, channelId: string, typed: string) {
    const deadline = Date.now() + EVENT_WAIT_MS;
    for (;;) {
      const choices = await h.autocomplete(h.alice, channelId, sub, "model", typed);
      if (choices.length > 0 || Date.now() > deadline) return choices;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function newSession(
    options: Record<string, string>,
  ): Promise<{ view: InteractionView; threadId: string }> {
    const view = await h.command(h.alice, h.world.channelId, "new", options);
    const threadId = /<#(\d+)>/.exec(answerText(view))?.[1];
    if (!threadId) throw new Error(`no thread in the answer: ${answerText(view)}`);
    return { view, threadId };
  }

  it("autocompletes models from omp, filtered as the person types, in any case", async () => {
    // Every answer came in time: the emulator refuses a callback after Discord's 3 s.
    const all = await modelChoices("new", h.world.channelId, "");
    expect(all.map((c) => c.value)).toEqual(["local/fake", "local/fake-mini", "local/fake-pro"]);
    const pro = await h.autocomplete(h.alice, h.world.channelId, "new", "model", "PRO");
    expect(pro).toEqual([{ name: "local/fake-pro", value: "local/fake-pro" }]);
    expect(await h.autocomplete(h.alice, h.world.channelId, "new", "model", "nothing-like-it")).toEqual([]);
  });

  it("autocompletes only the projects this channel may use, and nothing for someone not allowed", async () => {
    expect(await h.autocomplete(h.alice, h.world.channelId, "new", "project", "")).toEqual([
      { name: "alpha", value: "alpha" },
    ]);
    expect(await h.autocomplete(h.bob, h.world.channelId, "new", "project", "")).toEqual([]);
    expect(await h.autocomplete(h.bob, h.world.channelId, "new", "model", "")).toEqual([]);
  });

  it("a session launched with a model runs on it, and its dashboard says which", async () => {
    const prompt = "which model answers this";
    h.model.on(prompt, reply("Answered by the chosen model."));
    const { threadId } = await newSession({ prompt, model: "local/fake-pro" });
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.content === "Answered by the chosen model.",
      RUN,
    );
    expect(h.model.requestsMatching(prompt).map((r) => r.model)).toEqual(["fake-pro"]);
    expect(h.app!.ctx.sessions.byThread(threadId)).toMatchObject({ model: "local/fake-pro", project: null });
    const dashboard = await h.waitForDashboard(threadId, (d) => d.state === "idle");
    expect(dashboard.text).toContain("Model: `local/fake-pro`");
  });

  it("a session launched in a project works in the project's directory", async () => {
    const prompt = "where does the project session work";
    h.model.on(prompt, bashThenReply("pwd", "Worked in the project."));
    const { threadId } = await newSession({ prompt, project: "alpha" });
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.content === "Worked in the project.",
      RUN,
    );
    const session = h.app!.ctx.sessions.byThread(threadId)!;
    expect(session).toMatchObject({ project: "alpha", workDir: alphaDir, model: null });
    expect(requestText(h.model.requestsMatching(prompt).at(-1)!)).toContain(alphaDir);
    const dashboard = await h.waitForDashboard(threadId, (d) => d.state === "idle");
    expect(dashboard.text).toContain("Project: `alpha`");
  });

  it.each([
    ["an unknown model", { model: "gpt-9" }, /omp has no model `gpt-9`\. Models omp offers: `local\/fake`/],
    ["an unknown project", { project: "gamma" }, /There is no project `gamma`\. Projects here: `alpha`\./],
    [
      "a project another channel owns",
      { project: "beta" },
      /Project `beta` may not be used in this channel\. Projects here: `alpha`\./,
    ],
  ])(
    "/omp new with %s is refused privately, saying what is allowed, and starts nothing",
    async (_what, choice, reason) => {
      await modelChoices("new", h.world.channelId, "");
      const before = worldOf(h);
      const view = await h.command(h.alice, h.world.channelId, "new", { prompt: "refuse me", ...choice });
      expectPrivateRefusal(view, reason);
      expectUnchanged(h, before);
    },
  );

  it("POST /api/tasks takes the same model and project, and refuses what /omp new refuses", async () => {
    await modelChoices("new", h.world.channelId, "");
    const { token } = h.app!.ctx.tokens.issue({ name: "cron", discordUserId: h.alice, createdBy: h.alice });
    const post = async (body: Record<string, string>) => {
      const response = await fetch(`${h.app!.sidecar.url}/api/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: h.world.channelId, ...body }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    };
    const before = worldOf(h);
    const forbidden = await post({ prompt: "refuse me over http", project: "beta" });
    expect(forbidden).toMatchObject({ status: 400, body: { error: "project_not_allowed" } });
    expect(forbidden.body.message).toMatch(/Project `beta` may not be used in this channel/);
    expectUnchanged(h, before);

    const prompt = "a scheduled task on the chosen model in alpha";
    h.model.on(prompt, bashThenReply("pwd", "Task done in alpha."));
    const created = await post({ prompt, model: "local/fake-pro", project: "alpha" });
    expect(created.status).toBe(201);
    const session = h.app!.store.getSession(created.body.session_id!)!;
    expect(session).toMatchObject({ model: "local/fake-pro", project: "alpha", workDir: alphaDir });
    await h.emu.waitForMessage(
      (m) => m.channelId === session.threadId && m.content === "Task done in alpha.",
      RUN,
    );
    expect(h.model.requestsMatching(prompt).map((r) => r.model)).toContain("fake-pro");
  });

  it("/omp model switches the model for the session's later runs and the dashboard shows it", async () => {
    const first = "first run before the switch";
    h.model.on(first, reply("First answer."));
    const { threadId } = await newSession({ prompt: first });
    await h.emu.waitForMessage((m) => m.channelId === threadId && m.content === "First answer.", RUN);
    expect(h.model.requestsMatching(first).map((r) => r.model)).toEqual(["fake"]);

    expect(await h.autocomplete(h.alice, threadId, "model", "model", "mini")).toEqual([
      { name: "local/fake-mini", value: "local/fake-mini" },
    ]);
    const refused = await h.command(h.alice, threadId, "model", { model: "no-such-model" });
    expectPrivateRefusal(refused, /omp has no model `no-such-model`/);
    const switched = await h.command(h.alice, threadId, "model", { model: "fake-mini" });
    expect(answerText(switched)).toContain("Model set to `local/fake-mini`");
    await h.waitForDashboard(threadId, (d) => d.text.includes("Model: `local/fake-mini`"), EVENT_WAIT_MS);

    const second = "second run after the switch";
    h.model.on(second, reply("Second answer."));
    await h.command(h.alice, threadId, "say", { prompt: second });
    await h.emu.waitForMessage((m) => m.channelId === threadId && m.content === "Second answer.", RUN);
    expect(h.model.requestsMatching(second).map((r) => r.model)).toEqual(["fake-mini"]);
  });

  it("shows the typing indicator while a run streams, within the thread's write window", async () => {
    const prompt = "stream for a while please";
    const held = heldReply("Streaming the first half ", "and the second half.");
    h.model.on(prompt, held.step);
    h.emu.resetCounters();
    const { threadId } = await newSession({ prompt });
    await held.reached;
    await h.emu.waitFor(() => h.emu.typingIn(threadId).length > 0, {
      timeoutMs: EVENT_WAIT_MS,
      what: "typing in the session thread",
    });
    held.release();
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.content.includes("and the second half."),
      RUN,
    );
    const typing = h.emu.typingIn(threadId);
    expect(typing.every((t) => t.userId === h.emu.botUser.id)).toBe(true);

    // Every write of the bot in the thread (messages, their edits, typing): never six in 5 s.
    const writes = [
      ...h.emu
        .messages(threadId)
        .filter((m) => m.author.bot && !m.interactionId)
        .flatMap((m) => m.history.map((version) => version.at.getTime())),
      ...typing.map((t) => t.at.getTime()),
    ].sort((a, b) => a - b);
    writes.forEach((at, i) => {
      const window = writes.slice(i).filter((other) => other - at < 5_000);
      expect(window.length, `writes in the 5 s from ${at}`).toBeLessThanOrEqual(5);
    });
    expect(h.emu.counters.rateLimitedByScope.shared ?? 0).toBe(0);
  });
});
