// The credential shapes the redactor masks, and the scan that finds them in time linear in the text.
// Each shape is found from a literal anchor (a prefix such as `ghp_`, a keyword such as `password`) and
// judged from there by walking character runs once; no pattern may backtrack over a long run (one line
// of dotted text used to hold the event loop for 23 s). Pure TypeScript without Node APIs: the same code
// runs in the bot and, bundled, under Bun.

import { NAMED_TOKEN_PREFIX, RUN_TOKEN_PREFIX } from "../extension-protocol.js";

/** A range of a text to mask, `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** Records a span to mask. */
export type Mask = (start: number, end: number) => void;

/**
 * Judges one anchor match `[start, end)`: masks what it finds and returns where this shape's search
 * goes on (after `start`). A judge may read the whole text but walks each run of characters once:
 * what it skips cannot hold a match it would have found.
 */
export type Judge = (start: number, end: number, mask: Mask) => number;

export interface Shape {
  readonly name: string;
  /** Global regex finding candidates; a match is at most `anchorChars` long. */
  readonly anchor: RegExp;
  readonly anchorChars: number;
  /**
   * Every match of the anchor has this length: the scan runs it with `test` (no match object to
   * allocate; adversarial text can hold an anchor every few characters) and computes the start.
   */
  readonly fixedLength?: number;
  /** The judge only needs the match's end (keyword shapes): `test` as well, `start` is the end. */
  readonly endOnly?: boolean;
  /** A judge for one text (shapes that look around keep their state in it); default: mask the match. */
  judge?(text: string, scan: ShapeScan): Judge;
}

// ── character classes ──────────────────────────────────────────────────────────────────────────────

/** A character class tested one code at a time, with a sticky regex to run over long runs. */
interface CharClass {
  (code: number): boolean;
  readonly run: RegExp;
}

/** A class from its regex source (`"[A-Za-z0-9_-]"`): a table for ASCII, the regex for the rest. */
function charClass(source: string): CharClass {
  const single = new RegExp(`^${source}$`);
  const table = new Uint8Array(128);
  for (let code = 0; code < 128; code++) table[code] = single.test(String.fromCharCode(code)) ? 1 : 0;
  const test = (code: number) => (code < 128 ? table[code] === 1 : single.test(String.fromCharCode(code)));
  return Object.assign(test, { run: new RegExp(`${source}*`, "y") });
}

const ALNUM = charClass("[A-Za-z0-9]");
const WORD = charClass("[A-Za-z0-9_]");
/** `sk-…`, JWT parts, Discord token parts: base64url. */
const BASE64URL = charClass("[A-Za-z0-9_-]");
const SLACK = charClass("[A-Za-z0-9-]");
const BEARER_VALUE = charClass("[A-Za-z0-9._~+/=-]");
const NUMBER = charClass("[0-9.,]");
const SPACE = charClass("\\s");
/** A value in `key=value`: anything up to whitespace, a quote, a comma or a semicolon. */
const VALUE = charClass("[^\\s\"',;]");
const HEX = charClass("[0-9A-Fa-f]");

/** Runs this long are walked in JS; a longer one is finished by the class's sticky regex. */
const SHORT_RUN = 16;

/** The end of the run of `cls` characters starting at `from`. */
export function runEnd(text: string, from: number, cls: CharClass): number {
  const stop = Math.min(text.length, from + SHORT_RUN);
  let i = from;
  while (i < stop) {
    if (!cls(text.charCodeAt(i))) return i;
    i++;
  }
  if (i >= text.length) return i;
  cls.run.lastIndex = i;
  cls.run.test(text);
  return cls.run.lastIndex;
}

const isQuote = (code: number) => code === 0x22 || code === 0x27;

// ── shapes ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * `prefix` then a run of `cls` characters, the whole run being the secret. The anchor holds the
 * prefix and the run's minimum length, so near misses are turned down by the regex engine itself.
 */
function prefixedRun(
  name: string,
  prefix: { source: string; length: number },
  classSource: string,
  cls: CharClass,
  min: number,
): Shape {
  const length = prefix.length + min;
  return {
    name,
    anchor: new RegExp(`\\b${prefix.source}${classSource}{${min}}`, "g"),
    anchorChars: length,
    fixedLength: length,
    judge: (text) => (start, end, mask) => {
      // An anchor inside this run (after a `-`, say) would end at the same place: skip the run.
      const runTo = runEnd(text, end, cls);
      mask(start, runTo);
      return runTo;
    },
  };
}

