// Public surface of the formatting helpers: message splitting, thread names, text safety, info embeds.

export * from "./answer.js";
export * from "./embeds.js";
export * from "./limits.js";
export * from "./split.js";
export * from "./text.js";
export * from "./thread-name.js";
export * from "./validate.js";
