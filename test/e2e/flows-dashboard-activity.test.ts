// What holds a run up shows on its dashboard, as a person sees it after 🚀: a provider's usage limit
// makes omp wait to retry ("retrying in 1m 30s … usage limit"), and the line goes once the run ends.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, startBotHarness } from "../support/bot-harness.js";
import { httpError } from "../support/fake-model/index.js";

/** Over the transport's 60 s ceiling, so omp's session retry (the one that tells) takes it at once. */
const RESET_SECONDS = 90;

describe("the dashboard while omp waits", () => {
  let h: BotHarness;

  beforeAll(async () => {
    // The harness turns retries off for speed; a person's bot retries (OMP_MAX_RETRIES, default 2).
    h = await startBotHarness({ env: { OMP_MAX_RETRIES: "2" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("shows a retry's wait and reason while omp waits for a usage limit, and drops it when the run is cancelled", async () => {
    h.model.on(
      "hit the usage limit",
      httpError(
        429,
        `You have hit your usage limit. Your limit will reset in ${RESET_SECONDS}s.`,
        RESET_SECONDS,
      ),
    );
    const { thread } = await h.launch("hit the usage limit");
    const waiting = await h.waitForDashboard(thread.id, (d) => d.text.includes("Now: ⏳ retrying"));
    expect(waiting.state).toBe("busy");
    expect(waiting.text).toMatch(
      /Now: ⏳ retrying in 1m 30s \(attempt 1 of 2\): 429 You have hit your usage limit/,
    );

    const cancel = await h.command(h.alice, thread.id, "cancel");
    expect(JSON.stringify(cancel)).toContain("Run cancelled");
    const ended = await h.waitForDashboard(thread.id, (d) => d.state === "degraded");
    expect(ended.text).not.toContain("Now:");
  });
});