/**
 * `key: value`, `"key": "value"`, `KEY=value` after the key ending at `keyEnd`: the value's span. A
 * value starting before `maskedTo` (inside a value already masked) ends at `maskedTo`.
 */
function valueAfterKey(text: string, keyEnd: number, maskedTo: number): Span | undefined {
  let i = keyEnd;
  if (isQuote(text.charCodeAt(i))) i++;
  i = runEnd(text, i, SPACE);
  const separator = text.charCodeAt(i);
  if (separator !== 0x3a && separator !== 0x3d) return undefined; // `:` or `=`
  i = runEnd(text, i + 1, SPACE);
  if (isQuote(text.charCodeAt(i))) i++;
  const end = i < maskedTo ? maskedTo : runEnd(text, i, VALUE);
  return end - i >= 3 ? { start: i, end } : undefined;
}

/**
 * `<key containing a keyword><separator><value>`: the value is the secret. The anchor is the keyword
 * with the rest of the key run, so every keyword inside one key (`password_password_…`) is passed over
 * by the regex engine: they all lead to the same separator.
 *
 * A value can hold another pair (`password=x.api_key='y'`): the search goes on after the key, not the
 * value. A value starting inside one already masked ends where that one ends (a value has no spaces or
 * quotes), so it is not walked again: `password=password=…` stays linear.
 */
function keyValuePair(name: string, keywords: string, accept: (text: string, value: Span) => boolean): Shape {
  return {
    name,
    anchor: new RegExp(`(?:${keywords})[A-Za-z0-9_.-]*`, "gi"),
    anchorChars: Number.POSITIVE_INFINITY,
    endOnly: true,
    judge: (text) => {
      let maskedTo = 0;
      return (_start, keyEnd, mask) => {
        const value = valueAfterKey(text, keyEnd, maskedTo);
        if (value && accept(text, value)) {
          mask(value.start, value.end);
          maskedTo = Math.max(maskedTo, value.end);
        }
        return keyEnd;
      };
    },
  };
}

/** `tokens: 1500`, `max_tokens=4096`, `total_tokens: 12,345`: counts agents print all the time. */
function isCount(text: string, value: Span): boolean {
  const end = runEnd(text, value.start, NUMBER);
  return end > value.start && (end === text.length || !VALUE(text.charCodeAt(end)));
}

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

/** Where the END line closing a key block opened before `from` ends, or undefined when it is not there. */
function pemEnd(text: string, from: number): number | undefined {
  PEM_END.lastIndex = from;
  const end = PEM_END.exec(text);
  return end ? end.index + end[0].length : undefined;
}

/** A private key from BEGIN to END; a BEGIN without its END (cut-off output) masks to the end. */
const privateKey: Shape = {
  name: "private key",
  anchor: PEM_BEGIN,
  anchorChars: 80,
  judge: (text, scan) => (start, end, mask) => {
    const keyEnd = pemEnd(text, end);
    if (keyEnd === undefined) scan.keyOpen = true;
    const span = { start, end: keyEnd ?? text.length };
    scan.keySpans.push(span);
    mask(span.start, span.end);
    return span.end;
  },
};

