// Several watchers of the same runs (the dashboards, the spend caps) as the scheduler's one observer:
// each hook is handed to every observer in order, and one that throws does not keep it from the others.

import type { RunObserver } from "./scheduler.js";

type Hook = keyof RunObserver;

/**
 * Every hook of `RunObserver`, named once. The check below fails the type check when the scheduler
 * gains a hook this list lacks: a merge once added `onUsageWait` beside a fan-out that did not forward
 * it, and the dashboards never heard of usage-limit waits.
 */
export const OBSERVER_HOOKS = [
  "onQueued",
  "onStart",
  "onWaitingForSlot",
  "onLine",
  "onEvent",
  "onUsageWait",
  "onEnd",
] as const satisfies readonly Hook[];
type Unlisted = Exclude<Hook, (typeof OBSERVER_HOOKS)[number]>;
const everyHookListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyHookListed;

/** One observer calling each of `observers` in turn; an error is passed to `onError` and the rest go on. */
export function combineObservers(
  observers: readonly Partial<RunObserver>[],
  onError: (hook: Hook, error: unknown) => void,
): RunObserver {
  const each =
    (hook: Hook) =>
    (...args: unknown[]): void => {
      for (const observer of observers) {
        const call = observer[hook] as ((...a: unknown[]) => void) | undefined;
        try {
          call?.apply(observer, args);
        } catch (error) {
          onError(hook, error);
        }
      }
    };
  return Object.fromEntries(OBSERVER_HOOKS.map((hook) => [hook, each(hook)])) as unknown as RunObserver;
}
