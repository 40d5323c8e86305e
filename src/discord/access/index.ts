// Public surface of the access preconditions.

export * from "./check.js";
export * from "./policy.js";
export * from "./rules.js";
