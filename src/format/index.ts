// Public surface of the text formatting for Discord: limits, message splitting, thread names, text safety.

export * from "./answer.js";
export * from "./limits.js";
export * from "./split.js";
export * from "./text.js";
export * from "./thread-name.js";
