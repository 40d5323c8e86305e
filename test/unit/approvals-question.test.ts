import { describe, expect, it } from "vitest";
import { parseCustomId } from "../../src/approvals/custom-ids.js";
import { COMPONENT_LIMITS } from "../../src/approvals/limits.js";
import {
  ANSWER_FIELD,
  answerForAgent,
  answerFromSelect,
  answerFromText,
  answerModal,
  type QuestionInput,
  questionLayout,
  renderQuestion,
} from "../../src/approvals/question.js";
import { createRedactor, REDACTED } from "../../src/output/redact.js";
import { embedProblems } from "../support/embed-problems.js";

const FAKE_SECRET = ["fake", "question", "secret", "77"].join("-");
const redactor = createRedactor({ secrets: [FAKE_SECRET] });
const AT = new Date("2026-12-07T10:00:00Z");
const AT_SECONDS = AT.getTime() / 1000;

const options = (n: number, label = (i: number) => `Option ${i + 1}`) =>
  Array.from({ length: n }, (_, i) => ({ label: label(i) }));
const question = (extra: Partial<QuestionInput> = {}): QuestionInput => ({
  questionId: "q1w2e3r4t5y6",
  question: "Which branch should I base the fix on?",
  options: options(3),
  askedAt: AT,
  ...extra,
});

type Component = {
  type: number;
  custom_id: string;
  label?: string;
  style?: number;
  options?: { label: string; value: string; description?: string }[];
  min_values?: number;
  max_values?: number;
};
const componentsOf = (q: QuestionInput) =>
  renderQuestion(q, redactor).components.map((row) => row.components as unknown as Component[]);

describe("how a question is answered", () => {
  it.each([
    [0, false, "text"],
    [1, false, "buttons"],
    [5, false, "buttons"],
    [6, false, "select"],
    [2, true, "select"],
    [25, true, "select"],
    [25, false, "select"],
    [26, false, "numbered"],
    [40, true, "numbered"],
  ] as const)("%i options (multi %s) → %s", (count, multi, layout) => {
    expect(questionLayout({ options: options(count), multi })).toBe(layout);
  });
});

describe("a question waiting for an answer", () => {
  it("with up to five choices shows one button each, the recommended one highlighted, and a way to say something else", () => {
    const rows = componentsOf(question({ options: options(5), recommended: 1 }));
    expect(rows).toHaveLength(2);
    expect(rows[0]?.map((b) => b.label)).toEqual([
      "Option 1",
      "Option 2",
      "Option 3",
      "Option 4",
      "Option 5",
    ]);
    expect(rows[0]?.map((b) => b.style)).toEqual([2, 1, 2, 2, 2]);
    expect(rows[0]?.map((b) => parseCustomId(b.custom_id))).toEqual(
      [0, 1, 2, 3, 4].map((choice) => ({
        kind: "question",
        version: 1,
        action: "choice",
        id: "q1w2e3r4t5y6",
        choice,
      })),
    );
    expect(rows[1]?.map((b) => [b.label, parseCustomId(b.custom_id)])).toEqual([
      ["Something else…", { kind: "question", version: 1, action: "text", id: "q1w2e3r4t5y6" }],
    ]);
  });

  it("cuts button labels to Discord's 80 characters", () => {
    const rows = componentsOf(question({ options: [{ label: "x".repeat(200) }, { label: "  " }] }));
    expect(rows[0]?.[0]?.label?.length).toBe(COMPONENT_LIMITS.buttonLabel);
    expect(rows[0]?.[1]?.label).toBe("Option 2");
  });

  it("past five choices, or for several at once, offers a select menu of up to 25 with unique values", () => {
    const many = question({
      options: options(25, (i) => `${"choice ".repeat(20)}${i}`).map((o, i) => ({
        ...o,
        description: i === 3 ? "d".repeat(150) : undefined,
      })),
      recommended: 0,
    });
    const [select] = componentsOf(many)[0] ?? [];
    expect(select).toMatchObject({ type: 3, min_values: 1, max_values: 1 });
    expect(parseCustomId(select!.custom_id)).toMatchObject({ action: "select", id: "q1w2e3r4t5y6" });
    expect(select?.options).toHaveLength(25);
    expect(new Set(select?.options?.map((o) => o.value)).size).toBe(25);
    expect(Math.max(...(select?.options ?? []).map((o) => o.label.length))).toBeLessThanOrEqual(100);
    expect(select?.options?.[3]?.description?.length).toBe(100);
    expect(select?.options?.[0]?.description).toBe("Recommended");

    const multi = componentsOf(question({ options: options(3), multi: true }));
    expect(multi[0]?.[0]).toMatchObject({ type: 3, min_values: 1, max_values: 3 });
  });

  it("past 25 choices lists them by number and asks for a typed number", () => {
    const q = question({ options: options(40) });
    const message = renderQuestion(q, redactor);
    const [embed] = message.embeds;
    expect(embed.description).toContain("1. Option 1\n2. Option 2");
    expect(embed.description).toContain("40. Option 40");
    expect(embed.fields?.[0]?.value).toContain("There are 40 choices, more than a menu holds");
    const rows = componentsOf(q);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.[0]).toMatchObject({ label: "Answer with a number…" });
    expect(embedProblems(embed)).toEqual([]);
  });

  it("lists as many long choices as fit and says how many more there are", () => {
    const q = question({ options: options(200, (i) => `${"long choice text ".repeat(6)}${i}`) });
    const [embed] = renderQuestion(q, redactor).embeds;
    expect(embedProblems(embed)).toEqual([]);
    expect(embed.description).toMatch(/… and \d+ more \(type a number up to 200\)$/);
  });

  it("with no choices asks for free text through a modal or a reply", () => {
    const message = renderQuestion(question({ options: [] }), redactor);
    expect(message.components).toHaveLength(1);
    expect(message.embeds[0].fields?.[0]?.value).toBe("Press **Answer…**, or reply to this message.");
  });

  it("says until when it waits, masks secrets and pings only who queued the prompt", () => {
    const q = question({
      question: `Use the key ${FAKE_SECRET}? @everyone`,
      header: "Keys",
      options: [{ label: `yes, ${FAKE_SECRET}` }, { label: "no" }],
      timeoutMs: 15 * 60_000,
      ping: "333333333333333333",
    });
    const message = renderQuestion(q, redactor);
    const text = JSON.stringify(message);
    expect(text).not.toContain(FAKE_SECRET);
    expect(text).toContain(REDACTED);
    expect(message.embeds[0].description).not.toContain("@everyone");
    expect(message.embeds[0].title).toBe("🟡 The agent asks: Keys");
    expect(message.embeds[0].fields?.[0]?.value).toContain(
      `Without an answer by <t:${AT_SECONDS + 900}:t> (<t:${AT_SECONDS + 900}:R>) (15m) the agent goes on without one.`,
    );
    expect(message.content).toBe("<@333333333333333333> the agent has a question.");
    expect(message.allowedMentions).toEqual({ parse: [], users: ["333333333333333333"] });
  });
});

