// Every secret shape in every sink (SPEC §6): the model prints each shape the redactor knows, in a tool's
// output and in its answer (one of them across the 16 KiB cut of a long line, a bare AWS secret key next
// to its key id), and people paste keys into prompts; then no raw secret may be found in anything the
// bot wrote: Discord messages and their edits, embeds, thread names, interaction answers, attachments
// (answer.md, the transcript), transcript files, any column of any table, the log. omp's own session
// files keep the raw conversation by design (README, Trust) and are not looked at.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerText, type BotHarness, RUN_WAIT_MS, startBotHarness } from "../support/bot-harness.js";
import { bashThenReply, reply } from "../support/fake-model/index.js";

/** Every value FAKE: the shape of a real credential, issued by nobody; built from pieces at run time. */
const fake = (...pieces: string[]) => pieces.join("");
const SECRETS = {
  openai: fake("sk-proj-", "FAKEfakeFAKEfake", "0123456789abcdefFAKE"),
  anthropic: fake("sk-ant-api03-", "FAKEfakeFAKEfake0123456789", "-abcdefghijkl_mnopqrstu"),
  githubClassic: fake("ghp_", "FAKE0fake1FAKE2fake3", "FAKE4fake5FAKE6f"),
  githubFineGrained: fake("github_pat_", "11FAKE0000fake_", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"),
  slack: fake("xoxb-", "123456789012-", "1234567890123-", "FAKEfakeFAKEfake"),
  awsKeyId: fake("AKIA", "FAKEFAKEFAKEFAKE"),
  awsSecret: fake("FAKEfake0FAKEfake1", "FAKEfake2FAKEfake3", "FAKE"),
  google: fake("AIza", "SyFAKEfakeFAKEfake", "0123456789_-FAKEf"),
  jwt: fake("eyJhbGciOiJIUzI1NiJ9", ".", "eyJzdWIiOiJGQUtFIn0", ".", "FAKEsignatureFAKEsignature"),
  discordToken: fake("MTIzNDU2Nzg5MDEyMzQ1Njc4", ".", "GFAKEx", ".", "FAKEfakeFAKEfakeFAKEfakeFAKEfake01"),
  privateKeyBody: fake("FAKEb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9u", "ZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"),
  password: fake("FAKE", "hunter2", "value"),
  bearer: fake("FAKEbearer", "TOKENvalue123"),
  envSecret: fake("FAKE-env-", "secret-value-42"),
  /** Pasted into the launching prompt and a follow-up. */
  pasted: fake("sk-proj-", "PASTEDpastedPASTED", "0123456789pasted"),
};
/** The token placed across the 16 KiB cut of a newline-less line: neither half may show. */
const STRADDLING = fake("ghp_", "STRADDLEstraddle01", "STRADDLEstraddle23");
const LINE_CUT = 16 * 1024;

const privateKey = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  SECRETS.privateKeyBody.slice(0, 40),
  SECRETS.privateKeyBody.slice(40),
  "-----END OPENSSH PRIVATE KEY-----",
].join("\n");

/** All the shapes in one text, each as an agent would print it. */
function everyShape(): string {
  return [
    `OPENAI_API_KEY=${SECRETS.openai}`,
    `anthropic key: ${SECRETS.anthropic}`,
    `git remote: https://x-access-token:${SECRETS.githubClassic}@github.example/repo`,
    `fine-grained ${SECRETS.githubFineGrained}`,
    `slack ${SECRETS.slack}`,
    `aws ${SECRETS.awsKeyId} ${SECRETS.awsSecret}`,
    `google ${SECRETS.google}`,
    `jwt ${SECRETS.jwt}`,
    `discord ${SECRETS.discordToken}`,
    privateKey,
    `db password=${SECRETS.password}`,
    `Authorization: Bearer ${SECRETS.bearer}`,
    `service ${SECRETS.envSecret}`,
  ].join("\n");
}

