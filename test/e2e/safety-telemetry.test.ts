// Telemetry never leaks (SPEC §4, §6): an event posted to the running bot's sidecar with a secret as its
// type and its content is stored redacted in the events table and never becomes a metric label.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, startBotHarness } from "../support/bot-harness.js";

/** A FAKE OpenAI-style key, built at run time: the shape of a real one, valid nowhere. */
const FAKE_KEY = ["sk", "proj", "FAKEfakeFAKEfake0123456789abcdef"].join("-");

describe("telemetry posted to the running bot", () => {
  let h: BotHarness;
  let sessionId: string;

  const sidecar = (path: string, init: RequestInit = {}) =>
    fetch(`${h.app!.sidecar.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${h.config.api.token}`, "content-type": "application/json" },
    });

  beforeAll(async () => {
    h = await startBotHarness({ omp: "fake" });
    const { thread } = await h.launch("a session to post telemetry for");
    await h.waitForDashboard(thread.id, (d) => d.state === "idle");
    sessionId = (
      h.app!.store.sqlite.prepare("SELECT id FROM sessions WHERE thread_id = ?").get(thread.id) as {
        id: string;
      }
    ).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a secret as event_type or content is stored redacted and never served by /metrics", async () => {
    // Two secrets: a recognisable shape, and the bot's own Discord token (an exact value it knows).
    const secrets = [FAKE_KEY, h.emu.botToken];
    for (const secret of secrets) {
      const response = await sidecar("/api/webhook/event", {
        method: "POST",
        body: JSON.stringify({
          session_id: sessionId,
          event_type: secret,
          content: { note: `leaked ${secret}` },
          timestamp: Date.now(),
        }),
      });
      expect(response.status).toBe(202);
    }

    const rows = h
      .app!.store.sqlite.prepare("SELECT event_type, content FROM events WHERE session_id = ?")
      .all(sessionId) as { event_type: string; content: string }[];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.event_type).toBe("[REDACTED]");
      expect(row.content).toContain("leaked [REDACTED]");
    }
    const everything = JSON.stringify(rows);
    for (const secret of secrets) expect(everything).not.toContain(secret);

    const metrics = await (await sidecar("/metrics")).text();
    expect(metrics).toMatch(/^ompcord_sidecar_events_total\{event_type="other"\} 2$/m);
    for (const secret of secrets) expect(metrics).not.toContain(secret);
  });
});
