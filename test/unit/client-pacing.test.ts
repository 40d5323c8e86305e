import { describe, expect, it } from "vitest";
import { REST_STEADY_REQUESTS_PER_SECOND, steadyRequests } from "../../src/discord/client.js";
import { FakeClock, settle } from "./live-fakes.js";

const API = "http://discord.invalid/api/v10";
const SPACING_MS = 1000 / REST_STEADY_REQUESTS_PER_SECOND;

function setup() {
  const clock = new FakeClock();
  const sent: Array<{ url: string; at: number }> = [];
  const send = async (url: string) => {
    sent.push({ url, at: clock.now() });
    return new Response("{}") as never;
  };
  const request = steadyRequests({ clock, send });
  return { clock, sent, request };
}

describe("the steady pace of the bot's requests", () => {
  it("spaces a burst of requests evenly instead of letting it go at once", async () => {
    const { clock, sent, request } = setup();
    const burst = Array.from({ length: 10 }, (_, i) => request(`${API}/channels/${i}/messages`, {}));
    await settle();
    expect(sent).toHaveLength(1);
    await clock.advance(1000);
    await Promise.all(burst);
    const gaps = sent.slice(1).map((entry, i) => entry.at - sent[i]!.at);
    expect(gaps.every((gap) => Math.abs(gap - SPACING_MS) < 1)).toBe(true);
  });

  it("lets interaction callbacks and follow-ups through at once: they have 3 s and no global limit", async () => {
    const { sent, request } = setup();
    const queued = Array.from({ length: 5 }, (_, i) => request(`${API}/channels/${i}/messages`, {}));
    await request(`${API}/interactions/1/token/callback`, {});
    await request(`${API}/webhooks/2/token/messages/@original`, {});
    await settle();
    // The first bot request went; the other four wait their turn behind it, the callbacks did not.
    expect(sent.map((entry) => entry.url).sort()).toEqual([
      `${API}/channels/0/messages`,
      `${API}/interactions/1/token/callback`,
      `${API}/webhooks/2/token/messages/@original`,
    ]);
    expect(queued).toHaveLength(5);
  });

  it("ends a wait when discord.js aborts the request, as a timeout would, and sends nothing", async () => {
    const { sent, request } = setup();
    await request(`${API}/channels/1/messages`, {});
    const abort = new AbortController();
    const waiting = request(`${API}/channels/1/messages`, { signal: abort.signal });
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    expect(sent).toHaveLength(1);
  });
});
