// The page's calls to its server: the person's actions (JSON POSTs, answered with an ActionResult) and
// the registered slash commands. Same origin only; the secret travels in the cookie.

import type { APIApplicationCommand } from "discord-api-types/v10";
import type {
  ActionResult,
  CommandAction,
  ComponentAction,
  ModalSubmitAction,
  PostMessageAction,
  ReactAction,
} from "../../src/protocol.ts";

async function post(path: string, body: unknown): Promise<ActionResult> {
  try {
    const res = await fetch(`/api/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const result = (await res.json().catch(() => undefined)) as ActionResult | undefined;
    return result ?? { ok: false, error: `The playground answered ${res.status}.` };
  } catch {
    return { ok: false, error: "The playground is not reachable: is it still running?" };
  }
}

export const api = {
  postMessage: (action: PostMessageAction) => post("messages", action),
  react: (action: ReactAction) => post("reactions", action),
  runCommand: (action: CommandAction) => post("commands", action),
  useComponent: (action: ComponentAction) => post("components", action),
  submitModal: (action: ModalSubmitAction) => post("modals", action),
  async commands(guildId: string): Promise<APIApplicationCommand[]> {
    const res = await fetch(`/api/commands?guildId=${encodeURIComponent(guildId)}`);
    return res.ok ? ((await res.json()) as APIApplicationCommand[]) : [];
  },
};
