// OMPCORD_LOG_FILE: the same redacted JSON lines as stdout also go to a file, rotated by size the
// logrotate way (the current file keeps its name, older ones are numbered, only `keep` of them stay).
// Real files in a temporary directory; the settings are validated with a message a person can act on.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { createLogger, endLogFile } from "../../src/log.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ompcord-log-file-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for stdout that keeps the lines. */
function stdoutLines() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      callback();
    },
  });
  return { lines, destination };
}

const BASE = {
  DISCORD_BOT_TOKEN: "fake-token-for-the-log-file-test",
  DISCORD_GUILD_ID: "111111111111111111",
  DISCORD_CHANNEL_ID: "222222222222222222",
  DISCORD_ALLOWED_USERS: "333333333333333333",
  OMPCORD_API_TOKEN: "fake-api-token-log-file-test",
};

describe("the log file", () => {
  it("gets every line stdout gets, redacted, at the configured level", async () => {
    const path = join(dir, "logs", "ompcord.log");
    const { lines, destination } = stdoutLines();
    const logger = createLogger(
      { logLevel: "debug", logFile: { path, maxBytes: 1024 * 1024, keep: 2 } },
      { destination, redact: (text) => text.replaceAll("hunter2", "[redacted]") },
    );
    logger.debug({ runId: "r1" }, "password is hunter2");
    logger.info("second line");
    await endLogFile(logger);
    const written = readFileSync(path, "utf8").split("\n").filter(Boolean);
    expect(written).toEqual(lines);
    expect(written).toHaveLength(2);
    expect(JSON.parse(written[0]!)).toMatchObject({ runId: "r1", msg: "password is [redacted]" });
    expect(readFileSync(path, "utf8")).not.toContain("hunter2");
  });

  it("rotates at the size limit: the current file keeps its name and only `keep` old files stay", async () => {
    const path = join(dir, "ompcord.log");
    const { destination } = stdoutLines();
    const logger = createLogger(
      { logLevel: "info", logFile: { path, maxBytes: 4096, keep: 2 } },
      { destination },
    );
    // About 100 bytes a line: 40 KB is ten files' worth, so rotation happens several times over.
    for (let i = 0; i < 400; i++) {
      logger.info({ n: i }, "a line of about one hundred bytes to fill the file");
      // Rotation runs between writes; letting the event loop turn keeps the stream's order realistic.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    logger.info("the last line");
    await endLogFile(logger);

    expect(
      readdirSync(dir)
        .filter((name) => name.startsWith("ompcord.log"))
        .sort(),
    ).toEqual(["ompcord.log", "ompcord.log.1", "ompcord.log.2"]);
    expect(existsSync(`${path}.3`)).toBe(false);
    const current = readFileSync(path, "utf8");
    expect(current).toContain("the last line");
    // Each file ends near the limit (a rotation happens after the write that crosses it).
    for (const name of ["ompcord.log.1", "ompcord.log.2"]) {
      const size = readFileSync(join(dir, name)).length;
      expect(size).toBeGreaterThanOrEqual(4096);
      expect(size).toBeLessThan(4096 + 1024);
    }
    // The newest rotated file holds lines written after those of the older one.
    const first = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8").split("\n")[0]!).n;
    expect(first("ompcord.log.1")).toBeGreaterThan(first("ompcord.log.2"));
  });
});

describe("the log file settings", () => {
  it("default to 10 MB files, 5 kept, and to no file at all", () => {
    expect(loadConfig({ env: BASE, cwd: dir }).logFile).toBeUndefined();
    const config = loadConfig({ env: { ...BASE, OMPCORD_LOG_FILE: "logs/ompcord.log" }, cwd: dir });
    expect(config.logFile).toEqual({
      path: join(dir, "logs/ompcord.log"),
      maxBytes: 10 * 1024 * 1024,
      keep: 5,
    });
  });

  it("read sizes like 512K and counts", () => {
    const config = loadConfig({
      env: {
        ...BASE,
        OMPCORD_LOG_FILE: "/tmp/x.log",
        OMPCORD_LOG_FILE_SIZE: "512K",
        OMPCORD_LOG_FILE_COUNT: "3",
      },
      cwd: dir,
    });
    expect(config.logFile).toEqual({ path: "/tmp/x.log", maxBytes: 512 * 1024, keep: 3 });
  });

  it("refuse a size that is not one, and a count of 0, saying what was expected", () => {
    let error: unknown;
    try {
      loadConfig({
        env: {
          ...BASE,
          OMPCORD_LOG_FILE: "x.log",
          OMPCORD_LOG_FILE_SIZE: "ten megs",
          OMPCORD_LOG_FILE_COUNT: "0",
        },
        cwd: dir,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map(
      (p) => `${p.variable}: ${p.expected}, got ${p.received}`,
    );
    expect(problems).toEqual([
      "OMPCORD_LOG_FILE_SIZE: a size such as 10M, 512K or 1G (or a number of bytes) from 64K to 1G, got ten megs",
      "OMPCORD_LOG_FILE_COUNT: a whole number from 1 to 100, got 0",
    ]);
  });
});
