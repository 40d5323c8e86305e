// The ompcord extension inside real omp (under Bun, the built bundle, `--trusted-extension`) against a
// sidecar that misbehaves in every way the invariants name: down, stalled, answering 500 or garbage,
// closing connections. The run goes on and answers; each kind of failure is one stderr line; a cancel
// with a stalled sidecar leaves a session that resumes. omp is spawned directly here, to see its stderr.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXTENSION_BUNDLE } from "../../src/omp/extension.js";
import { buildOmpArgs, overlayYaml, parseEventLine } from "../../src/omp/index.js";
import {
  bashThenReply,
  type FakeModel,
  heldReply,
  reply,
  startFakeModel,
} from "../support/fake-model/index.js";
import { createOmpHome, FAKE_MODEL_ID, OMP_BIN, type OmpHome } from "../support/omp-home.js";

let model: FakeModel;
let home: OmpHome;
let scratch: string;
let overlay: string;
let counter = 0;

beforeAll(async () => {
  model = await startFakeModel();
  home = createOmpHome(model.baseUrl);
  scratch = mkdtempSync(join(tmpdir(), "ompcord-extension-"));
  overlay = join(scratch, "overlay.yml");
  writeFileSync(overlay, overlayYaml({ maxRetries: 0 }));
});
afterAll(async () => {
  await model?.close();
  home?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

interface Spawned {
  process: ResultPromise<{
    input: string;
    reject: false;
    env: Record<string, string>;
    extendEnv: false;
    cwd: string;
  }>;
  sessionDir: string;
}

/** omp as a bot run starts it, with the extension and a sidecar at `apiUrl`. */
function spawnOmp(
  prompt: string,
  apiUrl: string,
  options: { resume?: string; sessionDir?: string } = {},
): Spawned {
  const sessionDir = options.sessionDir ?? join(scratch, `session-${++counter}`);
  mkdirSync(sessionDir, { recursive: true });
  const { args } = buildOmpArgs({
    model: FAKE_MODEL_ID,
    maxTimeMs: 120_000,
    configOverlayPath: overlay,
    sessionDir,
    continuation: options.resume ? { kind: "resume", ompSessionId: options.resume } : { kind: "continue" },
    cwd: home.workDir,
    extensionPath: EXTENSION_BUNDLE,
    text: prompt,
  });
  const process = execa(OMP_BIN, args, {
    input: prompt,
    reject: false,
    cwd: home.workDir,
    extendEnv: false,
    env: {
      ...home.env,
      OMPCORD_API_URL: apiUrl,
      OMPCORD_RUN_TOKEN: `ompcord_run_${"t".repeat(43)}`,
      OMPCORD_SESSION_ID: "session-under-test",
    },
  });
  return { process, sessionDir };
}

const extensionLines = (stderr: string) =>
  stderr.split("\n").filter((line) => line.startsWith("[ompcord extension]"));
const events = (stdout: string) =>
  stdout
    .split("\n")
    .map((line) => parseEventLine(line))
    .filter((event) => event !== undefined);

/** An HTTP sidecar that answers every request with `answer` (or never, when it returns undefined). */
async function misbehavingSidecar(answer: (res: ServerResponse) => boolean | undefined) {
  let requests = 0;
  const held: ServerResponse[] = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      if (!answer(res)) held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server that closes every connection as it opens. */
async function closingSidecar() {
  const server = createTcpServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on. */
async function deadPort(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe.concurrent("the extension never crashes omp", () => {
  const cases: [string, () => Promise<{ url: string; close: () => Promise<void> }>][] = [
    ["is down", async () => ({ url: await deadPort(), close: async () => {} })],
    [
      "answers 500",
      () =>
        misbehavingSidecar((res) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end('{"error":"internal_error","message":"broken"}');
          return true;
        }),
    ],
    [
      "answers malformed JSON",
      () =>
        misbehavingSidecar((res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end("{not json at all");
          return true;
        }),
    ],
    ["closes every connection", closingSidecar],
    ["never answers", () => misbehavingSidecar(() => undefined)],
  ];

  it.each(cases)(
    "a sidecar that %s: the run answers, and each kind of failure is one stderr line",
    async (name, start) => {
      const sidecar = await start();
      try {
        const prompt = `misbehaving sidecar that ${name}`;
        model.on(prompt, bashThenReply("echo tool-ran", `Answer despite a sidecar that ${name}.`));
        const { process } = spawnOmp(prompt, sidecar.url);
        const result = await process;
        expect(result.exitCode, result.stderr).toBe(0);
        const finals = events(result.stdout).filter(
          (event) => event.type === "message_end" && event.message.role === "assistant",
        );
        const last = finals.at(-1);
        expect(last?.type === "message_end" ? last.message.text : undefined).toBe(
          `Answer despite a sidecar that ${name}.`,
        );
        expect(result.stderr).not.toMatch(/Unhandled Rejection|Uncaught Exception|Extension error/);
        const lines = extensionLines(result.stderr);
        expect(new Set(lines).size, lines.join("\n")).toBe(lines.length);
      } finally {
        await sidecar.close();
      }
    },
  );
});

describe("the extension never blocks a cancel", () => {
  it("SIGTERM with telemetry stuck on a stalled sidecar: omp ends on its own, no handler times out, the session resumes", async () => {
    const sidecar = await misbehavingSidecar(() => undefined);
    try {
      const held = heldReply("Thinking about it, ");
      model.on("cancel me while the sidecar stalls", held.step);
      const first = spawnOmp("cancel me while the sidecar stalls", sidecar.url);
      let ompSessionId: string | undefined;
      // omp saves a session once it holds an assistant message: the cancel must come after omp itself
      // streamed the reply's first words, not merely after the model sent them.
      let streaming = false;
      let pending = "";
      first.process.stdout?.on("data", (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          const event = parseEventLine(line);
          if (event?.type === "session") ompSessionId = event.id;
          if (event?.type === "text_delta") streaming = true;
        }
      });
      await held.reached;
      // Telemetry is on its way to a sidecar that never answers (context use at agent start).
      while (sidecar.requests() < 1 || !streaming) await new Promise((resolve) => setTimeout(resolve, 20));
      first.process.kill("SIGTERM");
      const cancelled = await first.process;
      held.release();
      // omp ran its shutdown handlers and exited itself: no handler hit omp's 2 s shutdown cap.
      expect(cancelled.stderr).not.toMatch(/timed out/);
      expect(cancelled.signal ?? "").not.toBe("SIGKILL");
      expect(ompSessionId).toBeDefined();

      model.on("and now continue", reply("Resumed fine."));
      const second = await spawnOmp("and now continue", sidecar.url, {
        resume: ompSessionId!,
        sessionDir: first.sessionDir,
      }).process;
      expect(second.exitCode, second.stderr).toBe(0);
      const request = model.requestsMatching("and now continue").at(-1);
      expect(JSON.stringify(request?.messages)).toContain("cancel me while the sidecar stalls");
    } finally {
      await sidecar.close();
    }
  });
});
