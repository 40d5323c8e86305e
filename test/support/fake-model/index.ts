// Entry point of the fake model for tests and the playground.

export {
  ansiReply,
  bashThenReply,
  type HeldReply,
  heldReply,
  httpError,
  longReply,
  reply,
  type Script,
  type Step,
  slowReply,
  toolThenReply,
  usageLimitThenReply,
} from "./scripts.js";
export {
  type ChatRequest,
  contentText,
  conversationPosition,
  type FakeModel,
  type Matcher,
  requestText,
  startFakeModel,
} from "./server.js";
