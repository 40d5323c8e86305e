// Public surface of ompcord's local playground: start it, point the bot at `discord`, print `url`.

export type { BrowserDecision } from "./browser.js";
export { browserDecision, openBrowser } from "./browser.js";
export type { NoticeRule } from "./live.js";
export type { Playground, PlaygroundDiscord, PlaygroundOptions } from "./playground.js";
export { DEFAULT_WEB_ROOT, startPlayground } from "./playground.js";
export type * from "./protocol.js";
export type { EmulatorArea, Refusal, RequestFacts } from "./security.js";
export { judgeEmulatorRequest, judgePageRequest } from "./security.js";
