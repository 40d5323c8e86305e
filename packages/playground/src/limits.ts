// Discord limits the page and its server both enforce, named once. Pure (the page imports it too).

/** A message's content limit on Discord. */
export const MESSAGE_MAX_CHARS = 2000;
