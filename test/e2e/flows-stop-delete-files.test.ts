// `/omp stop delete_files:true` as a person uses it: the session stops and its own files (transcripts,
// omp session) are deleted, its rows and its workspace kept; a plain `/omp stop` deletes nothing.
// Real omp against the fake model, discord.js against the emulator.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerText,
  type BotHarness,
  EVENT_WAIT_MS,
  RUN_WAIT_MS,
  startBotHarness,
} from "../support/bot-harness.js";
import { reply } from "../support/fake-model/index.js";

describe("/omp stop and a session's files", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A session that ran one prompt to its end; its transcript and omp session are on disk. */
  async function finishedSession(prompt: string) {
    h.model.on(prompt, reply(`Answer to ${prompt}.`));
    const { thread } = await h.launch(prompt);
    await h.emu.waitForMessage(
      (m) => m.channelId === thread.id && m.content.includes(`Answer to ${prompt}`),
      {
        timeoutMs: RUN_WAIT_MS,
      },
    );
    const session = h.app!.store.getSessionByThread(thread.id)!;
    const transcripts = join(h.config.transcriptsDir, session.id);
    const ompSession = join(h.config.ompSessionsDir, session.id);
    expect(readdirSync(transcripts).length).toBeGreaterThan(0);
    expect(readdirSync(ompSession).length).toBeGreaterThan(0);
    return { thread, session, transcripts, ompSession };
  }

  it("`delete_files:true` deletes the session's transcripts and omp session, and keeps its rows and workspace", async () => {
    const { thread, session, transcripts, ompSession } = await finishedSession("files to forget");
    const handle = h.emu.as(h.alice).runCommand({
      channelId: thread.id,
      name: "omp",
      subcommand: "stop",
      options: { delete_files: true },
    });
    await handle.waitForReply({ timeoutMs: EVENT_WAIT_MS });
    const text = answerText(handle.view());
    expect(text).toMatch(/Session stopped/);
    expect(text).toMatch(/This session's files were deleted \(\d+ director(y|ies)/);
    expect(existsSync(transcripts)).toBe(false);
    expect(existsSync(ompSession)).toBe(false);
    // History stays: the session and its run are still in the database, the workspace untouched.
    expect(h.app!.store.getSession(session.id)?.stoppedAt).not.toBeNull();
    expect(h.app!.store.latestRun(session.id)?.outcome).toBe("success");
    expect(existsSync(session.workDir)).toBe(true);
  });

  it("a plain `/omp stop` keeps the files", async () => {
    const { thread, transcripts, ompSession } = await finishedSession("files to keep");
    const stop = await h.command(h.alice, thread.id, "stop");
    expect(answerText(stop)).toMatch(/Session stopped/);
    expect(answerText(stop)).not.toMatch(/deleted/);
    expect(existsSync(transcripts)).toBe(true);
    expect(existsSync(ompSession)).toBe(true);
  });
});