/** Characters around an AWS key id or secret-key label within which a bare secret key is masked. */
export const AWS_SECRET_NEAR_CHARS = 256;
const AWS_SECRET_KEY_CHARS = 40;
/** Exactly 40 base64 characters (the look-ahead does not consume: `lastIndex` is the run's end). */
const AWS_SECRET_RUN = /(?:^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g;

/**
 * An AWS secret access key written without its label: 40 base64 characters, mixed case with a digit
 * and not hex (a git SHA is 40 hex characters), within `AWS_SECRET_NEAR_CHARS` of an AKIA/ASIA key id
 * or a secret-access-key label (`Secret access key`, `SecretAccessKey`, `aws_secret…`). With a label
 * followed by `=` or `:` the key-value shape masks it already. Anchored on the id or label: the window
 * around each is walked once (`scannedTo`), so ids close together cost no more than one.
 */
function nearAwsMarker(name: string, anchor: RegExp, anchorChars: number): Shape {
  return {
    name,
    anchor,
    anchorChars,
    judge: (text) => {
      let scannedTo = 0;
      return (start, end, mask) => {
        const from = Math.max(scannedTo, start - AWS_SECRET_NEAR_CHARS);
        const to = Math.min(text.length, end + AWS_SECRET_NEAR_CHARS);
        if (from >= to) return end;
        // Runs starting before `to`, with the character after them.
        const window = text.slice(0, Math.min(text.length, to + AWS_SECRET_KEY_CHARS + 1));
        AWS_SECRET_RUN.lastIndex = Math.max(0, from - 1);
        while (AWS_SECRET_RUN.test(window)) {
          const runEnd = AWS_SECRET_RUN.lastIndex;
          const runStart = runEnd - AWS_SECRET_KEY_CHARS;
          if (runStart >= to) break;
          if (looksRandom(text, runStart, runEnd)) mask(runStart, runEnd);
        }
        scannedTo = to;
        return end;
      };
    },
  };
}

function looksRandom(text: string, start: number, end: number): boolean {
  let upper = false;
  let lower = false;
  let digit = false;
  let notHex = false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 65 && code <= 90) upper = true;
    else if (code >= 97 && code <= 122) lower = true;
    else if (code >= 48 && code <= 57) digit = true;
    if (!HEX(code)) notHex = true;
  }
  return upper && lower && digit && notHex;
}

/** JWTs: three base64url parts of 8+ characters, the first two starting with `{"` encoded (eyJ). */
const jwt: Shape = {
  name: "jwt",
  anchor: /\beyJ[A-Za-z0-9_-]{8}/g,
  anchorChars: 11,
  fixedLength: 11,
  judge: (text) => (start, end, mask) => {
    const headerEnd = runEnd(text, end, BASE64URL);
    // Any later `eyJ` inside this header run ends at the same place and fails the same way.
    if (text.charCodeAt(headerEnd) !== 0x2e || !text.startsWith("eyJ", headerEnd + 1)) return headerEnd;
    const payloadEnd = runEnd(text, headerEnd + 4, BASE64URL);
    if (payloadEnd - (headerEnd + 4) < 8 || text.charCodeAt(payloadEnd) !== 0x2e) return headerEnd;
    const signatureEnd = runEnd(text, payloadEnd + 1, BASE64URL);
    if (signatureEnd - (payloadEnd + 1) < 8) return headerEnd;
    mask(start, signatureEnd);
    return signatureEnd;
  },
};

const isWord = (text: string, i: number) => i >= 0 && i < text.length && WORD(text.charCodeAt(i));
const isBoundary = (text: string, i: number) => isWord(text, i - 1) !== isWord(text, i);

/**
 * Discord bot tokens: base64 user id (24–28 characters from M, N or O) . timestamp (6) . HMAC (27–40),
 * as the regex `\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,40}\b` would find them. Anchored on the
 * `.timestamp.` part, which ordinary text rarely has; the parts around it are bounded.
 */
const discordToken: Shape = {
  name: "discord token",
  anchor: /\.[A-Za-z0-9_-]{6}\./g,
  anchorChars: 8,
  fixedLength: 8,
  judge: (text) => (dot, end, mask) => {
    // The leftmost start that works, as a regex scanning left to right would pick.
    let start = -1;
    for (let s = dot - 28; s <= dot - 24; s++) {
      if (s < 0) continue;
      const first = text.charCodeAt(s);
      if ((first === 0x4d || first === 0x4e || first === 0x4f) && isBoundary(text, s)) {
        if (runEnd(text, s, BASE64URL) >= dot) {
          start = s;
          break;
        }
      }
    }
    if (start < 0) return dot + 1;
    const hmacTo = Math.min(runEnd(text, end, BASE64URL), end + 40);
    for (let stop = hmacTo; stop >= end + 27; stop--) {
      if (isBoundary(text, stop)) {
        mask(start, stop);
        return stop;
      }
    }
    return dot + 1;
  },
};

