// Turns Discord text into prompt text that omp treats as plain words: no file includes, no slash
// commands, no magic keywords, no model mentions or turn budgets. Pure.
//
// What omp 18.2.3 acts on inside a prompt (read in node_modules/@oh-my-pi/pi-coding-agent/src):
// - `utils/file-mentions.ts`: `@path`, `@"path"`, `@'path'` is read and attached when the `@` stands at
//   the start or after whitespace or one of ( [ { < " ' `  (`isMentionBoundary` looks one char back).
// - `session/agent-session.ts#dispatchPrompt`: text whose first char is `/` is tried as an extension
//   command, a custom command, a slash command and a prompt template.
// - `modes/magic-keyword-boundary.ts`: lowercase `ultrathink`, `orchestrate`, `workflowz` flanked by
//   prose boundaries append hidden instructions (we also turn them off with `magicKeywords.enabled`).
// - `session/model-mention-syntax.ts`: `^selector` after whitespace names another model to consult.
// - `modes/turn-budget.ts`: a standalone `+500k` sets a token budget for the turn.
//
// The fix is one ZERO WIDTH JOINER (U+200D) per trigger: it is invisible, the model still reads the
// same words, and each matcher above fails because the character it looks at is no longer the
// trigger (the boundary before `@`/`^`/`+` is a ZWJ, the first char is a ZWJ, the keyword is split).

/** U+200D ZERO WIDTH JOINER: not whitespace, not a letter or digit, invisible when rendered. */
export const ZWJ = "\u200d";

const MAGIC_KEYWORDS = ["ultrathink", "orchestrate", "workflowz"] as const;

// Same boundaries as omp's magicKeywordRegex, so we touch exactly the occurrences omp would act on.
const LEFT_BOUNDARY = String.raw`(?<![\p{L}\p{N}_./\\-])(?<!::)`;
const RIGHT_BOUNDARY = String.raw`(?![\p{L}\p{N}_/\\-])(?!\.[\p{L}\p{N}_-])(?!\()`;
const MAGIC_KEYWORD_REGEX = new RegExp(
  `${LEFT_BOUNDARY}(${MAGIC_KEYWORDS.join("|")})${RIGHT_BOUNDARY}`,
  "gu",
);

// A mention starts at the text start or after whitespace / ( [ { < " ' ` — omp's MENTION_BOUNDARY_REGEX.
const FILE_MENTION_REGEX = /(^|[\s([{<"'`])@/g;
// `^model` after whitespace or at the start (omp's MODEL_MENTION_RE without the lookahead).
const MODEL_MENTION_REGEX = /(^|\s)\^(?=[^\s^])/g;
// `+500`, `+2k`, `+1.5m!` standing alone (omp's TURN_BUDGET).
const TURN_BUDGET_REGEX = /(^|\s)\+(?=\d+(?:\.\d+)?[km]?!?(?:\s|$))/gi;

/** Splits a magic keyword after its fifth letter, so the literal word no longer occurs. */
function splitKeyword(word: string): string {
  return `${word.slice(0, 5)}${ZWJ}${word.slice(5)}`;
}

/**
 * Makes `text` safe to hand to omp as a prompt: the model reads the same words, omp acts on none of
 * them. Idempotent enough for our use (a second pass only adds harmless joiners).
 */
export function neutralisePrompt(text: string): string {
  // A NUL cannot travel in an argument (spawning fails, and the session showed Failed for a typo-level
  // input); it carries no meaning for the model either.
  let out = text.replace(/\0/g, "");
  out = out.replace(FILE_MENTION_REGEX, `$1${ZWJ}@`);
  out = out.replace(MODEL_MENTION_REGEX, `$1${ZWJ}^`);
  out = out.replace(TURN_BUDGET_REGEX, `$1${ZWJ}+`);
  out = out.replace(MAGIC_KEYWORD_REGEX, (word) => splitKeyword(word));
  // omp checks `text.startsWith("/")`; a joiner before the slash defeats that check. Leading
  // whitespace counts too, in case some layer trims the prompt before the check.
  return out.replace(/^(\s*)\//, `$1${ZWJ}/`);
}
