// Outside the bot: `npm run extension -- install` puts the extension into a person's own omp with a
// webhook URL; their omp then posts there when the agent finishes or fails (a local receiver stands in
// for Discord). The installed copy stays silent inside ompcord's bot runs: it is not even loaded there,
// and a copy loaded into a run anyway stays inert.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installDir } from "../../packages/omp-extension/src/install.js";
import { EXTENSION_BUNDLE } from "../../src/omp/extension.js";
import { createOmpRunner } from "../../src/omp/index.js";
import { type FakeModel, httpError, reply, startFakeModel } from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, NODE_BIN_DIR, OMP_BIN, type OmpHome } from "../support/omp-home.js";

const ROOT = resolve(import.meta.dirname, "../..");
/** A FAKE key, built at run time: the shape of a real one, valid nowhere. */
const FAKE_KEY = ["sk", "proj", "FAKEfakeFAKEfake0123456789abcdef"].join("-");

interface Posted {
  path: string;
  body: { content?: string; username?: string; allowed_mentions?: unknown };
}

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let receiver: Server;
let webhookUrl: string;
const posted: Posted[] = [];

beforeAll(async () => {
  model = await startFakeModel();
  home = createOmpHome(model.baseUrl);
  scratch = mkdtempSync(join(tmpdir(), "ompcord-webhook-"));
  receiver = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on("end", () => {
      posted.push({ path: req.url ?? "", body: JSON.parse(text) as Posted["body"] });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/webhooks/1/fake-webhook-token`;
});

afterAll(async () => {
  await model?.close();
  home?.cleanup();
  await new Promise<void>((done) => receiver?.close(() => done()));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The documented command, as a person runs it (with `--home` instead of their real one). */
function extensionCommand(...args: string[]) {
  return execa("npm", ["run", "--silent", "extension", "--", ...args, "--home", home.home], {
    cwd: ROOT,
    reject: false,
    env: { ...process.env, PATH: `${NODE_BIN_DIR}:${process.env.PATH ?? ""}` },
  });
}

/**
 * A person's own `omp -p`: no ompcord flags and none of the bot's overlay (which switches off the very
 * discovery an installed extension relies on), only retries off so a failure ends at once.
 */
function personalOmp(prompt: string) {
  const overlay = join(scratch, "no-retries.yml");
  writeFileSync(overlay, "retry:\n  enabled: false\n");
  return execa(OMP_BIN, ["-p", "--model", FAKE_MODEL_ID, "--config", overlay], {
    cwd: home.workDir,
    env: home.env,
    extendEnv: false,
    input: prompt,
    reject: false,
  });
}

const postsAbout = (text: string) => posted.filter((p) => p.body.content?.includes(text));

describe("the webhook tier", () => {
  it("`npm run extension -- install` refuses a URL that is not a webhook, and says where to get one", async () => {
    const result = await extensionCommand("install", "--webhook-url", "http://example.com/hook");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("does not start with https://");
    expect(result.stderr).toContain("Integrations → Webhooks");
  });

  it("installs the bundle with its settings, readable by the person only", async () => {
    const result = await extensionCommand("install", "--webhook-url", webhookUrl, "--username", "laptop");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(installDir(home.home));
    const dir = installDir(home.home);
    expect(statSync(join(dir, "index.js")).size).toBe(statSync(EXTENSION_BUNDLE).size);
    expect(statSync(join(dir, "ompcord.json")).mode & 0o777).toBe(0o600);
  });

  it("a person's own omp posts when the agent finishes: what, where, the answer's start, secrets masked, no pings", async () => {
    model.on("personal finished run", reply(`All done @everyone; the key was ${FAKE_KEY}.`));
    const result = await personalOmp("personal finished run");
    expect(result.exitCode, result.stderr).toBe(0);
    const [post] = postsAbout("All done");
    expect(post?.path).toBe("/api/webhooks/1/fake-webhook-token");
    expect(post?.body.content).toMatch(/^✅ omp finished in `work` after \d+/);
    expect(post?.body.content).toContain("> All done @everyone; the key was [REDACTED].");
    expect(post?.body.content).not.toContain(FAKE_KEY);
    expect(post?.body.allowed_mentions).toEqual({ parse: [] });
    expect(post?.body.username).toBe("laptop");
  });

  it("a person's own omp posts when the agent fails, with the error", async () => {
    model.on("personal failing run", httpError(500, "upstream exploded"));
    const result = await personalOmp("personal failing run");
    expect(result.exitCode).not.toBe(0);
    const [post] = postsAbout("upstream exploded");
    expect(post?.body.content).toMatch(/^❌ omp failed in `work`/);
  });

  it("the installed copy stays silent in ompcord's bot runs: not loaded there, and inert if loaded anyway", async () => {
    const before = posted.length;
    model.on("bot run with an installed copy", reply("Bot run answer."));
    const runner = createOmpRunner({
      bin: OMP_BIN,
      model: FAKE_MODEL_ID,
      runTimeoutMs: 120_000,
      maxRetries: 0,
      env: home.env,
      apiUrl: "http://127.0.0.1:9",
      credentials: { issue: () => ({ token: `ompcord_run_${"x".repeat(43)}`, revoke: () => {} }) },
      extensionPath: EXTENSION_BUNDLE,
      overlayPath: join(scratch, "bot-overlay.yml"),
    });
    const result = await runner.start({
      prompt: "bot run with an installed copy",
      cwd: home.workDir,
      sessionDir: join(scratch, "bot-session"),
      sessionId: "bot-session",
      transcriptPath: join(scratch, "bot.log"),
    }).done;
    expect(result.outcome).toBe("success");

    // Loaded into a run anyway (`-e`, discovery on): it sees the run's token and does nothing.
    model.on("installed copy loaded into a run", reply("Loaded anyway."));
    const loaded = await execa(
      OMP_BIN,
      ["-p", "--model", FAKE_MODEL_ID, "-e", join(installDir(home.home), "index.js")],
      {
        cwd: home.workDir,
        env: { ...home.env, OMPCORD_RUN_TOKEN: `ompcord_run_${"y".repeat(43)}`, OMPCORD_SESSION_ID: "s" },
        extendEnv: false,
        input: "installed copy loaded into a run",
        reject: false,
      },
    );
    expect(loaded.exitCode, loaded.stderr).toBe(0);
    expect(posted.slice(before)).toEqual([]);
  });

  it("`npm run extension -- uninstall` removes it, and omp posts nothing after", async () => {
    const result = await extensionCommand("uninstall");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Removed");
    const before = posted.length;
    model.on("after uninstall", reply("Nothing to post."));
    expect((await personalOmp("after uninstall")).exitCode).toBe(0);
    expect(posted.slice(before)).toEqual([]);
  });
});