/** Every credential shape, in no particular order: their spans are merged. */
export const SHAPES: readonly Shape[] = [
  privateKey,
  // Anthropic, OpenAI (legacy, project, service account), OpenRouter …: `sk-` then a long token
  // (`ant-`, `proj-` … are part of the run).
  prefixedRun("sk key", { source: "sk-", length: 3 }, "[A-Za-z0-9_-]", BASE64URL, 16),
  // GitHub classic and fine-grained tokens.
  prefixedRun("github token", { source: "gh[pousr]_", length: 4 }, "[A-Za-z0-9]", ALNUM, 30),
  prefixedRun("github fine-grained token", { source: "github_pat_", length: 11 }, "[A-Za-z0-9_]", WORD, 40),
  // Slack bot/user/app tokens.
  prefixedRun("slack token", { source: "xox[abposr]-", length: 5 }, "[A-Za-z0-9-]", SLACK, 10),
  // AWS access key ids (the regex is the whole, bounded shape), and bare secret keys near them.
  { name: "aws key id", anchor: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, anchorChars: 20, fixedLength: 20 },
  nearAwsMarker("aws secret key near its id", /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, 20),
  nearAwsMarker(
    "aws secret key near its label",
    /secret[\s_-]{0,2}access[\s_-]{0,2}key|aws[\s_-]{0,2}secret/gi,
    40,
  ),
  // The sidecar's per-run tokens (an agent can print its environment); 43 characters of base64url follow.
  prefixedRun(
    "ompcord run token",
    { source: RUN_TOKEN_PREFIX, length: RUN_TOKEN_PREFIX.length },
    "[A-Za-z0-9_-]",
    BASE64URL,
    32,
  ),
  // Named tokens (people and scripts): the same shape, pasted into a thread by mistake.
  prefixedRun(
    "ompcord named token",
    { source: NAMED_TOKEN_PREFIX, length: NAMED_TOKEN_PREFIX.length },
    "[A-Za-z0-9_-]",
    BASE64URL,
    32,
  ),
  // Google API keys.
  { name: "google key", anchor: /\bAIza[0-9A-Za-z_-]{35}/g, anchorChars: 39, fixedLength: 39 },
  jwt,
  discordToken,
  // `Authorization: Bearer …` and bare `Bearer …`: the value goes, the word stays.
  {
    name: "bearer",
    anchor: /\bbearer\s+/gi,
    anchorChars: Number.POSITIVE_INFINITY,
    endOnly: true,
    judge: (text) => (_start, from, mask) => {
      const end = runEnd(text, from, BEARER_VALUE);
      if (end - from >= 8) mask(from, end);
      // Values never overlap (each follows its own whitespace), and one can end in another `bearer `.
      return from;
    },
  },
  // `password=…`, `secret: …`, `api_key="…"`, `DB_PASSWORD=…`, `"client_secret": "…"`.
  keyValuePair(
    "secret pair",
    "password|passwd|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key",
    () => true,
  ),
  // `GITHUB_TOKEN=…`, `token: …`; but a value that is only a number is a count, left alone.
  keyValuePair("token pair", "token", (text, value) => !isCount(text, value)),
];

