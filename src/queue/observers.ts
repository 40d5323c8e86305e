// Several watchers of the same runs (the dashboards, the spend caps) as the scheduler's one observer:
// each hook is handed to every observer in order, and one that throws does not keep it from the others.

import type { RunObserver } from "./scheduler.js";

type Hook = keyof RunObserver;

/** One observer calling each of `observers` in turn; an error is passed to `onError` and the rest go on. */
export function combineObservers(
  observers: readonly Partial<RunObserver>[],
  onError: (hook: Hook, error: unknown) => void,
): RunObserver {
  const each =
    <H extends Hook>(hook: H) =>
    (...args: Parameters<NonNullable<RunObserver[H]>>): void => {
      for (const observer of observers) {
        const call = observer[hook] as ((...a: typeof args) => void) | undefined;
        try {
          call?.apply(observer, args);
        } catch (error) {
          onError(hook, error);
        }
      }
    };
  return {
    onQueued: each("onQueued"),
    onStart: each("onStart"),
    onWaitingForSlot: each("onWaitingForSlot"),
    onLine: each("onLine"),
    onEvent: each("onEvent"),
    onEnd: each("onEnd"),
  };
}
