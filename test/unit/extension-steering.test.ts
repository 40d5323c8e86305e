// Steering inside the extension, against a scripted sidecar: a steer is handed to omp while the agent
// works, acknowledged only when omp shows it arriving, never handed over twice, folded into the same
// run when it comes as the agent stops, and its acknowledgement is retried, not dropped.
import { describe, expect, it, vi } from "vitest";
import { Guard } from "../../packages/omp-extension/src/guard.js";
import { CallError } from "../../packages/omp-extension/src/http.js";
import {
  type LeasedMessage,
  STEER_CONTINUATION,
  SteeringChannel,
} from "../../packages/omp-extension/src/steering.js";

interface PendingPoll {
  waitMs: number;
  signal: AbortSignal;
  settled: boolean;
  answer: (messages: LeasedMessage[]) => void;
  fail: (error: Error) => void;
}

function setUp(
  options: { ack?: (ids: readonly string[]) => Promise<string[]>; healthy?: () => boolean } = {},
) {
  const polls: PendingPoll[] = [];
  const acks: string[][] = [];
  const steered: string[] = [];
  const lines: string[] = [];
  const channel = new SteeringChannel({
    ...(options.healthy ? { healthy: options.healthy } : {}),
    guard: new Guard({ write: (line) => lines.push(line) }),
    target: { steer: (text) => steered.push(text) },
    transport: {
      poll: (waitMs, signal) =>
        new Promise<LeasedMessage[]>((resolve, reject) => {
          const poll: PendingPoll = {
            waitMs,
            signal,
            settled: false,
            answer: (messages) => {
              poll.settled = true;
              resolve(messages);
            },
            fail: (error) => {
              poll.settled = true;
              reject(error);
            },
          };
          polls.push(poll);
          signal.addEventListener("abort", () => poll.fail(new CallError("aborted", "cut")), { once: true });
        }),
      ack: async (ids) => {
        acks.push([...ids]);
        return options.ack ? options.ack(ids) : [...ids];
      },
    },
  });
  /** The long-poll held now (there is at most one), once it is out. */
  const heldPoll = async () => {
    const held = () => polls.filter((p) => !p.settled && p.waitMs > 0);
    await vi.waitFor(() => expect(held()).toHaveLength(1), { timeout: 30_000 });
    return held()[0]!;
  };
  const arrived = (content: string) => ({
    role: "user",
    steering: true,
    content: [{ type: "text", text: content }],
  });
  return { channel, polls, acks, steered, lines, heldPoll, arrived };
}

