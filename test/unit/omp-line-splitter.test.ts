import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../src/omp/line-splitter.js";

const buf = (s: string | number[]) => (typeof s === "string" ? Buffer.from(s) : Buffer.from(s));

describe("LineSplitter", () => {
  it("splits chunks into lines across chunk boundaries", () => {
    const s = new LineSplitter();
    expect(s.push(buf("ab")).map((l) => l.text)).toEqual([]);
    expect(s.push(buf("c\nde\nf")).map((l) => l.text)).toEqual(["abc", "de"]);
    expect(s.end()).toEqual({ text: "f", bytes: 1, truncated: false });
    expect(s.end()).toBeUndefined();
  });

  it("drops a CR before the newline", () => {
    expect(new LineSplitter().push(buf("a\r\n"))[0]!.text).toBe("a");
  });

  it("keeps a multi-byte character split across chunks whole", () => {
    const s = new LineSplitter();
    const euro = Buffer.from("€\n");
    s.push(euro.subarray(0, 1));
    expect(s.push(euro.subarray(1))[0]!.text).toBe("€");
  });

  it("decodes invalid UTF-8 to replacement characters instead of failing", () => {
    const [line] = new LineSplitter().push(buf([0xff, 0xfe, 0x41, 0x0a]));
    expect(line!.text).toBe("\uFFFD\uFFFDA");
  });

  it("cuts a line over the cap, counting its full length", () => {
    const s = new LineSplitter({ maxLineBytes: 10 });
    s.push(buf("x".repeat(15)));
    const [line] = s.push(buf(`${"y".repeat(15)}\nnext\n`));
    expect(line).toEqual({ text: "x".repeat(10), bytes: 30, truncated: true });
    expect(s.push(buf(""))).toEqual([]);
  });

  it("cuts a line over the cap that arrives whole in one chunk, and reads the lines after it", () => {
    const s = new LineSplitter({ maxLineBytes: 10 });
    const lines = s.push(buf(`${"z".repeat(25)}\r\nshort\r\n\nlast`));
    expect(lines).toEqual([
      { text: "z".repeat(10), bytes: 26, truncated: true },
      { text: "short", bytes: 6, truncated: false },
      { text: "", bytes: 0, truncated: false },
    ]);
    expect(s.end()).toEqual({ text: "last", bytes: 4, truncated: false });
  });

  it("memory stays at the cap for a stream without newlines", () => {
    const s = new LineSplitter({ maxLineBytes: 1024 });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 200; i++) s.push(chunk); // 12.5 MB, no newline
    const last = s.end()!;
    expect(last.text.length).toBe(1024);
    expect(last.bytes).toBe(200 * 64 * 1024);
  });

  it("rejects a nonsensical cap", () => {
    expect(() => new LineSplitter({ maxLineBytes: 0 })).toThrow(
      "Expected `maxLineBytes` to be an integer from 1 and up, got `0`",
    );
  });
});
