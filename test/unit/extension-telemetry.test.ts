// The "never blocks the agent" invariant, on the queue itself: pushing never waits for the network,
// the queue is bounded (oldest dropped, counted), failures back off, and the shutdown flush is capped
// and skipped when the sidecar is failing.
import { describe, expect, it, vi } from "vitest";
import { Guard } from "../../packages/omp-extension/src/guard.js";
import { CallError } from "../../packages/omp-extension/src/http.js";
import { type TelemetryEvent, TelemetryQueue } from "../../packages/omp-extension/src/telemetry.js";

const event = (n: number): TelemetryEvent => ({ event_type: "context_usage", content: { n }, timestamp: n });

/** A sidecar whose every call hangs until the test answers it (or the queue aborts it). */
function stalledSidecar() {
  const calls: { event: TelemetryEvent; signal: AbortSignal; answer: (error?: Error) => void }[] = [];
  const send = (sent: TelemetryEvent, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const answer = (error?: Error) => (error ? reject(error) : resolve());
      calls.push({ event: sent, signal, answer });
      signal.addEventListener("abort", () => reject(new CallError("aborted", "cut")), { once: true });
    });
  return { calls, send };
}

function queue(
  options: Partial<ConstructorParameters<typeof TelemetryQueue>[0]> &
    Pick<ConstructorParameters<typeof TelemetryQueue>[0], "send">,
) {
  const lines: string[] = [];
  const guard = new Guard({ write: (line) => lines.push(line) });
  return { lines, queue: new TelemetryQueue({ guard, retryMinMs: 5, retryMaxMs: 20, ...options }) };
}

describe("TelemetryQueue", () => {
  it("push returns at once while the sidecar never answers, and keeps at most maxEvents (oldest dropped, counted)", () => {
    const sidecar = stalledSidecar();
    const { queue: q } = queue({ send: sidecar.send, maxEvents: 3 });
    for (let n = 1; n <= 1000; n++) q.push(event(n));
    // The first went out (and hangs); the queue holds the newest three.
    expect(sidecar.calls.map((c) => c.event.timestamp)).toEqual([1]);
    expect(q.length).toBe(3);
    expect(q.dropped).toBe(996);
  });

  it("sends in order, one at a time", async () => {
    const sent: number[] = [];
    const { queue: q } = queue({ send: async (e) => void sent.push(e.timestamp) });
    for (let n = 1; n <= 5; n++) q.push(event(n));
    await vi.waitFor(() => expect(sent).toEqual([1, 2, 3, 4, 5]));
  });

  it("a send still unanswered after failingAfterMs makes the queue failing", () => {
    let now = 0;
    const sidecar = stalledSidecar();
    const { queue: q } = queue({ send: sidecar.send, failingAfterMs: 1_000, now: () => now });
    q.push(event(1));
    expect(q.failing).toBe(false);
    now = 1_000;
    expect(q.failing).toBe(true);
  });

  it("is responsive only once the sidecar has answered a send, and not while a send hangs", async () => {
    let now = 0;
    const sidecar = stalledSidecar();
    const { queue: q } = queue({ send: sidecar.send, failingAfterMs: 1_000, now: () => now });
    expect(q.responsive).toBe(false);
    q.push(event(1));
    expect(q.responsive).toBe(false); // a stalled sidecar has never answered
    sidecar.calls[0]!.answer();
    await vi.waitFor(() => expect(q.responsive).toBe(true));
    q.push(event(2));
    now = 5_000;
    expect(q.responsive).toBe(false); // the second send hangs
  });

  it("the shutdown flush is skipped when the sidecar is failing, and the hanging send is cut", async () => {
    let now = 0;
    const sidecar = stalledSidecar();
    const { queue: q } = queue({ send: sidecar.send, now: () => now });
    q.push(event(1));
    q.push(event(2));
    now = 60_000;
    await expect(q.close(60_000)).resolves.toBe("skipped");
    expect(sidecar.calls[0]?.signal.aborted).toBe(true);
    expect(sidecar.calls).toHaveLength(1);
  });

  it("the shutdown flush is cut at its cap when a send hangs", async () => {
    const sidecar = stalledSidecar();
    const { queue: q } = queue({ send: sidecar.send, now: () => 0 });
    q.push(event(1));
    // Not failing yet (the clock stands still), so the flush is tried, and cut at the cap: the send
    // only ends when aborted, so an uncapped flush would never return.
    await expect(q.close(50)).resolves.toBe("cut");
    expect(sidecar.calls[0]?.signal.aborted).toBe(true);
  });

  it("the shutdown flush sends what is left when the sidecar answers", async () => {
    const sent: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { queue: q } = queue({
      send: async (e) => {
        await gate;
        sent.push(e.timestamp);
      },
    });
    for (let n = 1; n <= 3; n++) q.push(event(n));
    const closed = q.close(30_000);
    release();
    await expect(closed).resolves.toBe("flushed");
    expect(sent).toEqual([1, 2, 3]);
    q.push(event(4));
    expect(q.length).toBe(0);
  });

  it("a failed send is retried after a backoff and logged once; order is kept", async () => {
    const sent: number[] = [];
    let failures = 2;
    const { queue: q, lines } = queue({
      send: async (e) => {
        if (failures-- > 0) throw new CallError("unreachable", "connection refused");
        sent.push(e.timestamp);
      },
    });
    q.push(event(1));
    q.push(event(2));
    await vi.waitFor(() => expect(sent).toEqual([1, 2]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("telemetry (unreachable) failed: connection refused");
    expect(q.failing).toBe(false);
  });

  it("an event the sidecar refuses for good (4xx) is dropped and the rest go on", async () => {
    const sent: number[] = [];
    const { queue: q, lines } = queue({
      send: async (e) => {
        if (e.timestamp === 1) throw new CallError("status", "HTTP 400", 400);
        sent.push(e.timestamp);
      },
    });
    q.push(event(1));
    q.push(event(2));
    await vi.waitFor(() => expect(sent).toEqual([2]));
    expect(lines[0]).toContain("telemetry refused by the sidecar");
  });

  it("reports how many events it dropped once the sidecar catches up", async () => {
    const sidecar = stalledSidecar();
    const { queue: q } = queue({
      send: sidecar.send,
      maxEvents: 2,
      droppedEvent: (dropped) => ({ event_type: "telemetry_dropped", content: { dropped }, timestamp: 0 }),
    });
    for (let n = 1; n <= 5; n++) q.push(event(n));
    expect(q.dropped).toBe(2);
    for (let i = 0; i < 3; i++) {
      await vi.waitFor(() => expect(sidecar.calls.length).toBe(i + 1));
      sidecar.calls[i]!.answer();
    }
    await vi.waitFor(() => expect(sidecar.calls.length).toBe(4));
    expect(sidecar.calls.map((c) => c.event.event_type)).toEqual([
      "context_usage",
      "context_usage",
      "context_usage",
      "telemetry_dropped",
    ]);
    expect(sidecar.calls[3]!.event.content).toEqual({ dropped: 2 });
  });

  it("refuses a queue size below 1", () => {
    expect(() => queue({ send: async () => {}, maxEvents: 0 })).toThrow(
      "Expected `maxEvents` to be an integer from 1 up, got `0`",
    );
  });
});
