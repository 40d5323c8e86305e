import { describe, expect, it } from "vitest";
import { answerMessages } from "../../src/format/answer.js";
import { splitMessage } from "../../src/format/split.js";

/** Deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts fence lines: a chunk whose code blocks are all closed has an even number. */
function fenceLines(chunk: string): number {
  return chunk.split("\n").filter((line) => /^ {0,3}```/.test(line)).length;
}

function randomText(rand: () => number): string {
  const pieces = ["word", "the agent", "🚀", "é", "`x`", "``", "@everyone", "\t", "😀😀", "a".repeat(50)];
  const lines: string[] = [];
  const count = Math.floor(rand() * 300);
  let inCode = false;
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.06) {
      lines.push(inCode ? "```" : `\`\`\`${["ts", "", "bash", "python"][Math.floor(rand() * 4)]}`);
      inCode = !inCode;
    } else if (r < 0.15) {
      lines.push("");
    } else if (r < 0.18) {
      lines.push("x".repeat(Math.floor(rand() * 5000)));
    } else {
      const words = Math.floor(rand() * 30);
      lines.push(Array.from({ length: words }, () => pieces[Math.floor(rand() * pieces.length)]).join(" "));
    }
  }
  if (inCode) lines.push("```");
  return lines.join("\n");
}

describe("splitMessage", () => {
  it("returns short text as one message, unchanged", () => {
    expect(splitMessage("hello\n\nworld")).toEqual(["hello\n\nworld"]);
  });

  it("returns no messages for empty or blank text, since Discord refuses empty messages", () => {
    expect(splitMessage("")).toEqual([]);
    expect(splitMessage(" \n\n\t ")).toEqual([]);
  });

  it("prefers a paragraph boundary to filling the message", () => {
    const first = "a".repeat(1200);
    const second = "b ".repeat(300).trim();
    const third = "c".repeat(700);
    const chunks = splitMessage(`${first}\n\n${second}\n${third}`);
    expect(chunks[0]!.trim()).toBe(first);
    expect(chunks[1]).toBe(`${second}\n${third}`);
  });

  it("closes a code block at the end of a message and reopens it with its language in the next", () => {
    const code = Array.from({ length: 200 }, (_, i) => `const value${i} = ${i};`).join("\n");
    const chunks = splitMessage(`Here is the file:\n\n\`\`\`ts\n${code}\n\`\`\`\nDone.`);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(2000);
      expect(fenceLines(chunk) % 2).toBe(0);
    }
    expect(chunks[1]!.startsWith("```ts\n")).toBe(true);
    expect(chunks[0]!.endsWith("\n```")).toBe(true);
    expect(chunks.at(-1)!.endsWith("Done.")).toBe(true);
  });

  it("splits a single line longer than the limit, at a space when one is near", () => {
    const words = Array.from({ length: 1000 }, (_, i) => `w${i}`).join(" ");
    const chunks = splitMessage(words);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(2000);
    expect(chunks.join("")).toBe(words);
    expect(chunks[0]!.endsWith(" ")).toBe(true);
  });

  it("splits a line without spaces inside a code block and keeps every piece fenced", () => {
    const chunks = splitMessage(`\`\`\`\n${"z".repeat(5000)}\n\`\`\``);
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(2000);
      expect(chunk.startsWith("```\n")).toBe(true);
      expect(chunk.endsWith("\n```")).toBe(true);
    }
  });

  it("never cuts an emoji in half", () => {
    const chunks = splitMessage("😀".repeat(3000));
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(2000);
      expect(/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(chunk)).toBe(false);
    }
    expect(chunks.join("")).toBe("😀".repeat(3000));
  });

  it("does not end a message on a line that only opens a code block", () => {
    const text = `${"p".repeat(1990)}\n\`\`\`js\nconsole.log(1);\n\`\`\``;
    const chunks = splitMessage(text);
    expect(chunks[0]).toBe("p".repeat(1990));
    expect(chunks[1]).toBe("```js\nconsole.log(1);\n```");
  });

  it("honours a custom limit and rejects a limit too small to hold a fence", () => {
    for (const chunk of splitMessage("line\n".repeat(100), 50)) expect(chunk.length).toBeLessThanOrEqual(50);
    expect(() => splitMessage("x", 5)).toThrow(
      /Expected `limit` to be an integer from 20 and up, got `5` \(number\)/,
    );
  });

  it("keeps every message within the limit with balanced fences, for random text (200 seeds)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const text = randomText(random(seed));
      const chunks = splitMessage(text);
      for (const chunk of chunks) {
        expect(chunk.length, `seed ${seed}`).toBeLessThanOrEqual(2000);
        expect(chunk.trim(), `seed ${seed}`).not.toBe("");
        expect(fenceLines(chunk) % 2, `seed ${seed}`).toBe(0);
      }
      // Nothing is lost: every non-fence character of the input is in the output, in order.
      const strip = (s: string) => s.replace(/^ {0,3}```.*$/gm, "").replace(/\s+/g, "");
      expect(strip(chunks.join("\n")), `seed ${seed}`).toBe(strip(text));
    }
  });
});

describe("answerMessages", () => {
  it("splits a long answer into messages that never ping anyone", () => {
    const messages = answerMessages(`@everyone look <@123>\n\n${"word ".repeat(1000)}`);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(message.allowedMentions).toEqual({ parse: [] });
      expect(message.content.length).toBeLessThanOrEqual(2000);
      expect(message.content).not.toMatch(/@everyone|<@\d/);
    }
  });

  it("gives no messages for a blank answer", () => {
    expect(answerMessages(" \n ")).toEqual([]);
  });
});
