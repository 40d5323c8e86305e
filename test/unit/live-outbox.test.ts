import { describe, expect, it } from "vitest";
import {
  classifyDeliveryError,
  DashboardGoneError,
  describeDeliveryError,
  OUTBOX_RETRY_FOR_MS,
  OUTBOX_UPLOAD_ATTEMPTS,
  type OutboxEntry,
  type ThreadMessage,
  ThreadOutbox,
  ThreadWriteWindows,
} from "../../src/dashboard/live/index.js";
import type { DeliveryWaiting } from "../../src/dashboard/view.js";
import { FakeClock, MemoryOutboxStore } from "./live-fakes.js";

const discordError = (status: number, code: number, message: string) =>
  Object.assign(new Error(message), { status, code });
const serverError = () => Object.assign(new Error("Service Unavailable"), { status: 503 });

/** Records posts per thread; fails the next calls with queued errors, or every call while `down`. */
class FakePoster {
  readonly posts: Array<{ threadId: string; at: number; message: ThreadMessage }> = [];
  readonly attempts: Array<{ threadId: string; at: number; message: ThreadMessage }> = [];
  down: (() => unknown) | undefined;
  readonly #failures: unknown[] = [];
  onPost: ((message: ThreadMessage) => void) | undefined;

  constructor(readonly clock: FakeClock) {}

  fail(...errors: unknown[]): void {
    this.#failures.push(...errors);
  }