describe("every secret shape in every sink", () => {
  let h: BotHarness;
  let threadId: string;
  let botToken: string;

  beforeAll(async () => {
    h = await startBotHarness({
      configInProcessEnv: true,
      processEnv: { MY_SERVICE_TOKEN: SECRETS.envSecret },
    });
    botToken = h.emu.botToken;
    // One newline-less line with a token 20 characters before the 16 KiB cut, after the shapes.
    const longLine = `${"f".repeat(LINE_CUT - 21)} ${STRADDLING} ${"tail ".repeat(400)}`;
    const answer = `${everyShape()}\nbot token ${botToken}\n${longLine}\nall shapes answer`;
    // The tool prints every shape too (and its command, shown as `▶ bash: …`, holds them).
    h.model.on(
      "print every shape",
      bashThenReply(`cat <<'SHAPES'\n${everyShape()}\nSHAPES\necho "bot token ${botToken}"`, answer),
    );
    h.model.on("follow-up", reply("follow-up answer"));
    const { thread } = await h.launch(`print every shape, and use ${SECRETS.pasted} for the API`);
    threadId = thread.id;
    await h.emu.waitForMessage(
      (m) => m.channelId === threadId && m.author.bot && m.content.includes("answer.md"),
      { timeoutMs: RUN_WAIT_MS },
    );
    await h.waitForDashboard(threadId, (d) => d.state === "idle");
    const said = await h.command(h.alice, threadId, "say", { prompt: `follow-up with ${SECRETS.pasted}` });
    expect(answerText(said)).toContain("[REDACTED]");
    await h.emu.waitForMessage((m) => m.channelId === threadId && m.content.includes("follow-up answer"), {
      timeoutMs: RUN_WAIT_MS,
    });
    await h.waitForDashboard(threadId, (d) => d.state === "idle" && d.text.includes("follow-up"));
    await h.command(h.alice, threadId, "queue");
    // A log line longer than the log's cut, with secrets all along it and one across the cut.
    h.app!.ctx.logger.warn({ output: `${"x".repeat(8 * 1024 - 20)} ${STRADDLING} ${everyShape()}` }, "probe");
    // Two real runs: up to a run ceiling each.
  }, 2 * RUN_WAIT_MS);
  afterAll(async () => {
    await h?.close();
  });

  /** Every raw value, the bot token, and both halves of the straddling token. */
  const forbidden = (): [string, string][] => [
    ...Object.entries(SECRETS),
    ["bot token", botToken],
    ["straddling head", STRADDLING.slice(0, 20)],
    ["straddling tail", STRADDLING.slice(20)],
  ];
  const expectClean = (where: string, text: string) => {
    for (const [name, value] of forbidden()) expect(text, `${name} in ${where}`).not.toContain(value);
  };

  it("the run really printed every shape, across the cut, as attachments too", () => {
    const posts = h.botPosts(threadId);
    const files = posts.flatMap((p) => p.attachments.map((a) => a.filename));
    expect(files).toEqual(expect.arrayContaining(["answer.md", "transcript-run1.log"]));
    const answerMd = posts.flatMap((p) => p.attachments).find((a) => a.filename === "answer.md")!;
    const text = h.emu.attachmentBytes(answerMd.id).toString("utf8");
    expect(text).toContain("all shapes answer");
    expect(text.split("[REDACTED]").length - 1).toBeGreaterThanOrEqual(14);
  });

  it("no Discord message, edit, embed, attachment, thread name or interaction answer holds a secret", () => {
    const channels = [h.world.channelId, ...h.emu.threads().map((t) => t.id)];
    for (const channelId of channels) {
      for (const message of h.emu.messages(channelId, { includeDeleted: true })) {
        if (!message.author.bot) continue;
        expectClean(`message ${message.id}`, JSON.stringify(message.history));
        for (const attachment of message.attachments) {
          expectClean(attachment.filename, h.emu.attachmentBytes(attachment.id).toString("utf8"));
        }
      }
    }
    for (const thread of h.emu.threads()) expectClean(`thread name ${thread.id}`, thread.name);
    expect(h.emu.channel(threadId).name).toContain("[REDACTED]");
    // (An interaction also holds the person's own command with its options: only the bot's answers count.)
    for (const interaction of h.emu.interactions())
      expectClean("interaction answer", answerText(interaction));
  });

  it("no transcript file holds a secret", () => {
    const files = readdirSync(h.config.transcriptsDir, { recursive: true, withFileTypes: true }).filter((f) =>
      f.isFile(),
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expectClean(file.name, readFileSync(join(file.parentPath, file.name), "utf8"));
  });

  it("no column of any table holds a secret, prompts included once they have run", () => {
    const sqlite = h.app!.store.sqlite;
    const tables = sqlite.prepare("select name from sqlite_master where type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["prompts", "runs", "sessions"]));
    for (const { name } of tables)
      expectClean(`table ${name}`, JSON.stringify(sqlite.prepare(`select * from "${name}"`).all()));
    const prompts = sqlite.prepare("select status, text from prompts order by position").all();
    expect(prompts).toEqual([
      { status: "done", text: "print every shape, and use [REDACTED] for the API" },
      { status: "done", text: "follow-up with [REDACTED]" },
    ]);
  });

  it("the log holds no secret, even in a line cut for length", () => {
    const log = h.logText();
    expect(log).toContain('"msg":"probe"');
    expect(log).toContain("more characters not logged");
    expectClean("bot.log", log);
  });
});
