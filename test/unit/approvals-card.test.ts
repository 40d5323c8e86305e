import { describe, expect, it } from "vitest";
import {
  type ApprovalCardInput,
  type ApprovalOutcome,
  DENY_REASON_FIELD,
  denialForAgent,
  denyReasonModal,
  discordTime,
  renderApprovalCard,
} from "../../src/approvals/card.js";
import { parseCustomId } from "../../src/approvals/custom-ids.js";
import { COMPONENT_LIMITS } from "../../src/approvals/limits.js";
import { approvalFor } from "../../src/approvals/policy.js";
import { createRedactor, REDACTED } from "../../src/output/redact.js";
import { embedProblems } from "../support/embed-problems.js";

// FAKE credentials, built from pieces so no whole token sits in the repository.
const FAKE_GITHUB_TOKEN = `ghp_${"AbCdEfGhIjKlMnOp"}${"QrStUvWxYz0123456789"}`;
const FAKE_BOT_SECRET = ["fake", "bot", "secret", "value", "42"].join("-");
const redactor = createRedactor({ secrets: [FAKE_BOT_SECRET] });

const AT = new Date("2026-12-07T10:00:00.400Z");
const AT_SECONDS = Math.floor(AT.getTime() / 1000);

function card(toolName: string, input: unknown, extra: Partial<ApprovalCardInput> = {}) {
  const verdict = approvalFor("writes", toolName, input);
  return {
    approvalId: "k3j2h1g0f9e8",
    toolName,
    input,
    call: verdict.call,
    reason: verdict.reason,
    requestedAt: AT,
    ...extra,
  };
}

const everyText = (message: unknown) => JSON.stringify(message);

describe("an approval card waiting for a decision", () => {
  it("names the tool, shows the command in a code block and offers the four buttons", () => {
    const message = renderApprovalCard(
      card("bash", { command: "rm -rf build && npm test" }, { runNumber: 3 }),
      redactor,
    );
    const [embed] = message.embeds;
    expect(embed.title).toBe("🟡 Approval needed: bash");
    expect(embed.description).toBe("```sh\nrm -rf build && npm test\n```");
    expect(embed.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "Why it asks", value: "bash runs a shell command (exec)" }),
        expect.objectContaining({ name: "Run", value: "#3" }),
      ]),
    );
    expect(embed.footer?.text).toBe("Approval k3j2h1g0f9e8");
    const buttons = message.components.flatMap((row) => row.components) as {
      label: string;
      custom_id: string;
    }[];
    expect(buttons.map((b) => b.label)).toEqual(["Approve", "Deny", "Approve all for this run", "Deny…"]);
    expect(buttons.map((b) => parseCustomId(b.custom_id))).toEqual(
      ["approve", "deny", "approve_all", "deny_reason"].map((action) => ({
        kind: "approval",
        version: 1,
        action,
        id: "k3j2h1g0f9e8",
      })),
    );
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect(message.content).toBe("");
    expect(message.files).toEqual([]);
    expect(embedProblems(embed)).toEqual([]);
  });

  it("pings only the person who queued the prompt, and only while it waits", () => {
    const waiting = renderApprovalCard(
      card("bash", { command: "ls" }, { ping: "333333333333333333" }),
      redactor,
    );
    expect(waiting.content).toBe("<@333333333333333333> the agent waits for an approval.");
    expect(waiting.allowedMentions).toEqual({ parse: [], users: ["333333333333333333"] });
    const settled = renderApprovalCard(
      card("bash", { command: "ls" }, { ping: "333333333333333333" }),
      redactor,
      {
        kind: "approved",
        by: "444444444444444444",
        at: AT,
      },
    );
    expect(settled.content).toBe("");
    expect(settled.allowedMentions).toEqual({ parse: [] });
  });

  it("says when it will deny by itself", () => {
    const message = renderApprovalCard(card("bash", { command: "ls" }, { timeoutMs: 10 * 60_000 }), redactor);
    const waiting = message.embeds[0].fields?.find((f) => f.name === "Waiting")?.value;
    expect(waiting).toBe(
      `Since <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>); denied automatically at <t:${AT_SECONDS + 600}:t> (<t:${AT_SECONDS + 600}:R>) (10m) without a decision.`,
    );
  });

  it("masks secrets everywhere it shows the call, attachment included", () => {
    const command = `curl -H "Authorization: token ${FAKE_GITHUB_TOKEN}" https://api.github.com && echo ${FAKE_BOT_SECRET} ${"x".repeat(5000)}`;
    const message = renderApprovalCard(
      card("bash", { command, env: { GH_TOKEN: FAKE_GITHUB_TOKEN }, cwd: `/srv/${FAKE_BOT_SECRET}` }),
      redactor,
      { kind: "denied", by: "444444444444444444", at: AT, reason: `leaks ${FAKE_GITHUB_TOKEN}` },
    );
    const text = everyText(message);
    expect(text).not.toContain(FAKE_GITHUB_TOKEN);
    expect(text).not.toContain(FAKE_BOT_SECRET);
    expect(text).toContain(REDACTED);
    // The file goes with the first post; a settled card's edit keeps it and uploads nothing.
    expect(message.files).toEqual([]);
    const waiting = renderApprovalCard(card("bash", { command }), redactor);
    expect(waiting.files).toHaveLength(1);
    expect(waiting.files[0]?.text).toContain(`echo ${REDACTED}`);
    expect(JSON.stringify(waiting)).not.toContain(FAKE_GITHUB_TOKEN);
  });

  it("never lets the command close its code block or ping @everyone", () => {
    const message = renderApprovalCard(card("bash", { command: "echo '```' @everyone" }), redactor);
    const description = message.embeds[0].description ?? "";
    expect(description.match(/```/g)).toHaveLength(2);
    expect(description).not.toContain("@everyone");
  });

  it("cuts a long call to fit Discord and attaches the whole of it", () => {
    const command = Array.from({ length: 2000 }, (_, i) => `echo line ${i}`).join("\n");
    const message = renderApprovalCard(card("bash", { command }), redactor);
    const [embed] = message.embeds;
    expect(embedProblems(embed)).toEqual([]);
    expect(embed.description?.length).toBeLessThanOrEqual(4096);
    expect(embed.description).toContain(
      "*Cut to fit; the whole call is attached as `tool-call-k3j2h1g0f9e8.txt`.*",
    );
    // Cut at a line, and the block still closes.
    expect(embed.description).toMatch(/echo line \d+\n```\n\*Cut/);
    expect(message.files).toEqual([
      { name: "tool-call-k3j2h1g0f9e8.txt", text: expect.stringContaining("echo line 1999") },
    ]);
  });

  it("keeps every field, the title and the total within Discord's limits, whatever the input", () => {
    const huge = "y".repeat(20_000);
    const message = renderApprovalCard(
      card(`mcp__${"z".repeat(300)}`, { a: huge, b: huge }, { runNumber: 1, timeoutMs: 60_000 }),
      redactor,
      { kind: "denied", by: "444444444444444444", at: AT, reason: huge },
    );
    expect(embedProblems(message.embeds[0])).toEqual([]);
  });
});