  async post(threadId: string, message: ThreadMessage): Promise<void> {
    const at = this.clock.now();
    this.attempts.push({ threadId, at, message });
    this.onPost?.(message);
    if (this.#failures.length > 0) throw this.#failures.shift();
    if (this.down) throw this.down();
    this.posts.push({ threadId, at, message });
  }

  contents(threadId = "t-1"): string[] {
    return this.posts.filter((post) => post.threadId === threadId).map((post) => post.message.content);
  }
}

function entry(content: string, extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return { kind: "answer", message: { content, allowedMentions: { parse: [] } }, ...extra };
}

function setup(options: { store?: MemoryOutboxStore } = {}) {
  const clock = new FakeClock();
  const store = options.store ?? new MemoryOutboxStore();
  const poster = new FakePoster(clock);
  const waiting: Array<DeliveryWaiting | undefined> = [];
  const outbox = new ThreadOutbox({
    store,
    poster,
    clock,
    windows: new ThreadWriteWindows({ clock }),
    onWaiting: (_target, now) => waiting.push(now),
  });
  return { clock, store, poster, outbox, waiting };
}

const target = { threadId: "t-1", sessionId: "s-1" };

describe("ThreadOutbox", () => {
  it("stores every message before its first attempt", async () => {
    const { clock, store, poster, outbox } = setup();
    const pendingAtPost: string[][] = [];
    poster.onPost = () => pendingAtPost.push(store.pending().map((item) => item.message.content));
    outbox.enqueue(target, [entry("one"), entry("two")]);
    await clock.advance(20_000);
    expect(pendingAtPost[0]).toEqual(["one", "two"]);
    expect(poster.contents()).toEqual(["one", "two"]);
    expect(store.items.map((item) => item.status)).toEqual(["delivered", "delivered"]);
  });

  it("retries a thread through an outage, says it waits meanwhile, and delivers in order", async () => {
    const { clock, poster, outbox, waiting, store } = setup();
    poster.fail(serverError(), serverError(), new Error("socket hang up"));
    const first = outbox.enqueue(target, [entry("first answer")]);
    await expect(first.progress).resolves.toBe("waiting");
    expect(outbox.waiting("t-1")).toEqual({ messages: 1, answer: true });
    // A later run's answer, and a reply, queue behind the first one: they never overtake it.
    const second = outbox.enqueue(target, [entry("second answer")]);
    await expect(second.progress).resolves.toBe("waiting");
    outbox.enqueue(target, [
      { kind: "reply", message: { content: "a reply", allowedMentions: { parse: [] } } },
    ]);
    await clock.advance(60_000);
    expect(poster.contents()).toEqual(["first answer", "second answer", "a reply"]);
    expect(waiting.at(-1)).toBeUndefined();
    expect(waiting.some((now) => now?.messages === 3)).toBe(true);
    expect(outbox.waiting("t-1")).toBeUndefined();
    expect(store.items.every((item) => item.status === "delivered")).toBe(true);
  });

  it("backs off between attempts instead of hammering Discord", async () => {
    const { clock, poster, outbox } = setup();
    poster.down = serverError;
    outbox.enqueue(target, [entry("the answer")]);
    await clock.advance(120_000);
    const gaps = poster.attempts.slice(1, 7).map((attempt, i) => attempt.at - poster.attempts[i]!.at);
    // 1 s, 2 s, 4 s … (each also waits for the thread's write window, which a failure leaves open).
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000 + 5_250);
  });

  it("gives a message up as undeliverable once Discord kept failing for the bounded time, and goes on", async () => {
    const { clock, poster, outbox, store } = setup();
    poster.down = serverError;
    outbox.enqueue(target, [entry("lost answer")]);
    await clock.advance(OUTBOX_RETRY_FOR_MS - 60_000);
    expect(store.items[0]!.status).toBe("pending");
    await clock.advance(120_000);
    expect(store.items[0]).toMatchObject({ status: "undeliverable" });
    expect(store.items[0]!.reason).toMatch(/kept failing for 2\d min: 503 Service Unavailable/);
    // Discord is back: the next message goes at once, and a new outage gets a new bounded time.
    poster.down = undefined;
    outbox.enqueue(target, [entry("next answer")]);
    await clock.advance(10_000);
    expect(poster.contents()).toEqual(["next answer"]);
    expect(outbox.counts).toMatchObject({ delivered: 1, undeliverable: 1 });
  });

  it("posts the fallback after a permanent refusal, and gives up when the fallback is refused too", async () => {
    const { clock, poster, outbox, store } = setup();
    poster.fail(discordError(400, 50035, "Invalid Form Body"));
    outbox.enqueue(target, [entry("bad body", { fallback: "⚠️ The answer could not be posted here." })]);
    await clock.advance(10_000);
    expect(poster.contents()).toEqual([
      "⚠️ The answer could not be posted here.\n(Discord answered: 400 Invalid Form Body (code 50035).)",
    ]);
    expect(store.items[0]!.status).toBe("fallback");

    poster.fail(discordError(403, 50001, "Missing Access"), discordError(403, 50001, "Missing Access"));
    outbox.enqueue(target, [entry("no access"), entry("after it")]);
    await clock.advance(10_000);
    expect(store.items[1]).toMatchObject({
      status: "undeliverable",
      reason: "403 Missing Access (code 50001)",
    });
    expect(poster.contents().at(-1)).toBe("after it");
  });

  it(`posts a message without its files after ${OUTBOX_UPLOAD_ATTEMPTS} failed uploads`, async () => {
    const { clock, poster, outbox, store } = setup();
    poster.down = () => Object.assign(new Error("Internal Server Error"), { status: 500 });
    const withFiles = entry("The full transcript is in transcript-run1.log.", {
      kind: "note",
      fallback: "⚠️ transcript-run1.log could not be attached: it is on the bot's host at `/data/t/1.log`",
    });
    withFiles.message.files = [{ name: "transcript-run1.log", path: "/data/t/1.log" }];
    outbox.enqueue(target, [withFiles]);
    // Only uploads fail: the server takes plain messages.
    poster.onPost = (message) => {
      if (!message.files) poster.down = undefined;
    };
    await clock.advance(60_000);
    expect(poster.attempts.filter((attempt) => attempt.message.files)).toHaveLength(OUTBOX_UPLOAD_ATTEMPTS);
    expect(poster.posts).toHaveLength(1);
    expect(poster.posts[0]!.message.files).toBeUndefined();
    expect(poster.posts[0]!.message.content).toContain("could not be attached");
    expect(poster.posts[0]!.message.content).toContain("/data/t/1.log");
    expect(store.items[0]!.status).toBe("fallback");
  });

  it("ends everything a thread was owed when the thread is gone, and says so once", async () => {
    const { clock, poster, outbox, store } = setup();
    poster.fail(new DashboardGoneError("thread"));
    const sent = outbox.enqueue(target, [entry("one"), entry("two")]);
    await expect(sent.progress).resolves.toBe("gone");
    await clock.advance(10_000);
    expect(poster.attempts).toHaveLength(1);
    expect(store.items.map((item) => item.status)).toEqual(["undeliverable", "undeliverable"]);
    expect(store.items[0]!.reason).toMatch(/thread no longer exists/);
  });

  it("resumes after a restart what the last outbox still owed, each thread in order", async () => {
    const before = setup();
    before.poster.down = serverError;
    before.outbox.enqueue(target, [entry("first"), entry("second")]);
    before.outbox.enqueue({ threadId: "t-2" }, [entry("elsewhere")]);
    await before.clock.advance(5_000);
    await before.outbox.close();
    expect(before.poster.posts).toEqual([]);

    const after = setup({ store: before.store });
    expect(after.outbox.resume()).toBe(3);
    await after.clock.advance(20_000);
    expect(after.poster.contents("t-1")).toEqual(["first", "second"]);
    expect(after.poster.contents("t-2")).toEqual(["elsewhere"]);
    expect(after.store.pending()).toEqual([]);
  });

  it("stops on close without giving anything up, and gives up what a stopped session was owed", async () => {
    const { clock, poster, outbox, store } = setup();
    poster.down = serverError;
    outbox.enqueue(target, [entry("owed")]);
    await clock.advance(3_000);
    expect(outbox.abandon("t-1", "the session was stopped")).toBe(1);
    expect(store.items[0]).toMatchObject({ status: "undeliverable", reason: "the session was stopped" });
    outbox.enqueue({ threadId: "t-2" }, [entry("kept for the next start")]);
    await outbox.close();
    const attempts = poster.attempts.length;
    await clock.advance(60_000);
    expect(poster.attempts).toHaveLength(attempts);
    expect(store.pending().map((item) => item.message.content)).toEqual(["kept for the next start"]);
  });

  it("refuses options that cannot work, saying what it expected", () => {
    const clock = new FakeClock();
    const store = new MemoryOutboxStore();
    const poster = new FakePoster(clock);
    expect(() => new ThreadOutbox({ store, poster, retryForMs: 0 })).toThrow(
      /Expected `retryForMs` to be a number above 0, got `0`/,
    );
    expect(() => new ThreadOutbox({ store, poster, uploadAttempts: 0 })).toThrow(
      /Expected `uploadAttempts` to be an integer from 1 and up, got `0`/,
    );
  });
});

describe("what a failed thread write means", () => {
  it("tells a gone thread, a refusal and a transient failure apart", () => {
    expect(classifyDeliveryError(new DashboardGoneError("thread"))).toBe("gone");
    expect(classifyDeliveryError(discordError(400, 50035, "Invalid Form Body"))).toBe("permanent");
    expect(classifyDeliveryError(discordError(403, 50001, "Missing Access"))).toBe("permanent");
    expect(classifyDeliveryError(discordError(413, 40005, "Request entity too large"))).toBe("permanent");
    expect(classifyDeliveryError(serverError())).toBe("transient");
    expect(classifyDeliveryError(discordError(429, 0, "You are being rate limited."))).toBe("transient");
    expect(classifyDeliveryError(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe(
      "transient",
    );
  });

  it("describes a failure without the request body", () => {
    const error = Object.assign(new Error("Internal Server Error"), {
      status: 500,
      requestBody: { files: [{ data: Buffer.alloc(600_000) }] },
    });
    expect(describeDeliveryError(error)).toBe("500 Internal Server Error");
  });
});
