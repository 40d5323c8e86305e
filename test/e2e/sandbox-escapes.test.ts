// What an agent tries, as a suspicious user would: the bot started as people start it (a process of an
// ordinary account, its token in its environment), two sessions, and the second one's agent driving the
// real omp `bash` tool at everything it must not reach. With the sandbox every attempt fails and nothing
// of it reaches the model, the transcript or Discord; with OMPCORD_SANDBOX=off the same attempts
// succeed, which is what the sandbox is for.

import { randomBytes } from "node:crypto";
import { appendFileSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import type { BotProcess } from "../support/bot-process.js";
import { bashThenReply, requestText } from "../support/fake-model/index.js";

/** Who runs the bot: `nobody` when the suite runs as root (as CI does), this user otherwise. */
const BOT_USER = process.getuid?.() === 0 ? { uid: 65_534, gid: 65_534 } : undefined;
const RUN = { timeoutMs: RUN_WAIT_MS };

/** Hands a tree to the bot's account, so the bot can use the harness's directories as its own. */
function chownTree(path: string, to: { uid: number; gid: number }): void {
  chownSync(path, to.uid, to.gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), to);
}

/** Two sessions, each a real omp run (and a bot process start) on a loaded machine. */
const SCENARIO_MS = 3 * RUN_WAIT_MS;

const canary = (name: string) => `CANARY-${name}-${randomBytes(6).toString("hex")}`;

interface Scenario {
  h: BotHarness;
  bot: BotProcess;
  canaries: { dotenv: string; environ: string; otherSession: string };
  /** Host paths the agent must not be able to write. */
  outside: { extension: string; sibling: string; dataDir: string };
  /** What the model got back from the escape attempts. */
  seen: string;
  transcript: string;
  threadB: string;
}

/** Each attempt prints `<<tag>>`, then what it got (or the error), then `<</tag>>`. */
function escapeScript(paths: Record<string, string>, botPid: number): string {
  const attempts: Array<[string, string]> = [
    ["dotenv", `cat '${paths.envFile}'`],
    ["environ", `cat /proc/${botPid}/environ | tr '\\0' '\\n'`],
    ["proc", `ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '`],
    // (SQLite in WAL mode: the newest rows are still in the -wal file.)
    ["database", `cat '${paths.database}' '${paths.database}-wal' | grep -a -o 'CANARY-[a-z]*-[0-9a-f]*'`],
    ["apitoken", `cat '${paths.apiToken}'`],
    ["otherworkdir", `ls -a '${paths.otherWorkDir}' && cat '${paths.otherWorkDir}/secret.txt'`],
    ["othersession", `cat '${paths.otherSessionDir}'/*.jsonl | head -c 4000`],
    [
      "extensions",
      `mkdir -p '${paths.extensionsDir}' && echo 'export default () => {}' > '${paths.extension}' && echo WROTE`,
    ],
    ["sibling", `echo planted > '${paths.sibling}' && echo WROTE`],
    ["datadir", `echo planted > '${paths.dataDirFile}' && echo WROTE`],
  ];
  return attempts
    .map(([tag, command]) => `echo '<<${tag}>>'; (${command}) 2>&1 | head -c 4000; echo '<</${tag}>>'`)
    .join("; ");
}

/** What attempt `tag` printed. */
function attempt(seen: string, tag: string): string {
  const start = seen.indexOf(`<<${tag}>>`);
  const end = seen.indexOf(`<</${tag}>>`);
  expect(start, `attempt ${tag} reached the model`).toBeGreaterThanOrEqual(0);
  return seen.slice(start + tag.length + 4, end);
}

/** A thread's session row, read from the bot's database. */
function sessionOf(h: BotHarness, threadId: string): { id: string; workDir: string } {
  const db = new Database(h.config.databasePath, { readonly: true });
  try {
    const query = db.prepare("SELECT id, work_dir AS workDir FROM sessions WHERE thread_id = ?");
    return query.get(threadId) as { id: string; workDir: string };
  } finally {
    db.close();
  }
}

