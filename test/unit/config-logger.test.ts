import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, withContext } from "../../src/log.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
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
