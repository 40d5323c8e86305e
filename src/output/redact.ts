// Secret redaction for everything that leaves the bot: exact values the bot knows (its token, API
// keys from the environment) and the shapes of common credentials (./secret-shapes.ts). Time linear in
// the text; long text can be redacted in slices that give the event loop back between them. Pure
// TypeScript without Node APIs (the OMP extension bundles it under Bun).

import {
  exactShape,
  renderMasked,
  type ScanOptions,
  SHAPES,
  type Shape,
  ShapeScan,
} from "./secret-shapes.js";

/** What a secret is replaced with. */
export const REDACTED = "[REDACTED]";

/** Exact secrets shorter than this are not masked: masking "abc" everywhere would wreck output. */
const MIN_EXACT_SECRET_LENGTH = 8;

/**
 * Context kept on each side of a cut in a text (a long line shown in pieces, a log string cut short):
 * longer than any secret shape, so a secret across the cut is seen whole and masked on both sides.
 */
export const REDACT_OVERLAP_CHARS = 4096;

/**
 * Text longer than this is redacted in slices of this size by the async methods, with the event loop
 * given back between slices: at the slowest shape's rate (tens of MB/s, `npm run bench -- redactor`)
 * one slice holds it for a few milliseconds.
 */
export const REDACT_SLICE_CHARS = 64 * 1024;

export interface RedactorOptions {
  /** Exact values to mask wherever they appear (bot token, API tokens, secret env values). */
  secrets?: readonly string[];
  /**
   * How the async methods give the event loop back between slices (default: a zero timeout). Node
   * callers pass `setImmediate` from `node:timers/promises`, which does not wait for the timer clamp.
   */
  yieldControl?: () => Promise<void>;
}

export interface RedactOptions {
  /**
   * Keep only the first `maxChars` characters of the text, redacted as if the rest were there: a
   * secret the cut goes through is masked, not left half visible.
   */
  maxChars?: number;
}

export interface LineOptions {
  /** The line goes on in the next call (a long line shown in pieces): mask across the cut. */
  continues?: boolean;
}

/**
 * Masks secrets in text given line by line: remembers an open private-key block across lines, and
 * sees across the cut between the pieces of a long line. One call at a time.
 */
export interface LineRedactor {
  /** Synchronous: linear, but a very long line holds the event loop for its whole length. */
  line(text: string, options?: LineOptions): string;
  /** The same, giving the event loop back between slices of a long line. */
  lineAsync(text: string, options?: LineOptions): Promise<string>;
}

export interface Redactor {
  /** Masks every secret in `text` (multi-line text welcome). */
  redact(text: string, options?: RedactOptions): string;
  /** The same, giving the event loop back between slices of a long text. */
  redactAsync(text: string, options?: RedactOptions): Promise<string>;
  /** A stateful line-by-line redactor for one stream of lines (one per run). */
  lines(): LineRedactor;
}

const zeroTimeout = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** What rendering and the line state need of a scan. */
type ScanResult = Pick<ShapeScan, "spans" | "keySpans" | "keyOpen">;
const NOTHING_FOUND: ScanResult = { spans: () => [], keySpans: [], keyOpen: false };

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const secrets = [...new Set((options.secrets ?? []).filter((s) => s.length >= MIN_EXACT_SECRET_LENGTH))]
    // Longest first, so a secret containing another is masked whole.
    .sort((a, b) => b.length - a.length);
  const exact = exactShape(secrets);
  const shapes: readonly Shape[] = exact ? [exact, ...SHAPES] : SHAPES;
  const yieldControl = options.yieldControl ?? zeroTimeout;

  // Most lines hold no anchor of any shape: one pass of all anchors at once (case-insensitive, so a
  // superset) tells, and such a line costs one regex test instead of a scan per shape.
  const anyAnchor = new RegExp(shapes.map((shape) => `(?:${shape.anchor.source})`).join("|"), "i");
  const scanSync = (text: string, scanOptions?: ScanOptions): ScanResult => {
    if (!scanOptions?.insideKey && !anyAnchor.test(text)) return NOTHING_FOUND;
    const scan = new ShapeScan(text, shapes, scanOptions);
    scan.advance();
    return scan;
  };
  const scanInSlices = async (text: string, scanOptions?: ScanOptions): Promise<ShapeScan> => {
    const scan = new ShapeScan(text, shapes, scanOptions);
    for (let to = REDACT_SLICE_CHARS; ; to += REDACT_SLICE_CHARS) {
      scan.advance(to);
      if (scan.done) return scan;
      await yieldControl();
    }
  };

  /** The text a cut at `maxChars` keeps, with the context the redactor needs to see past the cut. */
  const head = (text: string, redactOptions?: RedactOptions) => {
    const max = redactOptions?.maxChars;
    if (max === undefined || text.length <= max) return { text, keep: text.length };
    return { text: text.slice(0, max + REDACT_OVERLAP_CHARS), keep: max };
  };

  const lines = (): LineRedactor => {
    // Already shown raw text just before the next piece (context for a secret across the cut), the
    // raw text of this piece held back for the next, and whether the next text starts inside a key.
    let shown = "";
    let held = "";
    let insideKey = false;

    const begin = (text: string, lineOptions?: LineOptions) => {
      const buffer = shown + held + text;
      const from = shown.length;
      // Hold back the end of a piece that goes on: a secret starting there may need what comes next.
      const to = lineOptions?.continues
        ? Math.max(from, buffer.length - REDACT_OVERLAP_CHARS)
        : buffer.length;
      return { buffer, from, to, scanOptions: { insideKey } };
    };
    const finish = (
      scan: ScanResult,
      { buffer, from, to }: { buffer: string; from: number; to: number },
      lineOptions?: LineOptions,
    ): string => {
      const out = renderMasked(buffer, scan.spans(), REDACTED, from, to);
      if (lineOptions?.continues) {
        const next = Math.max(0, to - REDACT_OVERLAP_CHARS);
        shown = buffer.slice(next, to);
        held = buffer.slice(to);
        insideKey = keyCovers(scan, next);
      } else {
        shown = "";
        held = "";
        insideKey = scan.keyOpen;
      }
      return out;
    };
    /** Whether `position` lies inside a private-key block that starts before it. */
    const keyCovers = (scan: ScanResult, position: number): boolean => {
      if (position === 0) return insideKey;
      return scan.keySpans.some((span) => span.start < position && span.end > position);
    };

    return {
      line(text, lineOptions) {
        const job = begin(text, lineOptions);
        return finish(scanSync(job.buffer, job.scanOptions), job, lineOptions);
      },
      async lineAsync(text, lineOptions) {
        const job = begin(text, lineOptions);
        return finish(await scanInSlices(job.buffer, job.scanOptions), job, lineOptions);
      },
    };
  };

  return {
    redact(text, redactOptions) {
      const cut = head(text, redactOptions);
      return renderMasked(cut.text, scanSync(cut.text).spans(), REDACTED, 0, cut.keep);
    },
    async redactAsync(text, redactOptions) {
      const cut = head(text, redactOptions);
      const scan = await scanInSlices(cut.text);
      return renderMasked(cut.text, scan.spans(), REDACTED, 0, cut.keep);
    },
    lines,
  };
}
