// Public surface of the sidecar API.

export * from "../extension-protocol.js";
export * from "./constants.js";
export * from "./discord-reads.js";
export * from "./discovery.js";
export * from "./mirror.js";
export * from "./named-tokens.js";
export * from "./notify.js";
export * from "./ports.js";
export * from "./route-context.js";
export * from "./run-telemetry.js";
export * from "./run-tokens.js";
export * from "./server.js";
export * from "./steering.js";
export * from "./tasks.js";