describe("an edit's card", () => {
  const file = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
  const edit = { path: "src/app.ts", old_string: "line 10\nline 11", new_string: "line ten\nline 11" };

  it("shows a diff with the file's line numbers and context when the file was read", () => {
    const message = renderApprovalCard(card("edit", edit, { fileText: file }), redactor);
    const [embed] = message.embeds;
    expect(embed.title).toBe("🟡 Approval needed: edit src/app.ts");
    expect(embed.description).toBe(
      "*+1 −1 lines*\n```diff\n@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n```",
    );
    expect(embed.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "Path", value: "src/app.ts" })]),
    );
  });

  it("diffs the old and new text alone when the file is unknown or does not hold it", () => {
    for (const fileText of [undefined, "something else\n"]) {
      const description = renderApprovalCard(card("edit", edit, { fileText }), redactor).embeds[0]
        .description;
      expect(description).toBe(
        "*+1 −1 lines; the old text was not found in the file as it is now*\n```diff\n@@ … @@\n-line 10\n+line ten\n line 11\n```",
      );
    }
  });

  it("shows a hashline edit (a person's own edit mode) as written, with its path", () => {
    const input = "[src/app.ts#1A2B]\nPUT 3.=3:\nconst x = 2;";
    const embed = renderApprovalCard(card("edit", { input }), redactor).embeds[0];
    expect(embed.title).toBe("🟡 Approval needed: edit src/app.ts");
    expect(embed.description).toBe(`\`\`\`\n${input}\n\`\`\``);
  });

  it("shows a write as its new lines, or as its diff against the file it replaces", () => {
    const fresh = renderApprovalCard(card("write", { path: "notes.md", content: "# Notes\nhi\n" }), redactor);
    expect(fresh.embeds[0].description).toBe(
      "*new content: +2 −0 lines*\n```diff\n@@ -1,0 +1,2 @@\n+# Notes\n+hi\n```",
    );
    const replaced = renderApprovalCard(
      card("write", { path: "notes.md", content: "# Notes\nbye\n" }, { fileText: "# Notes\nhi\n" }),
      redactor,
    );
    expect(replaced.embeds[0].description).toContain("-hi\n+bye");
  });

  it("names the device an xd:// write runs", () => {
    const input = {
      path: "xd://lsp",
      content: JSON.stringify({ action: "rename", symbol: "a", new_name: "b" }),
    };
    const embed = renderApprovalCard(card("write", input), redactor).embeds[0];
    expect(embed.title).toBe("🟡 Approval needed: lsp (via xd://lsp)");
    expect(embed.description).toContain('"action": "rename"');
  });

  it("lists a batch of subagents", () => {
    const input = {
      context: "Repo ompcord",
      tasks: [{ name: "Docs", agent: "task", task: "update README" }, { task: "run tests" }],
    };
    const embed = renderApprovalCard(card("task", input), redactor).embeds[0];
    expect(embed.title).toBe("🟡 Approval needed: task: 2 subagents");
    expect(embed.description).toBe(
      "```\nRepo ompcord\n\n## Docs (task)\nupdate README\n\n## Task 2\nrun tests\n```",
    );
  });
});

