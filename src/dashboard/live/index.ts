// Public surface of the live dashboard controller: one LiveDashboard per session, a registry that paces
// them together, the per-thread write windows every writer shares, the outbox for what the bot owes a
// thread, and the DashboardSink the bot implements with discord.js.

export * from "./constants.js";
export * from "./controller.js";
export * from "./errors.js";
export * from "./outbox.js";
export * from "./pacing.js";
export * from "./registry.js";
export * from "./run-end.js";
export * from "./sink.js";
export * from "./typing.js";
export * from "./write-window.js";
