// Discord text is data for the agent, never instructions for omp (SPEC §2, §8): `@file` includes, flags,
// subcommands, slash commands and magic keywords in a prompt reach the model as the words the person
// wrote, and omp acts on none of them.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerText, type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { type ChatRequest, contentText, reply } from "../support/fake-model/index.js";

/**
 * What the person wrote, as the model reads it: without the invisible joiners the bot inserts to defuse
 * a trigger, and without the date/cwd reminder omp itself puts before every prompt.
 */
const visible = (text: string) =>
  text.replace(/^<system-reminder>[\s\S]*?<\/system-reminder>/, "").replace(/[\u200b-\u200d]/g, "");

describe("injection through Discord text", () => {
  let h: BotHarness;
  const FILE_MARKER = "CONTENTS-OF-NOTES-FILE-4711";

  beforeAll(async () => {
    // The file sits in the directory the runs work in: the channel's project.
    h = await startBotHarness({ channelProject: true });
    writeFileSync(join(h.home.workDir, "notes.txt"), `${FILE_MARKER}\n`);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The user messages of every model request of the conversation whose prompt contains `marker`. */
  const userTexts = (requests: ChatRequest[]) =>
    requests.flatMap((r) =>
      (r.messages ?? []).filter((m) => m.role === "user").map((m) => contentText(m.content)),
    );

  /** Launches `prompt` by 🚀, waits for the model's scripted `answer` in the thread; the requests that carried it. */
  const run = async (prompt: string, answer: string) => {
    const before = h.model.requests.length;
    h.model.on((text) => visible(text).includes(prompt), reply(answer));
    const { thread } = await h.launch(prompt);
    await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content.includes(answer), {
      timeoutMs: RUN_WAIT_MS,
    });
    return h.model.requests.slice(before);
  };

  it("`explain @notes.txt and @/etc/hostname` reaches the model as words, without either file", async () => {
    const prompt = "explain @notes.txt and @/etc/hostname";
    const requests = await run(prompt, "I see two file names.");
    expect(requests.length).toBeGreaterThan(0);
    expect(userTexts(requests).map(visible)).toContain(prompt);
    const bodies = requests.map((r) => JSON.stringify(r)).join("\n");
    expect(bodies).not.toContain(FILE_MARKER);
    // omp attaches an included file as its own user content; only the prompt itself may be there.
    for (const text of userTexts(requests)) expect(visible(text)).toBe(prompt);
  });

  it("`--help` and `-h` are prompts, not omp's help: the model is asked and answers each", async () => {
    // omp looks for these anywhere in its argv, even after `--`: only stdin keeps them words.
    expect(userTexts(await run("--help", "Help with what?")).map(visible)).toEqual(["--help"]);
    expect(userTexts(await run("-h", "Short help with what?")).map(visible)).toEqual(["-h"]);
  });

  it("`--version` is a prompt, not omp's flag: the model is asked and answers", async () => {
    const requests = await run("--version", "You asked about a version.");
    expect(userTexts(requests).map(visible)).toEqual(["--version"]);
  });

  it("`/compact` is a prompt, not omp's slash command: the model is asked and answers", async () => {
    const requests = await run("/compact", "Nothing to compact here.");
    expect(userTexts(requests).map(visible)).toEqual(["/compact"]);
  });

  it("`update` is a prompt, not omp's subcommand: the model is asked and answers", async () => {
    const requests = await run("update", "Update what?");
    expect(userTexts(requests).map(visible)).toEqual(["update"]);
  });

  it("`ultrathink` reaches the model as the word, with no hidden instructions added", async () => {
    const prompt = "ultrathink about the bug";
    const requests = await run(prompt, "Thinking normally.");
    // The user turn is exactly what was written: omp appended nothing for the magic keyword.
    expect(userTexts(requests).map(visible)).toEqual([prompt]);
  });

  it("a NUL byte in a prompt is dropped: the run starts and the model reads the words around it", async () => {
    h.model.on("nul byte test", reply("Read without the NUL."));
    const view = await h.command(h.alice, h.world.channelId, "new", { prompt: "nul byte\u0000 test" });
    const threadId = /<#(\d+)>/.exec(answerText(view))?.[1];
    expect(threadId).toBeDefined();
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.content.includes("Read without the NUL."),
      {
        timeoutMs: RUN_WAIT_MS,
      },
    );
    expect(userTexts(h.model.requestsMatching("nul byte test")).map(visible)).toEqual(["nul byte test"]);
    expect(h.app!.ctx.sessions.byThread(threadId!)?.state).not.toBe("failed");
  });
});
