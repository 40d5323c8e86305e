// Follow-ups in a session thread, as people send them: `/omp say` while a run is busy, `/omp queue`
// to see the line, plain messages in the thread. Real omp against the fake model.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerText, type BotHarness, EVENT_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { heldReply, reply, requestText } from "../support/fake-model/index.js";

describe("queueing follow-ups in a session", () => {
  let h: BotHarness;
  let carol: string;
  beforeAll(async () => {
    h = await startBotHarness({ moreAllowedUsers: ["carol"] });
    carol = h.allowedUsers.carol!;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("two `/omp say` during a busy run wait in order, `/omp queue` lists them with who queued them, and each follow-up continues the same conversation", async () => {
    const first = "The bean count is forty-two beans in the jar.";
    const second = "Doubled, that makes eighty-four beans.";
    const third = "Halved again, back to forty-two beans.";
    // Held mid-answer until both follow-ups and the queue listing have landed, however slow the machine.
    const held = heldReply("The bean count is ", "forty-two beans in the jar.");
    h.model.on("count the slow beans", held.step);
    h.model.on("double the beans", reply(second));
    h.model.on("halve the beans", reply(third));

    const { thread } = await h.launch("count the slow beans in the jar");
    await h.waitForDashboard(thread.id, (d) => d.state === "busy");

    const sayTwo = await h.command(h.alice, thread.id, "say", { prompt: "now double the beans" });
    expect(sayTwo.original?.ephemeral).toBe(false);
    expect(answerText(sayTwo)).toContain("#2 in line");
    const sayThree = await h.command(carol, thread.id, "say", { prompt: "then halve the beans" });
    expect(answerText(sayThree)).toContain("#3 in line");

    const queue = await h.command(h.alice, thread.id, "queue");
    expect(queue.original?.ephemeral).toBe(true);
    expect(h.emu.messages(thread.id).some((m) => m.interactionId === queue.id)).toBe(false);
    const listing = answerText(queue);
    expect(listing).toContain("1 running, 2 waiting");
    const lines = listing.split("\n");
    const running = lines.findIndex((l) => l.includes("Running") && l.includes("count the slow beans"));
    const two = lines.findIndex((l) => l.includes("now double the beans"));
    const three = lines.findIndex((l) => l.includes("then halve the beans"));
    expect(running).toBeGreaterThanOrEqual(0);
    expect(lines[running]).toContain(`<@${h.alice}>`);
    expect(two).toBeGreaterThan(running);
    expect(lines[two]).toMatch(/^\*\*1\.\*\*/);
    expect(lines[two]).toContain(`<@${h.alice}>`);
    expect(three).toBeGreaterThan(two);
    expect(lines[three]).toMatch(/^\*\*2\.\*\*/);
    expect(lines[three]).toContain(`<@${carol}>`);
    // The dashboard counts the line while it is there.
    const waiting = (fields: { value: string }[] | undefined) =>
      fields?.some((f) => f.value === "2 waiting") ?? false;
    await h.waitForDashboard(thread.id, (d) => d.state === "busy" && waiting(d.message.embeds[0]?.fields));
    held.release();

    const done = await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.text.includes("#3") && d.text.includes("then halve the beans"),
    );
    expect(done.message.history.some((v) => waiting(v.embeds[0]?.fields))).toBe(true);
    const answers = await h.emu.waitFor(
      () => {
        const posts = h.botPosts(thread.id).map((m) => m.content);
        return posts.some((c) => c.includes(third)) ? posts : undefined;
      },
      { timeoutMs: EVENT_WAIT_MS, what: "the third answer" },
    );
    const order = [first, second, third].map((text) => answers.findIndex((c) => c.includes(text)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));

    // Same OMP conversation: each follow-up's model request carries the exchanges before it.
    const secondRequest = h.model.requestsMatching("now double the beans")[0];
    expect(secondRequest).toBeDefined();
    expect(requestText(secondRequest!)).toContain("count the slow beans in the jar");
    expect(requestText(secondRequest!)).toContain(first);
    const thirdRequest = h.model.requestsMatching("then halve the beans")[0];
    expect(requestText(thirdRequest!)).toContain("now double the beans");
    expect(requestText(thirdRequest!)).toContain(second);
  });

  it("a plain message from an allowed user in a session thread is queued (📥) and runs; one from a user who is not allowed is ignored", async () => {
    h.model.on("start the plain session", reply("Plain session ready."));
    h.model.on("ignore me please", reply("Bob's words reached the model."));
    h.model.on("rename the helper", reply("Renamed the helper to parseLine."));

    const { thread } = await h.launch("start the plain session");
    await h.waitForDashboard(thread.id, (d) => d.state === "idle" && d.text.includes("#1"));

    // bob is not on the allowed list: his message is chat, not a prompt.
    const fromBob = h.emu.as(h.bob).postMessage(thread.id, "ignore me please and rename everything");
    const fromAlice = h.emu.as(h.alice).postMessage(thread.id, "rename the helper to parseLine");

    await h.emu.waitFor(
      () => h.emu.message(fromAlice.id)?.reactions.find((r) => r.emoji === "📥" && r.userIds.length > 0),
      { timeoutMs: EVENT_WAIT_MS, what: "📥 on alice's message" },
    );
    const ran = await h.waitForDashboard(
      thread.id,
      (d) => d.state === "idle" && d.text.includes("#2") && d.text.includes("rename the helper"),
    );
    expect(ran.text).toContain(`<@${h.alice}>`);
    await h.emu.waitFor(
      () => h.botPosts(thread.id).find((m) => m.content.includes("Renamed the helper to parseLine.")),
      { timeoutMs: EVENT_WAIT_MS, what: "the answer to alice's message" },
    );

    // bob's message came first on the gateway, so it was handled (and ignored) before alice's ran.
    expect(h.emu.message(fromBob.id)?.reactions ?? []).toEqual([]);
    expect(h.model.requestsMatching("ignore me please")).toEqual([]);
    expect(h.botPosts(thread.id).some((m) => m.content.includes("Bob's words"))).toBe(false);
    expect(h.botPosts(thread.id).some((m) => m.referencedMessageId === fromBob.id)).toBe(false);
    const session = h.app!.store.getSessionByThread(thread.id)!;
    expect(h.app!.store.latestRun(session.id)?.runNumber).toBe(2);
  });
});
