import { describe, expect, it } from "vitest";
import {
  APPROVAL_ACTIONS,
  approvalCustomId,
  parseCustomId,
  questionCustomId,
} from "../../src/approvals/custom-ids.js";
import { dashboardCustomId, parseDashboardCustomId } from "../../src/dashboard/custom-ids.js";

describe("approval and question custom ids", () => {
  it("round-trip every action, versioned", () => {
    for (const action of APPROVAL_ACTIONS) {
      const id = approvalCustomId(action, "abc123def456");
      expect(id).toBe(`omp:approval.v1:${action}:abc123def456`);
      expect(parseCustomId(id)).toEqual({ kind: "approval", version: 1, action, id: "abc123def456" });
    }
    expect(parseCustomId(questionCustomId("choice", "q1", 24))).toEqual({
      kind: "question",
      version: 1,
      action: "choice",
      id: "q1",
      choice: 24,
    });
    for (const action of ["select", "text", "text_modal"] as const) {
      expect(parseCustomId(questionCustomId(action, "q1"))).toEqual({
        kind: "question",
        version: 1,
        action,
        id: "q1",
      });
    }
  });

  it("tells a card of another version from someone else's id", () => {
    expect(parseCustomId("omp:approval.v2:approve:abc")).toEqual({ kind: "stale", version: 2, id: "abc" });
    expect(parseCustomId("omp:approval.v1:explode:abc")).toBeUndefined();
    expect(parseCustomId("omp:question.v1:choice:abc")).toBeUndefined();
    expect(parseCustomId("omp:approval.v1:approve:")).toBeUndefined();
    expect(parseCustomId("somebot:approve:1")).toBeUndefined();
  });

  it("never collides with the dashboard's buttons", () => {
    const dashboard = dashboardCustomId("cancel", "abc123def456");
    expect(parseCustomId(dashboard)).toBeUndefined();
    expect(parseDashboardCustomId(approvalCustomId("approve", "abc123def456"))).toBeUndefined();
  });

  it("refuses ids it could not parse back, and anything over Discord's 100 characters", () => {
    expect(() => approvalCustomId("approve", "has:colon")).toThrow(
      /Expected `id` to be 1–40 lowercase letters or digits/,
    );
    expect(() => approvalCustomId("approve", "")).toThrow(/got ``/);
    expect(() => questionCustomId("choice", "q1")).toThrow(
      /Expected `choice` to be an option index from 0 up/,
    );
    expect(() => questionCustomId("choice", "q1", -1)).toThrow(/got `-1`/);
    expect(approvalCustomId("deny_reason", "z".repeat(40)).length).toBeLessThanOrEqual(100);
  });
});
