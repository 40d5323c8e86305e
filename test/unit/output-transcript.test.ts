import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TranscriptWriter } from "../../src/output/transcript.js";

const created: string[] = [];
const dir = () => {
  const path = mkdtempSync(join(tmpdir(), "ompcord-transcript-"));
  created.push(path);
  return path;
};
afterAll(() => {
  for (const path of created) rmSync(path, { recursive: true, force: true });
});

describe("TranscriptWriter", () => {
  it("appends every line in order and counts bytes and lines", async () => {
    const path = join(dir(), "nested", "run.txt");
    const t = new TranscriptWriter(path, { chunkBytes: 16 });
    for (let i = 0; i < 100; i++) await t.writeLine(`line ${i} ✓`);
    await t.close();
    const content = readFileSync(path, "utf8");
    expect(content.split("\n").slice(0, -1)).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i} ✓`));
    expect(t.lineCount).toBe(100);
    expect(t.bytesWritten).toBe(Buffer.byteLength(content));
  });

  it("asks the caller to wait when the disk falls behind, so memory stays bounded", async () => {
    const path = join(dir(), "big.txt");
    const t = new TranscriptWriter(path, { chunkBytes: 1024, highWaterMarkBytes: 4096 });
    let waits = 0;
    const line = "x".repeat(200);
    for (let i = 0; i < 50_000; i++) {
      const wait = t.writeLine(line);
      if (wait) {
        waits++;
        await wait;
      }
    }
    await t.close();
    expect(waits).toBeGreaterThan(0);
    expect(readFileSync(path, "utf8").length).toBe(50_000 * 201);
  });

  it("writes what is gathered on close, and close twice is fine", async () => {
    const path = join(dir(), "small.txt");
    const t = new TranscriptWriter(path);
    t.writeLine("only line");
    await Promise.all([t.close(), t.close()]);
    expect(readFileSync(path, "utf8")).toBe("only line\n");
  });

  it("a failing disk does not throw into the run; the error is reported", async () => {
    // A directory where the file should be: opening it fails with EISDIR.
    const bad = new TranscriptWriter(dir());
    expect(bad.writeLine("lost")).toBeUndefined();
    await bad.close();
    expect(bad.error).toBeDefined();
  });
});