/** Exact values (the bot token, API keys from the environment), longest first. */
export function exactShape(secrets: readonly string[]): Shape | undefined {
  if (secrets.length === 0) return undefined;
  const escaped = secrets.map((s) => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&"));
  return {
    name: "exact secret",
    anchor: new RegExp(escaped.join("|"), "g"),
    anchorChars: Math.max(...secrets.map((s) => s.length)),
  };
}

// ── the scan ───────────────────────────────────────────────────────────────────────────────────────

export interface ScanOptions {
  /** The text starts inside a private-key block opened before it (line by line output). */
  insideKey?: boolean;
}

const maskMatch: Judge = (start, end, mask) => {
  mask(start, end);
  return end;
};

/**
 * One text's scan: each shape keeps its own search position, so one shape skipping a run never hides
 * another's match. `advance(to)` judges the anchors that start before `to`; calling it with growing
 * `to` lets a caller give the event loop back between slices of a long text.
 */
export class ShapeScan {
  /** The private-key blocks found (a line redactor carries an open one to the next line). */
  readonly keySpans: Span[] = [];
  /** The text ends inside a private-key block (a BEGIN without its END). */
  keyOpen = false;
  /** Anchors before this have all been judged. */
  scanned = 0;
  readonly #shapes: readonly Shape[];
  readonly #judges: Judge[];
  readonly #cursors: number[];
  /** Spans per shape: each shape finds its own in order, so the lists merge cheaply. */
  readonly #found: Span[][];
  #current: Span[] = [];
  readonly #mask: Mask = (start, end) => {
    if (end > start) this.#current.push({ start, end });
  };

  constructor(
    readonly text: string,
    shapes: readonly Shape[],
    options: ScanOptions = {},
  ) {
    this.#shapes = shapes;
    this.#judges = shapes.map((shape) => shape.judge?.(text, this) ?? maskMatch);
    this.#cursors = shapes.map(() => 0);
    this.#found = shapes.map(() => []);
    if (options.insideKey) {
      const end = pemEnd(text, 0);
      const span = { start: 0, end: end ?? text.length };
      this.#found.push([span]);
      this.keySpans.push(span);
      if (end === undefined) this.keyOpen = true;
      const keyShape = shapes.indexOf(privateKey);
      if (keyShape >= 0) this.#cursors[keyShape] = span.end;
    }
  }

  get done(): boolean {
    return this.scanned >= this.text.length;
  }

  /** Judges every anchor that starts before `to` (the end of the text by default). */
  advance(to = this.text.length): void {
    const text = this.text;
    const limit = Math.min(to, text.length);
    if (limit <= this.scanned) return;
    for (let s = 0; s < this.#shapes.length; s++) {
      const shape = this.#shapes[s]!;
      const judge = this.#judges[s]!;
      this.#current = this.#found[s]!;
      let cursor = this.#cursors[s]!;
      if (cursor >= limit) continue;
      // Search no further than an anchor starting before `limit` can reach (plus one character for a
      // look-ahead), so a slice of a long text costs time in proportion to the slice.
      const searchEnd = Math.min(text.length, limit + shape.anchorChars + 1);
      const window = searchEnd === text.length ? text : text.slice(0, searchEnd);
      const anchor = shape.anchor;
      for (;;) {
        anchor.lastIndex = cursor;
        let start: number;
        let end: number;
        if (shape.fixedLength !== undefined || shape.endOnly) {
          if (!anchor.test(window)) {
            cursor = Math.max(cursor, limit);
            break;
          }
          end = anchor.lastIndex;
          start = shape.fixedLength === undefined ? end : end - shape.fixedLength;
        } else {
          const match = anchor.exec(window);
          if (!match) {
            cursor = Math.max(cursor, limit);
            break;
          }
          start = match.index;
          end = start + match[0].length;
        }
        // A later slice's anchor: search again from there next time. (A shape that only knows where
        // its match ends judges it now: reading ahead is harmless.)
        if (start >= limit && !shape.endOnly) {
          cursor = start;
          break;
        }
        // Always forward: past the start (a shape that knows only the end never resumes before it).
        cursor = Math.max(judge(start, end, this.#mask), shape.endOnly ? end : start + 1);
        if (cursor >= limit) break;
      }
      this.#cursors[s] = cursor;
    }
    this.scanned = limit;
  }

  /** Every span found, sorted by start (sorted runs per shape: the sort merges them). */
  spans(): Span[] {
    const all: Span[] = [];
    for (const list of this.#found) for (const span of list) all.push(span);
    return all.sort((a, b) => a.start - b.start);
  }
}

/**
 * The text of `[from, to)` with every span (sorted by start) replaced by `mask`; overlapping and
 * touching spans become one mask, and a span cut by `from` or `to` is masked up to the cut.
 */
export function renderMasked(
  text: string,
  spans: readonly Span[],
  mask: string,
  from = 0,
  to = text.length,
): string {
  if (spans.length === 0) return from === 0 && to === text.length ? text : text.slice(from, to);
  const parts: string[] = [];
  let pos = from;
  let i = 0;
  while (i < spans.length) {
    let { start, end } = spans[i]!;
    i++;
    while (i < spans.length && spans[i]!.start <= end) {
      end = Math.max(end, spans[i]!.end);
      i++;
    }
    if (end <= pos) continue;
    if (start >= to) break;
    start = Math.max(start, pos);
    if (start > pos) parts.push(text.slice(pos, start));
    parts.push(mask);
    pos = Math.min(end, to);
  }
  if (pos < to) parts.push(text.slice(pos, to));
  return parts.join("");
}
