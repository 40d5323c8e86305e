// The live channel on the page: one EventSource to /events, its events folded into the page state.
// EventSource reconnects by itself; the server's first event after a reconnect is a fresh snapshot.

import { useEffect, useReducer } from "preact/hooks";
import type { LiveEvent } from "../../src/protocol.ts";
import { applyEvent, EMPTY_STATE, type PageState } from "./state.ts";

type Action = { type: "event"; event: LiveEvent } | { type: "disconnected" };

function reduce(state: PageState, action: Action): PageState {
  return action.type === "event" ? applyEvent(state, action.event) : { ...state, connected: false };
}

export function useLiveState(): PageState {
  const [state, dispatch] = useReducer(reduce, EMPTY_STATE);
  useEffect(() => {
    const source = new EventSource("/events");
    source.onmessage = (message) => dispatch({ type: "event", event: JSON.parse(message.data) as LiveEvent });
    source.onerror = () => dispatch({ type: "disconnected" });
    return () => source.close();
  }, []);
  return state;
}
