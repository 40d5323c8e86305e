// What refusal tests assert: the caller alone saw a reason, and nothing in the world changed (no thread,
// no row, no model request).

import type { InteractionView, MessageView } from "@ompcord/discord-emulator";
import { expect } from "vitest";
import { answerText, type BotHarness, type StoreCounts } from "./bot-harness.js";

export interface World {
  threads: number;
  counts: Omit<StoreCounts, "events">;
  modelRequests: number;
}

export function worldOf(h: BotHarness): World {
  // Telemetry events are left out: a run already going posts them in the background (context use) while
  // a refusal is checked, and no refusal can make one (only a run's extension posts them).
  const { events: _running, ...counts } = h.storeCounts();
  return { threads: h.emu.threads().length, counts, modelRequests: h.model.requests.length };
}

export function expectUnchanged(h: BotHarness, before: World): void {
  expect(worldOf(h)).toEqual(before);
}

/** The answer was shown to the caller only, and says `reason`. */
export function expectPrivateRefusal(view: InteractionView, reason: RegExp): void {
  expect(answerText(view)).toMatch(reason);
  const shown = [view.original, ...view.followUps].filter((m): m is MessageView => m !== null);
  expect(shown.length).toBeGreaterThan(0);
  for (const message of shown) expect(message.ephemeral).toBe(true);
}
