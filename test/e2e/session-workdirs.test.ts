// Each session works in its own directory under the workspace root, made by the bot before its first
// run, so one thread's files are not another's (and, sandboxed, not in its sight). A channel with a
// project directory shares it between its sessions (safety-injection.test.ts runs in one).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { bashThenReply, requestText } from "../support/fake-model/index.js";

const RUN = { timeoutMs: RUN_WAIT_MS };

describe("sessions of a channel without a project directory", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("each work in <workspace root>/<session id>, made for them: one session's file is not in the other's", async () => {
    const sessions = [];
    for (const name of ["first", "second"]) {
      const prompt = `where does the ${name} session work`;
      h.model.on(prompt, bashThenReply(`pwd && echo ${name} > mine.txt && ls`, `Worked (${name}).`));
      const { thread } = await h.launch(prompt);
      await h.emu.waitForMessage((m) => m.channelId === thread.id && m.content === `Worked (${name}).`, RUN);
      const session = h.app!.ctx.sessions.byThread(thread.id)!;
      sessions.push({ name, session, seen: requestText(h.model.requestsMatching(prompt).at(-1)!) });
    }
    const [first, second] = sessions;
    expect(first!.session.workDir).toBe(join(h.config.omp.workDir, first!.session.id));
    expect(second!.session.workDir).toBe(join(h.config.omp.workDir, second!.session.id));
    for (const { name, session, seen } of sessions) {
      expect(seen).toContain(session.workDir);
      expect(readFileSync(join(session.workDir, "mine.txt"), "utf8")).toBe(`${name}\n`);
    }
    // Nothing in the workspace root itself, and the second listing shows only its own file.
    expect(existsSync(join(h.config.omp.workDir, "mine.txt"))).toBe(false);
    expect(second!.seen).not.toContain(first!.session.id);
  });
});
