// Public surface of the sidecar API.

export * from "./constants.js";
export * from "./discovery.js";
export * from "./ports.js";
export * from "./server.js";
