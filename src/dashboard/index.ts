// Public surface of the dashboard: its view, the reducer that folds run events into it, the renderer.

export * from "./custom-ids.js";
export * from "./model.js";
export * from "./render.js";
export * from "./view.js";