async function scenario(mode: "auto" | "off"): Promise<Scenario> {
  const h = await startBotHarness({ env: { OMPCORD_SANDBOX: mode } });
  await h.app?.stop({ graceMs: 0 });
  h.app = undefined;
  const canaries = { dotenv: canary("dotenv"), environ: canary("environ"), otherSession: canary("session") };
  // The checkout's .env (where the bot starts), with a value the bot never hands to omp.
  appendFileSync(h.config.envFile, `ESCAPE_CANARY=${canaries.dotenv}\n`);
  if (BOT_USER) {
    chownTree(h.dataDir, BOT_USER);
    chownTree(h.home.home, BOT_USER);
  }
  const bot = await h.spawnBot({
    env: { ESCAPE_ENVIRON_CANARY: canaries.environ },
    ...(BOT_USER ? { user: BOT_USER } : {}),
  });

  // Session A leaves its secret in its own working directory, its conversation and the database.
  const secretCommand = `echo ${canaries.otherSession} > secret.txt`;
  h.model.on(`keep ${canaries.otherSession}`, bashThenReply(secretCommand, "Kept."));
  const a = await h.launch(`keep ${canaries.otherSession}`);
  await h.emu.waitForMessage((m) => m.channelId === a.thread.id && m.content === "Kept.", RUN);
  const sessionA = sessionOf(h, a.thread.id);
  expect(readFileSync(join(sessionA.workDir, "secret.txt"), "utf8")).toContain(canaries.otherSession);

  const extensionsDir = join(h.home.home, ".omp", "agent", "extensions");
  const outside = {
    extension: join(extensionsDir, "escape.ts"),
    sibling: join(h.config.omp.workDir, "escape-sibling.txt"),
    dataDir: join(h.config.dataDir, "escape.txt"),
  };
  const script = escapeScript(
    {
      envFile: h.config.envFile,
      database: h.config.databasePath,
      apiToken: join(h.config.dataDir, "api-token"),
      otherWorkDir: sessionA.workDir,
      otherSessionDir: join(h.config.ompSessionsDir, sessionA.id),
      extensionsDir,
      extension: outside.extension,
      sibling: outside.sibling,
      dataDirFile: outside.dataDir,
    },
    bot.pid,
  );
  h.model.on("try every way out", bashThenReply(script, "Tried."));
  const b = await h.launch("try every way out");
  await h.emu.waitForMessage((m) => m.channelId === b.thread.id && m.content === "Tried.", RUN);
  const request = h.model.requestsMatching("try every way out").at(-1)!;
  const transcripts = join(h.config.transcriptsDir, sessionOf(h, b.thread.id).id);
  const transcript = readdirSync(transcripts)
    .map((file) => readFileSync(join(transcripts, file), "utf8"))
    .join("\n");
  return { h, bot, canaries, outside, seen: requestText(request), transcript, threadB: b.thread.id };
}

async function close(s: Scenario | undefined): Promise<void> {
  if (!s) return;
  await s.bot.stop(10_000);
  await s.h.close();
}

describe("with the sandbox, an agent run by a bot of an ordinary account", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario("auto");
  }, SCENARIO_MS);
  afterAll(async () => {
    await close(s);
  });

  it("ran sandboxed: the bot said so at start", () => {
    expect(s.bot.output()).toContain("each run sees only its working directory");
  });

  it("cannot read the checkout's .env, the bot's environment or its processes", () => {
    expect(attempt(s.seen, "dotenv")).toContain("No such file or directory");
    expect(attempt(s.seen, "environ")).toContain("No such file or directory");
    const pids = attempt(s.seen, "proc").trim().split(" ").map(Number);
    expect(pids).not.toContain(s.bot.pid);
    // Its own pid namespace: the sandbox's init, omp, and the commands of this one tool call.
    expect(Math.max(...pids)).toBeLessThan(50);
  });

  it("cannot read the database, the API token, another session's directory or its conversation", () => {
    for (const tag of ["database", "apitoken", "otherworkdir", "othersession"]) {
      expect(attempt(s.seen, tag), tag).toContain("No such file or directory");
    }
  });

  it("cannot write into the person's omp extensions, beside its working directory or into the data dir", () => {
    for (const path of Object.values(s.outside)) expect(existsSync(path), path).toBe(false);
  });

  it("nothing of what it was after reached the model, the transcript or Discord", () => {
    const token = readFileSync(join(s.h.config.dataDir, "api-token"), "utf8").trim();
    const secrets = [...Object.values(s.canaries), token, s.h.emu.botToken];
    const discord = s.h.emu.messages(s.threadB).map((m) => JSON.stringify(m));
    for (const secret of secrets) {
      expect(s.seen).not.toContain(secret);
      expect(s.transcript).not.toContain(secret);
      for (const message of discord) expect(message).not.toContain(secret);
    }
    expect(s.transcript).toContain("<<dotenv>>");
  });
});

describe("with OMPCORD_SANDBOX=off, the same attempts", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario("off");
  }, SCENARIO_MS);
  afterAll(async () => {
    await close(s);
  });

  it("succeed: the model gets the .env, the bot's environment and token, another session's secret", () => {
    expect(s.bot.output()).toContain("OMPCORD_SANDBOX=off");
    expect(attempt(s.seen, "dotenv")).toContain(s.canaries.dotenv);
    expect(attempt(s.seen, "environ")).toContain(s.canaries.environ);
    expect(attempt(s.seen, "environ")).toContain(`DISCORD_BOT_TOKEN=${s.h.emu.botToken}`);
    expect(attempt(s.seen, "proc").trim().split(" ").map(Number)).toContain(s.bot.pid);
    expect(attempt(s.seen, "database")).toContain(s.canaries.otherSession);
    expect(attempt(s.seen, "otherworkdir")).toContain(s.canaries.otherSession);
    expect(attempt(s.seen, "othersession")).toContain(s.canaries.otherSession);
    expect(attempt(s.seen, "apitoken").trim()).toBe(
      readFileSync(join(s.h.config.dataDir, "api-token"), "utf8").trim(),
    );
  });

  it("and write where they like", () => {
    for (const path of Object.values(s.outside)) expect(existsSync(path), path).toBe(true);
  });
});
