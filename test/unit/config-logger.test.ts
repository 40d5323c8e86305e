import { Writable } from "node:stream";
import { DiscordAPIError } from "discord.js";
import { describe, expect, it } from "vitest";
import { createLogger, LOG_LINE_MAX_CHARS, withContext } from "../../src/log.js";
import { createRedactor } from "../../src/output/redact.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      callback();
    },
  });
  return { lines, raw, destination };
}

const redact = (text: string) =>
  text.replaceAll("hunter2", "[redacted]").replace(/password=\S+/g, "password=[redacted]");

describe("logger", () => {
  it("writes structured lines carrying session, thread and run of a child logger", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ logLevel: "info" }, { destination });
    withContext(logger, { sessionId: "s1", threadId: "t1", runId: undefined }).info(
      { pid: 42 },
      "run started",
    );
    expect(lines).toEqual([
      expect.objectContaining({ sessionId: "s1", threadId: "t1", pid: 42, msg: "run started" }),
    ]);
    expect(lines[0]).not.toHaveProperty("runId");
  });

  it("redacts every string on the way out, messages, fields and error stacks alike, and keeps valid JSON", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ logLevel: "info" }, { destination, redact });
    // A pattern like password=\S+ run over the raw JSON line would swallow the closing quote.
    logger.info({ detail: { note: "the secret is hunter2" }, list: ["hunter2"] }, "login password=swordfish");
    logger.error({ err: new Error("failed with hunter2") }, "boom");
    const text = JSON.stringify(lines);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("swordfish");
    expect(lines[0]).toMatchObject({
      msg: "login password=[redacted]",
      detail: { note: "the secret is [redacted]" },
      list: ["[redacted]"],
    });
    expect(lines[1]).toMatchObject({ err: { stack: expect.stringContaining("failed with [redacted]") } });
  });

  it("censors credential fields even without a redactor", () => {
    const { lines, destination } = capture();
    createLogger({ logLevel: "info" }, { destination }).info(
      { token: "abc", request: { headers: { authorization: "Bearer abc" } } },
      "x",
    );
    expect(JSON.stringify(lines)).not.toContain("abc");
  });

  it("honours the configured level", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ logLevel: "warn" }, { destination });
    logger.info("hidden");
    logger.warn("shown");
    expect(lines.map((line) => line.msg)).toEqual(["shown"]);
  });
});

describe("logger: lines stay readable and small", () => {
  const redactor = createRedactor();
  const redact = redactor.redact;

  it("logs a failed Discord upload with method, url, status, code and message, not its body or files", () => {
    const { lines, raw, destination } = capture();
    const logger = createLogger({ logLevel: "info" }, { destination, redact });
    // A real discord.js error for an upload of a 600 KB transcript, as the bot saw one.
    const transcript = Buffer.alloc(600_000, "transcript line\n");
    const error = new DiscordAPIError(
      { code: 50035, message: "Invalid Form Body" },
      50035,
      400,
      "POST",
      "https://discord.com/api/v10/channels/123/messages",
      {
        files: [{ name: "transcript.txt", data: transcript }],
        body: { content: "the answer text", attachments: [{ id: 0, filename: "transcript.txt" }] },
      },
    );
    logger.warn({ err: error, sessionId: "s1" }, "posting the answer failed");
    expect(raw[0]!.length).toBeLessThanOrEqual(LOG_LINE_MAX_CHARS);
    expect(lines[0]).toMatchObject({
      sessionId: "s1",
      msg: "posting the answer failed",
      err: {
        method: "POST",
        url: "https://discord.com/api/v10/channels/123/messages",
        status: 400,
        code: 50035,
        message: expect.stringContaining("Invalid Form Body"),
      },
    });
    expect(raw[0]).not.toContain("transcript line");
    expect(raw[0]).not.toContain("the answer text");
  });

  it("cuts any line to LOG_LINE_MAX_CHARS, marks the cut, and keeps it valid JSON with its context", () => {
    const { lines, raw, destination } = capture();
    const logger = withContext(createLogger({ logLevel: "info" }, { destination, redact }), {
      sessionId: "s1",
    });
    logger.info({ output: "x".repeat(100_000) }, "a long string");
    logger.info({ items: Array.from({ length: 100_000 }, (_, i) => i) }, "a long array");
    const fields = Object.fromEntries(["a", "b", "c", "d", "e"].map((key) => [key, key.repeat(7000)]));
    logger.info(fields, "many long fields");
    logger.info(`${"m".repeat(50_000)}`);
    expect(raw).toHaveLength(4);
    for (const line of raw) expect(line.length).toBeLessThanOrEqual(LOG_LINE_MAX_CHARS);
    expect(lines.every((line) => line.sessionId === "s1")).toBe(true);
    expect(lines[0]!.output).toMatch(/^x+… \[\d+ more characters not logged\]$/);
    expect(lines[1]!.items).toContain("… [99980 more items not logged]");
    expect(JSON.stringify(lines[2])).toContain("not logged: line too long");
    expect(lines[3]!.msg).toMatch(/^m+… \[\d+ more characters not logged\]$/);
  });

  it("masks a secret the cut of a long string goes through", () => {
    const { raw, destination } = capture();
    const logger = createLogger({ logLevel: "info" }, { destination, redact });
    const token = `ghp_${"FAKE0fake1FAKE2fake3".repeat(2).slice(0, 36)}`; // FAKE
    for (let at = 4000; at < 9000; at += 250) {
      logger.info({ output: `${"x".repeat(at)} ${token} ${"y".repeat(20_000)}` }, "cut");
    }
    for (const line of raw) expect(line).not.toContain(token.slice(0, 12));
  });
});
