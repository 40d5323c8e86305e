// Public surface of the access preconditions.

export * from "./check.js";
export * from "./rules.js";
