// The page's picture of the playground, folded from the live channel's events: a snapshot replaces it,
// each later event upserts or removes one thing. Pure (new maps on change, so the view re-renders).

import type {
  LiveEvent,
  PageChannel,
  PageInteraction,
  PageMessage,
  PageNotice,
  PageWorld,
} from "../../src/protocol.ts";

export interface PageState {
  /** The live channel is open (false while reconnecting). */
  connected: boolean;
  world: PageWorld | undefined;
  channels: ReadonlyMap<string, PageChannel>;
  messages: ReadonlyMap<string, PageMessage>;
  interactions: ReadonlyMap<string, PageInteraction>;
  notices: readonly PageNotice[];
}

export const EMPTY_STATE: PageState = {
  connected: false,
  world: undefined,
  channels: new Map(),
  messages: new Map(),
  interactions: new Map(),
  notices: [],
};

const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((item) => [item.id, item]));

function withEntry<T>(map: ReadonlyMap<string, T>, id: string, value: T | undefined): Map<string, T> {
  const next = new Map(map);
  if (value === undefined) next.delete(id);
  else next.set(id, value);
  return next;
}

export function applyEvent(state: PageState, event: LiveEvent): PageState {
  switch (event.type) {
    case "hello":
      return {
        connected: true,
        world: event.world,
        channels: byId(event.channels),
        messages: byId(event.messages),
        interactions: byId(event.interactions),
        notices: event.notices,
      };
    case "message":
      return { ...state, messages: withEntry(state.messages, event.message.id, event.message) };
    case "messageDelete":
      return { ...state, messages: withEntry(state.messages, event.id, undefined) };
    case "channel":
      return { ...state, channels: withEntry(state.channels, event.channel.id, event.channel) };
    case "channelDelete":
      return { ...state, channels: withEntry(state.channels, event.id, undefined) };
    case "interaction":
      return {
        ...state,
        interactions: withEntry(state.interactions, event.interaction.id, event.interaction),
      };
    case "notice":
      return {
        ...state,
        notices: [...state.notices.filter((n) => n.id !== event.notice.id), event.notice],
      };
  }
}

/** Discord ids grow with time: sorting by id is sorting by creation. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function channelMessages(state: PageState, channelId: string): PageMessage[] {
  return [...state.messages.values()]
    .filter((m) => m.channelId === channelId)
    .sort((a, b) => compareIds(a.id, b.id));
}

/** Threads under a channel, newest first (as Discord's sidebar lists active threads). */
export function threadsOf(state: PageState, parentId: string): PageChannel[] {
  return [...state.channels.values()]
    .filter((c) => c.isThread && c.parentId === parentId)
    .sort((a, b) => compareIds(b.id, a.id));
}

/**
 * The person's commands and clicks the bot has not answered within Discord's deadline: Discord then
 * says "The application did not respond". `now` is the page's clock.
 */
export function unansweredInteractions(state: PageState, now: number): PageInteraction[] {
  const deadline = state.world?.interactionDeadlineMs ?? 3_000;
  return [...state.interactions.values()].filter(
    (i) => i.callbackType === null && now - Date.parse(i.createdAt) > deadline,
  );
}
