// Which job a copy of the extension does, and what the webhook tier says.
import { describe, expect, it } from "vitest";
import { chooseMode, webhookUrlProblem } from "../../packages/omp-extension/src/settings.js";
import { outcomeOf, webhookMessage } from "../../packages/omp-extension/src/webhook.js";

const botEnv = {
  OMPCORD_API_URL: "http://127.0.0.1:8901",
  OMPCORD_RUN_TOKEN: "ompcord_run_fake",
  OMPCORD_SESSION_ID: "s-1",
  OMPCORD_RUN_ID: "r-1",
};
const installed = (settings: unknown) => ({
  path: "/home/p/.omp/agent/extensions/ompcord/ompcord.json",
  text: JSON.stringify(settings),
});

describe("chooseMode", () => {
  it("the bot's copy in a bot run talks to the sidecar with the run's token", () => {
    expect(chooseMode(botEnv, undefined)).toEqual({
      kind: "bot",
      apiUrl: "http://127.0.0.1:8901",
      token: "ompcord_run_fake",
      sessionId: "s-1",
      runId: "r-1",
    });
  });

  it("an installed copy inside a bot run stays inert, even with a webhook configured", () => {
    expect(
      chooseMode(botEnv, installed({ webhookUrl: "https://discord.com/api/webhooks/1/x" })),
    ).toMatchObject({
      kind: "inert",
    });
  });

  it("an installed copy with a webhook URL posts there", () => {
    expect(
      chooseMode({}, installed({ webhookUrl: "https://discord.com/api/webhooks/1/x", username: "laptop" })),
    ).toEqual({
      kind: "webhook",
      webhookUrl: "https://discord.com/api/webhooks/1/x",
      username: "laptop",
    });
  });

  it("an installed copy with broken settings is inert and says how to fix them", () => {
    const broken = chooseMode({}, { path: "/x/ompcord.json", text: "{not json" });
    expect(broken).toMatchObject({ kind: "inert" });
    expect(broken.kind === "inert" && broken.problem).toContain("npm run extension -- install");
    const noUrl = chooseMode({}, installed({}));
    expect(noUrl.kind === "inert" && noUrl.problem).toContain(
      "`webhookUrl` in /home/p/.omp/agent/extensions/ompcord/ompcord.json is missing",
    );
  });

  it("a copy with neither a run nor settings is inert and silent", () => {
    const mode = chooseMode({ OMPCORD_API_URL: "http://127.0.0.1:1" }, undefined);
    expect(mode.kind).toBe("inert");
    expect(mode.kind === "inert" && mode.problem).toBeFalsy();
  });
});

describe("webhookUrlProblem", () => {
  it.each([
    ["https://discord.com/api/webhooks/1/abc", undefined],
    ["http://127.0.0.1:9999/hook", undefined],
    ["http://localhost:9999/hook", undefined],
    ["http://example.com/hook", "does not start with https://"],
    ["not a url", "is not a URL"],
    ["", "is missing"],
  ])("%j", (url, problem) => {
    const found = webhookUrlProblem(url);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe("the webhook message", () => {
  const assistant = (fields: Record<string, unknown>) => ({
    role: "assistant",
    content: [{ type: "text", text: "All done: 3 files changed." }],
    ...fields,
  });

  it("says the agent finished, where and how long, with the final answer quoted", () => {
    const outcome = outcomeOf([{ role: "user", content: "go" }, assistant({ stopReason: "stop" })]);
    expect(outcome).toEqual({ kind: "finished", text: "All done: 3 files changed." });
    expect(webhookMessage(outcome, { where: "myrepo", elapsedMs: 83_000 })).toBe(
      "✅ omp finished in `myrepo` after 1m 23s\n> All done: 3 files changed.",
    );
  });

  it("says the agent failed, with the error", () => {
    const outcome = outcomeOf([assistant({ stopReason: "error", errorMessage: "500 overloaded" })]);
    expect(webhookMessage(outcome, { where: "myrepo", elapsedMs: 4_000 })).toBe(
      "❌ omp failed in `myrepo` after 4s\n> 500 overloaded",
    );
  });

  it("stays within Discord's 2000 characters", () => {
    const outcome = { kind: "finished" as const, text: "x".repeat(10_000) };
    expect(webhookMessage(outcome, { where: "r", elapsedMs: 0 }).length).toBeLessThanOrEqual(2000);
  });
});
