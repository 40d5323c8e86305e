// The dashboard's Cancel and Stop buttons as custom ids, in both directions, so handlers never parse by hand.

/** `stopwait`: Stop waiting, shown while a run waits for a usage limit to reset (a cancel of that run). */
export type DashboardAction = "cancel" | "stop" | "stopwait";

const PREFIX = "omp";
const ACTIONS: readonly DashboardAction[] = ["cancel", "stop", "stopwait"];

/** `omp:cancel:<sessionId>` / `omp:stop:<sessionId>` / `omp:stopwait:<sessionId>`. */
export function dashboardCustomId(action: DashboardAction, sessionId: string): string {
  return `${PREFIX}:${action}:${sessionId}`;
}

/** The action and session of a dashboard button, or undefined for any other custom id. */
export function parseDashboardCustomId(
  customId: string,
): { action: DashboardAction; sessionId: string } | undefined {
  const [prefix, action, ...rest] = customId.split(":");
  const sessionId = rest.join(":");
  if (prefix !== PREFIX || !ACTIONS.includes(action as DashboardAction) || sessionId === "") return undefined;
  return { action: action as DashboardAction, sessionId };
}