describe("SteeringChannel", () => {
  it("hands a message to omp while the agent works, and acknowledges it only once omp shows it arriving", async () => {
    const { channel, heldPoll, steered, acks, arrived } = setUp();
    channel.start();
    channel.agentBusy();
    (await heldPoll()).answer([{ id: "m1", content: "run the tests first" }]);
    await vi.waitFor(() => expect(steered).toEqual(["run the tests first"]));
    expect(acks).toEqual([]);
    expect(channel.inFlight).toEqual(["m1"]);

    channel.messageStarted({ role: "user", content: "run the tests first" }); // a prompt, not a steer
    channel.messageStarted({ role: "assistant", content: "run the tests first" });
    expect(acks).toEqual([]);

    channel.messageStarted(arrived("run the tests first"));
    await vi.waitFor(() => expect(acks).toEqual([["m1"]]));
    expect(channel.inFlight).toEqual([]);
  });

  it("holds a message leased before the agent starts, and hands it over when it does", async () => {
    const { channel, heldPoll, steered } = setUp();
    channel.start();
    (await heldPoll()).answer([{ id: "m1", content: "early" }]);
    await heldPoll(); // the next poll is out: the answer was taken
    expect(steered).toEqual([]);
    channel.agentBusy();
    expect(steered).toEqual(["early"]);
  });

  it("never hands the same message to omp twice, even if the sidecar leases it again", async () => {
    const { channel, heldPoll, steered } = setUp();
    channel.start();
    channel.agentBusy();
    (await heldPoll()).answer([{ id: "m1", content: "once" }]);
    await vi.waitFor(() => expect(steered).toEqual(["once"]));
    (await heldPoll()).answer([
      { id: "m1", content: "once" },
      { id: "m2", content: "twice" },
    ]);
    await vi.waitFor(() => expect(steered).toEqual(["once", "twice"]));
  });

  it("acknowledges identical texts one by one, in the order they arrive", async () => {
    const { channel, heldPoll, acks, arrived } = setUp();
    channel.start();
    channel.agentBusy();
    (await heldPoll()).answer([
      { id: "m1", content: "again" },
      { id: "m2", content: "again" },
    ]);
    await vi.waitFor(() => expect(channel.inFlight).toEqual(["m1", "m2"]));
    channel.messageStarted(arrived("again"));
    await vi.waitFor(() => expect(acks.flat()).toEqual(["m1"]));
    channel.messageStarted(arrived("again"));
    await vi.waitFor(() => expect(acks.flat()).toEqual(["m1", "m2"]));
  });

  it("keeps retrying an acknowledgement the sidecar fails, and logs the failure once", async () => {
    let failures = 3;
    const { channel, heldPoll, acks, lines, arrived } = setUp({
      ack: async (ids) => {
        if (failures-- > 0) throw new CallError("status", "HTTP 500", 500);
        return [...ids];
      },
    });
    channel.start();
    channel.agentBusy();
    (await heldPoll()).answer([{ id: "m1", content: "important" }]);
    await vi.waitFor(() => expect(channel.inFlight).toEqual(["m1"]));
    channel.messageStarted(arrived("important"));
    await vi.waitFor(() => expect(acks).toHaveLength(4), { timeout: 30_000 });
    expect(channel.owed).toEqual([]);
    expect(lines.filter((line) => line.includes("acknowledgement"))).toHaveLength(1);
  });

  it("at session_stop, a steer still on its way keeps the run going (continue), and is delivered in it", async () => {
    const { channel, heldPoll, polls, steered } = setUp();
    channel.start();
    channel.agentBusy();
    (await heldPoll()).answer([{ id: "m1", content: "one more thing" }]);
    await vi.waitFor(() => expect(channel.inFlight).toEqual(["m1"]));
    const stopping = channel.agentStopping();
    // The stop check asks the sidecar once more, without waiting.
    await vi.waitFor(() => expect(polls.some((p) => p.waitMs === 0)).toBe(true));
    polls.find((p) => p.waitMs === 0)!.answer([]);
    await expect(stopping).resolves.toEqual({ continue: true, additionalContext: STEER_CONTINUATION });
    expect(steered).toEqual(["one more thing"]);
  });

  it("at session_stop, a message that just came is handed to omp and keeps the run going", async () => {
    const { channel, polls, steered } = setUp();
    channel.start();
    channel.agentBusy();
    const stopping = channel.agentStopping();
    await vi.waitFor(() => expect(polls.some((p) => p.waitMs === 0)).toBe(true));
    polls.find((p) => p.waitMs === 0)!.answer([{ id: "late", content: "arrived as it stopped" }]);
    await expect(stopping).resolves.toMatchObject({ continue: true });
    expect(steered).toEqual(["arrived as it stopped"]);
  });

  it("at session_stop with nothing pending, the run may end and the long-poll is cut", async () => {
    const { channel, heldPoll, polls } = setUp();
    channel.start();
    channel.agentBusy();
    const held = await heldPoll();
    const stopping = channel.agentStopping();
    await vi.waitFor(() => expect(polls.some((p) => p.waitMs === 0)).toBe(true));
    polls.find((p) => p.waitMs === 0)!.answer([]);
    await expect(stopping).resolves.toBeUndefined();
    expect(held.signal.aborted).toBe(true);
  });

  it("skips the stop check when polls were failing, and still continues for a steer on its way", async () => {
    const { channel, heldPoll, polls, lines } = setUp();
    channel.start();
    channel.agentBusy();
    (await heldPoll()).answer([{ id: "m1", content: "sent" }]);
    await vi.waitFor(() => expect(channel.inFlight).toEqual(["m1"]));
    (await heldPoll()).fail(new CallError("unreachable", "refused"));
    await vi.waitFor(() => expect(lines.join("")).toContain("steering poll (unreachable) failed"));
    await expect(channel.agentStopping()).resolves.toMatchObject({ continue: true });
    expect(polls.some((p) => p.waitMs === 0)).toBe(false);
  });

  it("skips the stop check when the sidecar is slow (telemetry hangs): the run's end never waits on it", async () => {
    const { channel, heldPoll, polls } = setUp({ healthy: () => false });
    channel.start();
    channel.agentBusy();
    await heldPoll();
    await expect(channel.agentStopping()).resolves.toBeUndefined();
    expect(polls.some((p) => p.waitMs === 0)).toBe(false);
  });

  it("at shutdown, an owed acknowledgement gets a short capped try; the polls end", async () => {
    let answer!: (ids: string[]) => void;
    const { channel, heldPoll, acks, arrived } = setUp({
      ack: (ids) =>
        new Promise<string[]>((resolve) => {
          answer = () => resolve([...ids]);
        }),
    });
    channel.start();
    channel.agentBusy();
    (await heldPoll()).answer([{ id: "m1", content: "x" }]);
    await vi.waitFor(() => expect(channel.inFlight).toEqual(["m1"]));
    const held = await heldPoll();
    channel.messageStarted(arrived("x"));
    await vi.waitFor(() => expect(acks).toHaveLength(1));
    // The acknowledgement hangs: shutdown returns at its cap anyway.
    await channel.shutdown(50);
    expect(held.signal.aborted).toBe(true);
    answer([]);
  });
});
