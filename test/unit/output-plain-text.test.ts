import { describe, expect, it } from "vitest";
import { runEndEntries } from "../../src/dashboard/live/run-end.js";
import { renderDashboard } from "../../src/dashboard/render.js";
import { initialDashboardView } from "../../src/dashboard/view.js";
import { queueEmbed } from "../../src/discord/embeds.js";
import { answerMessages } from "../../src/format/answer.js";
import { stripControlCharacters } from "../../src/format/text.js";
import { threadName } from "../../src/format/thread-name.js";
import { cleanText } from "../../src/omp/lines.js";
import { toPlainText } from "../../src/output/plain-text.js";

const ESC = "\u001b";
const GREEN = `${ESC}[32mgreen answer${ESC}[0m`;
/** Colour, bold, cursor movement, an OSC 8 hyperlink, a title set with BEL, and a one-byte CSI. */
const NOISY = `${ESC}[1;31mred${ESC}[0m ${ESC}[2K${ESC}[1Gline ${ESC}]8;;https://x.test${ESC}\\link${ESC}]8;;${ESC}\\ ${ESC}]0;title\u0007\u009b33mdone`;

/** Any remains of an escape sequence: ESC itself, CSI, or the `[…m` left when only ESC is removed. */
const REMAINS = /[\u001b\u009b]|\[\d+(;\d+)*[A-Za-z]|\]8;;|\]0;/;

describe("toPlainText", () => {
  it("removes escape sequences whole, leaving no `[32m` behind", () => {
    expect(toPlainText(GREEN)).toBe("green answer");
    expect(toPlainText(NOISY)).toBe("red line link done");
  });

  it("removes control characters but keeps tab and newline", () => {
    expect(toPlainText("a\u0000b\u0007c\td\ne\u007f\u0085f\rg")).toBe("abc\td\nefg");
  });

  it("leaves ordinary text, emoji and brackets alone", () => {
    const text = "array[32] is [ok] 😀 — é";
    expect(toPlainText(text)).toBe(text);
  });
});

describe("everything the bot posts is free of escape sequences", () => {
  it("Discord text, answers, thread names and output lines", () => {
    expect(stripControlCharacters(GREEN)).toBe("green answer");
    expect(stripControlCharacters(NOISY)).not.toMatch(REMAINS);
    expect(answerMessages(GREEN).map((m) => m.content)).toEqual(["green answer"]);
    expect(threadName("Run", GREEN)).toBe("Run: green answer");
    expect(cleanText(NOISY)).toBe("red line link done");
  });

  it("the dashboard: name, prompt, tail, last tool and note", () => {
    const view = {
      ...initialDashboardView({ sessionId: "s-1", sessionName: `Run: ${GREEN}` }),
      state: "degraded" as const,
      prompt: { text: GREEN, authorId: "42" },
      tail: [NOISY, GREEN],
      lastTool: `bash: ${GREEN}`,
      note: `The last run failed: ${NOISY}`,
    };
    const embed = renderDashboard(view, new Date()).embeds[0];
    expect(JSON.stringify(embed)).not.toMatch(REMAINS);
    expect(JSON.stringify(embed)).toContain("green answer");
  });

  it("the closing note, the answer and answer.md of a run", () => {
    const messages = runEndEntries({
      runNumber: 1,
      outcome: "failed",
      error: `omp exited with code 1: ${NOISY}`,
      finalText: `${GREEN}\n`.repeat(2000),
      outputFitted: true,
      transcript: undefined,
    }).map((entry) => entry.message);
    for (const message of messages) {
      expect(message.content).not.toMatch(REMAINS);
      for (const file of message.files ?? []) {
        if ("data" in file) expect(file.data.toString("utf8")).not.toMatch(REMAINS);
      }
    }
    expect(messages.some((m) => m.files?.some((f) => f.name === "answer.md"))).toBe(true);
  });

  it("the queue listing", () => {
    const embed = queueEmbed({
      running: { text: GREEN, authorId: "1" },
      waiting: [{ text: NOISY, authorId: "2" }],
    });
    expect(JSON.stringify(embed)).not.toMatch(REMAINS);
  });
});
