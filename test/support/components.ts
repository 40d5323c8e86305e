// What tests read off a message's components as a person sees them: its buttons, the custom id of the
// one a person would click (by label, or by an approval card's action), and what the clicker alone was
// told. One copy for every flow that clicks.

import type { InteractionView, MessageView } from "@ompcord/discord-emulator";
import { parseCustomId } from "../../src/approvals/custom-ids.js";

export interface ButtonView {
  label?: string;
  custom_id?: string;
  disabled?: boolean;
}

export function buttonsOf(message: MessageView): ButtonView[] {
  return message.components.flatMap((row) => ("components" in row ? (row.components as ButtonView[]) : []));
}

/** The custom id of the button a person would click by its label. */
export function buttonId(message: MessageView, label: RegExp): string {
  const button = buttonsOf(message).find((b) => label.test(b.label ?? ""));
  if (!button?.custom_id) throw new Error(`no button ${label} on message ${message.id}`);
  return button.custom_id;
}

/** An approval card's or question's button or select custom id for `action` (src/approvals/custom-ids.ts). */
export function customIdOf(card: MessageView, action: string): string {
  for (const row of card.components ?? []) {
    for (const component of (row as { components?: { custom_id?: string }[] }).components ?? []) {
      const parsed = component.custom_id ? parseCustomId(component.custom_id) : undefined;
      if (parsed && "action" in parsed && parsed.action === action) return component.custom_id!;
    }
  }
  throw new Error(`no ${action} on card ${card.id}: ${JSON.stringify(card.components)}`);
}

/** Whatever the clicker alone was told (an ephemeral reply or follow-up). */
export function privateAnswer(view: InteractionView): string {
  return [view.original, ...view.followUps]
    .filter((m) => m?.ephemeral)
    .map((m) => m!.content)
    .join("\n");
}
