// What every part of the page may read or do: the state, the page's clock (relative times tick), names,
// opening a channel or thread, and telling the person something went wrong.

import { createContext } from "preact";
import type { PageModal } from "../../src/protocol.ts";
import { EMPTY_STATE, type PageState } from "./state.ts";

export interface PageContextValue {
  state: PageState;
  /** The page's clock, advanced every few seconds so `<t:…:R>` and "did not respond" stay current. */
  now: Date;
  userName(id: string): string | undefined;
  /** Shows a thread beside the channel, or switches the channel. */
  openChannel(id: string): void;
  /** A short message at the bottom of the page (an action failed). */
  toast(text: string): void;
  /** Opens the bot's modal for an interaction. */
  openModal(interactionId: string, modal: PageModal): void;
}

export const PageContext = createContext<PageContextValue>({
  state: EMPTY_STATE,
  now: new Date(0),
  userName: () => undefined,
  openChannel: () => undefined,
  toast: () => undefined,
  openModal: () => undefined,
});
