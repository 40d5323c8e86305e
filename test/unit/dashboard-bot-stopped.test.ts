// ⏸ bot stopped (SPEC §7): while the bot is away, a dashboard whose run the stop cut, or whose prompt
// was about to run, says so in its own look: not 🔴 Failed (the session can run) and Cancel disabled.

import { describe, expect, it } from "vitest";
import {
  BOT_STOPPED_LOOK,
  BOT_STOPPED_NOTES,
  DASHBOARD_STATES,
  type DashboardView,
  initialDashboardView,
  isRunning,
  reduceDashboard,
  renderDashboard,
} from "../../src/dashboard/index.js";

const base = initialDashboardView({ sessionId: "s1", sessionName: "fix the tests" });
const AT = new Date(Date.UTC(2026, 11, 7, 8));

function running(): DashboardView {
  return reduceDashboard(base, { type: "run_started", prompt: "go", authorId: "1", runNumber: 1, at: AT });
}

describe("bot_stopped", () => {
  it("after a run the stop cut: the ⏸ look, the note, Cancel disabled, and not Failed", () => {
    const ended = reduceDashboard(running(), { type: "run_ended", outcome: "cancelled", at: AT });
    const view = reduceDashboard(ended, { type: "bot_stopped", cut: true });
    expect(view.botStopped).toBe(true);
    expect(view.note).toBe(BOT_STOPPED_NOTES.cut);
    const { embeds, components } = renderDashboard(view);
    expect(embeds[0].title).toBe("⏸ fix the tests");
    expect(embeds[0].color).toBe(BOT_STOPPED_LOOK.color);
    expect(embeds[0].color).not.toBe(DASHBOARD_STATES.failed.color);
    expect(embeds[0].fields?.find((f) => f.name === "State")?.value).toBe("Bot stopped");
    const cancel = components?.[0]?.components.find(
      (button) => "label" in button && button.label === "Cancel",
    );
    expect(cancel).toMatchObject({ disabled: true });
  });

  it("a prompt about to run when the bot stopped waits for the next start and is not shown running", () => {
    const pending = reduceDashboard(base, { type: "pending", prompt: "next", authorId: "1" });
    expect(isRunning(pending)).toBe(true);
    const view = reduceDashboard(pending, { type: "bot_stopped", cut: false });
    expect(isRunning(view)).toBe(false);
    expect(view.pending).toBeUndefined();
    expect(view.note).toBe(BOT_STOPPED_NOTES.queued);
  });

  it("leaves a stopped session as it is", () => {
    const stopped = reduceDashboard(running(), { type: "stopped", by: "1" });
    expect(reduceDashboard(stopped, { type: "bot_stopped", cut: false })).toBe(stopped);
  });
});
