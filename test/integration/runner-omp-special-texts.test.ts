// Texts omp 18.2.3 treats specially, each sent as a whole prompt through the runner to real omp: each
// must reach the fake model as the user's message and nothing else may happen (no help, no version, no
// subcommand, no flag, no file attached, no other session resumed). The runner never puts user text in
// argv (test/unit/omp-args.test.ts checks that for every command name and flag in the pinned omp's own
// tables); these runs prove the other half, that omp takes whatever arrives on stdin as the prompt.
// One real omp run costs about 2.5 s of CPU, so the list is the shapes omp acts on, not every word;
// a run of the whole list (93 texts, all 53 command names and reserved words included) against this
// omp saw every one of them reach the model.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOmpRunner, type OmpRunner } from "../../src/omp/index.js";
import { ZWJ } from "../../src/omp/neutralise.js";
import {
  type ChatRequest,
  conversationPosition,
  type FakeModel,
  reply,
  requestText,
  startFakeModel,
} from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";

const CANARY = "CANARY-CONTENTS-5d1e";

/**
 * Flags omp's argument parsers act on (its help/version scan looks at the whole argv, `--` or not),
 * words and shapes it dispatches on, file mentions, slash commands, magic keywords, and text that
 * looks empty or starts with a dash.
 */
const SPECIAL_TEXTS: readonly string[] = [
  // omp's help and version checks look at the whole argv, `--` or not.
  "--help",
  "-h",
  "--version",
  "-v",
  // Flags that would change the run: another model, print mode.
  "--model local/other",
  "-p",
  // Words omp dispatches on as its first argument: help and subcommands.
  "help",
  "update",
  "stats",
  // After `--continue`, a session id alone is read as `--resume <id>`.
  "3f2a9c4e-1b2d-4c3e-8f9a-0123456789ab",
  // Prompt-level transforms: a file mention, a slash command, a magic keyword.
  "@canary.txt",
  "/help",
  "ultrathink",
  // Text that looks empty, or is a flag with whitespace around it, or starts with a dash.
  "\u200b",
  "  -c -h  ",
  "- a list item that starts with a dash",
];

/**
 * The user's words in a user message: omp puts a `<system-reminder>` (date, working directory) in front
 * of them; our invisible joiners are removed and the ends trimmed.
 */
function normalised(text: string): string {
  return text
    .replace(/^<system-reminder>[\s\S]*?<\/system-reminder>/, "")
    .replaceAll(ZWJ, "")
    .trim();
}

let model: FakeModel;
let home: OmpHome;
let runner: OmpRunner;
let scratch: string;

beforeAll(async () => {
  model = await startFakeModel();
  home = createOmpHome(model.baseUrl);
  writeFileSync(join(home.workDir, "canary.txt"), `${CANARY}\n`);
  scratch = mkdtempSync(join(tmpdir(), "ompcord-special-"));
  runner = createOmpRunner({
    bin: OMP_BIN,
    model: FAKE_MODEL_ID,
    // Generous: a loaded machine slows omp down, and the time limit is not what these runs test.
    runTimeoutMs: 240_000,
    maxRetries: 0,
    env: home.env,
    overlayPath: join(scratch, "overlay.yml"),
  });
});

afterAll(async () => {
  await model?.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function runToModel(text: string, index: number) {
  const marker = `model-reply-${index}`;
  model.on((userText) => normalised(userText) === normalised(text), reply(marker));
  const result = await runner.start({
    prompt: text,
    cwd: home.workDir,
    sessionDir: join(scratch, `session-${index}`),
    sessionId: `special-${index}`,
    transcriptPath: join(scratch, `transcript-${index}.txt`),
  }).done;
  const sent = model.requests.filter(
    (body: ChatRequest) => normalised(conversationPosition(body).userText) === normalised(text),
  );
  return { marker, result, sent };
}

// One after another: concurrent omp processes would take CPU from the e2e files that run alongside this
// one (runner-omp.test.ts runs its tests side by side instead: most of its time is waiting).
describe("user text never acts on omp: each special text reaches the model as the message", () => {
  it.each(SPECIAL_TEXTS.map((text, index) => [JSON.stringify(text), text, index] as const))(
    "%s",
    { timeout: 300_000 },
    async (_name, text, index) => {
      const { marker, result, sent } = await runToModel(text, index);
      expect(result.error).toBeUndefined();
      expect(result.outcome).toBe("success");
      expect(result.finalText).toBe(marker);
      expect(sent).toHaveLength(1);
      // The configured model answered: no `--model` in the text switched it.
      expect(sent[0]!.model).toBe("fake");
      // Nothing was attached.
      expect(JSON.stringify(sent[0])).not.toContain(CANARY);
    },
  );

  it("a 150 KB prompt reaches the model whole", { timeout: 300_000 }, async () => {
    const text = `long special marker ${"lorem ipsum ".repeat(12_500)} --help end-of-long-special`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(150_000);
    const { marker, result, sent } = await runToModel(text, SPECIAL_TEXTS.length);
    expect(result.outcome).toBe("success");
    expect(result.finalText).toBe(marker);
    expect(sent).toHaveLength(1);
    expect(requestText(sent[0]!)).toContain("end-of-long-special");
  });
});