describe("a settled question", () => {
  it("shows who answered what and when, without components", () => {
    const q = question({ options: options(3) });
    const chose = renderQuestion(q, redactor, {
      kind: "answered",
      by: "444444444444444444",
      at: AT,
      answer: { kind: "choices", indexes: [2, 0] },
    });
    expect(chose.components).toEqual([]);
    expect(chose.embeds[0].title).toBe("✅ Answered");
    expect(chose.embeds[0].fields?.[0]).toMatchObject({
      name: "Answer",
      value: `Answered by <@444444444444444444> at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>): “Option 3, Option 1”`,
    });
    const typed = renderQuestion(q, redactor, {
      kind: "answered",
      by: "444444444444444444",
      at: AT,
      answer: { kind: "text", text: `main, token ${FAKE_SECRET}` },
    });
    expect(JSON.stringify(typed)).not.toContain(FAKE_SECRET);
    for (const [kind, title] of [
      ["timed_out", "⌛ No answer"],
      ["expired", "💤 Expired"],
    ] as const) {
      const settled = renderQuestion(q, redactor, { kind, at: AT });
      expect(settled.embeds[0].title).toBe(title);
      expect(settled.components).toEqual([]);
      expect(settled.content).toBe("");
    }
  });
});

describe("reading answers", () => {
  const q = question({ options: options(3) });

  it("accepts only this question's option indexes from the select menu", () => {
    expect(answerFromSelect(q, ["2"])).toEqual({ kind: "choices", indexes: [2] });
    expect(answerFromSelect(q, ["3"])).toBeUndefined();
    expect(answerFromSelect(q, ["0", "1"])).toBeUndefined();
    expect(answerFromSelect({ ...q, multi: true }, ["0", "1"])).toEqual({ kind: "choices", indexes: [0, 1] });
    expect(answerFromSelect({ ...q, multi: true }, ["0", "0"])).toBeUndefined();
    expect(answerFromSelect(q, [])).toBeUndefined();
    expect(answerFromSelect(q, ["x"])).toBeUndefined();
  });

  it("past 25 choices reads typed numbers as choices, anything else as the person's own words", () => {
    const numbered = question({ options: options(30) });
    expect(answerFromText(numbered, " 7 ")).toEqual({ kind: "choices", indexes: [6] });
    expect(answerFromText(numbered, "2, 5")).toEqual({ kind: "text", text: "2, 5" });
    expect(answerFromText({ ...numbered, multi: true }, "2, 5 5")).toEqual({
      kind: "choices",
      indexes: [1, 4],
    });
    expect(answerFromText(numbered, "31")).toEqual({ kind: "text", text: "31" });
    expect(answerFromText(numbered, "the 7th please")).toEqual({ kind: "text", text: "the 7th please" });
    // With buttons or a menu the numbers are words like any other.
    expect(answerFromText(q, "2")).toEqual({ kind: "text", text: "2" });
  });

  it("tells the agent the answer, or that none came", () => {
    expect(
      answerForAgent(q, { kind: "answered", by: "1", at: AT, answer: { kind: "choices", indexes: [1] } }),
    ).toBe("The person chose: Option 2");
    expect(
      answerForAgent(q, { kind: "answered", by: "1", at: AT, answer: { kind: "text", text: "dev" } }),
    ).toBe("The person answered: dev");
    expect(answerForAgent({ ...q, timeoutMs: 600_000 }, { kind: "timed_out", at: AT })).toBe(
      "No answer within 10m. Go on without one, or stop and say what you need.",
    );
  });
});

describe("the answer modal", () => {
  it("stays within Discord's limits and parses back to the question", () => {
    const modal = answerModal(
      question({ header: "H".repeat(100), question: "Q".repeat(500), options: options(30) }),
    );
    expect(modal.title.length).toBeLessThanOrEqual(COMPONENT_LIMITS.modalTitle);
    expect(parseCustomId(modal.custom_id)).toEqual({
      kind: "question",
      version: 1,
      action: "text_modal",
      id: "q1w2e3r4t5y6",
    });
    const label = modal.components[0] as unknown as {
      label: string;
      description: string;
      component: Record<string, unknown>;
    };
    expect(label.label).toBe("Number(s), or your own answer");
    expect(label.description.length).toBeLessThanOrEqual(COMPONENT_LIMITS.fieldDescription);
    expect(label.component).toMatchObject({
      custom_id: ANSWER_FIELD,
      style: 2,
      max_length: 4000,
      required: true,
    });
  });
});
