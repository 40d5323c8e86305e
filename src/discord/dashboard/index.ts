// Public surface of the dashboard: its view, the reducer that folds run events into it, the renderer.

export * from "./buttons.js";
export * from "./model.js";
export * from "./render.js";
export * from "./view.js";