describe("a settled card", () => {
  const outcomes: [ApprovalOutcome, string, string][] = [
    [
      { kind: "approved", by: "444444444444444444", at: AT },
      "✅ Approved: bash",
      `Approved by <@444444444444444444> at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>).`,
    ],
    [
      { kind: "approved", by: "444444444444444444", at: AT, all: true },
      "✅ Approved: bash",
      `Approved by <@444444444444444444> at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>), with every later tool call of this run.`,
    ],
    [
      { kind: "denied", by: "444444444444444444", at: AT, reason: "  wrong\nrepository " },
      "⛔ Denied: bash",
      `Denied by <@444444444444444444> at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>): “wrong repository”`,
    ],
    [
      { kind: "denied", by: "444444444444444444", at: AT },
      "⛔ Denied: bash",
      `Denied by <@444444444444444444> at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>).`,
    ],
    [
      { kind: "timed_out", at: AT },
      "⌛ Timed out, denied: bash",
      `No decision in time: denied at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>). The agent was told so.`,
    ],
    [
      { kind: "cancelled", at: AT, why: "/omp cancel by <@444444444444444444>" },
      "⏹️ Cancelled: bash",
      `Cancelled at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>): /omp cancel by <@444444444444444444>. Nothing was approved.`,
    ],
    [
      { kind: "expired", at: AT },
      "💤 Expired: bash",
      `Expired at <t:${AT_SECONDS}:t> (<t:${AT_SECONDS}:R>): ompcord restarted while this waited, and the call did not run.`,
    ],
  ];
  for (const [outcome, title, decision] of outcomes) {
    it(`${outcome.kind}${"all" in outcome && outcome.all ? " (all)" : ""} says who and when, without buttons`, () => {
      const message = renderApprovalCard(
        card("bash", { command: "ls" }, { timeoutMs: 60_000 }),
        redactor,
        outcome,
      );
      const [embed] = message.embeds;
      expect(embed.title).toBe(title);
      expect(embed.fields?.find((f) => f.name === "Decision")?.value).toBe(decision);
      expect(embed.fields?.some((f) => f.name === "Waiting")).toBe(false);
      expect(embed.description).toContain("```sh\nls\n```");
      expect(message.components).toEqual([]);
    });
  }

  it("writes Discord timestamps from whole seconds", () => {
    expect(discordTime(new Date(1_700_000_000_999))).toBe("<t:1700000000:t> (<t:1700000000:R>)");
  });
});

describe("Deny… and what the agent is told", () => {
  it("opens a modal within Discord's limits whose submit parses back to the approval", () => {
    const modal = denyReasonModal("k3j2h1g0f9e8", `edit ${"very/long/path/".repeat(10)}`);
    expect(modal.title.length).toBeLessThanOrEqual(COMPONENT_LIMITS.modalTitle);
    expect(modal.title.startsWith("Deny edit very/long/path/")).toBe(true);
    expect(parseCustomId(modal.custom_id)).toEqual({
      kind: "approval",
      version: 1,
      action: "deny_modal",
      id: "k3j2h1g0f9e8",
    });
    const label = modal.components[0] as unknown as {
      type: number;
      label: string;
      description: string;
      component: Record<string, unknown>;
    };
    expect(label.type).toBe(18);
    expect(label.label.length).toBeLessThanOrEqual(COMPONENT_LIMITS.fieldLabel);
    expect(label.description.length).toBeLessThanOrEqual(COMPONENT_LIMITS.fieldDescription);
    expect(label.component).toMatchObject({
      type: 4,
      custom_id: DENY_REASON_FIELD,
      style: 2,
      required: true,
      max_length: 1000,
    });
  });

  it("gives the agent the reason, or says why nothing ran", () => {
    expect(denialForAgent({ kind: "denied", by: "1", at: AT, reason: " use the test db " })).toBe(
      "The person denied this tool call: use the test db",
    );
    expect(denialForAgent({ kind: "denied", by: "1", at: AT })).toBe("The person denied this tool call.");
    expect(denialForAgent({ kind: "timed_out", at: AT }, 300_000)).toContain("within 5m, so it was denied");
    expect(denialForAgent({ kind: "cancelled", at: AT, why: "stop" })).toContain("cancelled");
    expect(denialForAgent({ kind: "expired", at: AT })).toContain("restarted");
    expect(denialForAgent({ kind: "approved", by: "1", at: AT })).toBe("");
  });
});
