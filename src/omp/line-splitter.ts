// Splits a byte stream into lines with a cap on each line's length, so a megabyte line or a stream
// without newlines cannot grow memory without bound. Invalid UTF-8 decodes to U+FFFD. Pure.

export interface SplitLine {
  /** The line's text (at most `maxLineBytes` bytes of it), without the newline. */
  text: string;
  /** The line's full length in bytes, newline excluded. */
  bytes: number;
  /** True when bytes beyond the cap were dropped. */
  truncated: boolean;
}

export interface LineSplitterOptions {
  /** Bytes of one line kept; the rest is counted and dropped. Default 1 MiB. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;

/** Feed chunks with `push`, get complete lines back; `end` returns the last unterminated line. */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #keptBytes = 0;
  #lineBytes = 0;

  constructor(options: LineSplitterOptions = {}) {
    const max = options.maxLineBytes ?? 1024 * 1024;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(`Expected \`maxLineBytes\` to be an integer from 1 and up, got \`${max}\``);
    }
    this.#maxLineBytes = max;
  }

  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.#keep(chunk, start, end);
      if (newline === -1) break;
      lines.push(this.#take());
      start = newline + 1;
    }
    return lines;
  }

  /** The last line when the stream did not end with a newline. */
  end(): SplitLine | undefined {
    if (this.#lineBytes === 0) return undefined;
    return this.#take();
  }

  #keep(chunk: Buffer, start: number, end: number): void {
    const length = end - start;
    this.#lineBytes += length;
    const room = this.#maxLineBytes - this.#keptBytes;
    if (room <= 0 || length === 0) return;
    // subarray shares memory with the chunk; copy so a kept head does not pin a large chunk.
    const piece = Buffer.from(chunk.subarray(start, start + Math.min(length, room)));
    this.#parts.push(piece);
    this.#keptBytes += piece.length;
  }

  #take(): SplitLine {
    const buffer = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    const line: SplitLine = {
      // A cut may fall inside a multi-byte character: it decodes to U+FFFD like any invalid byte.
      text: buffer.toString("utf8").replace(/\r$/, ""),
      bytes: this.#lineBytes,
      truncated: this.#lineBytes > this.#keptBytes,
    };
    this.#parts = [];
    this.#keptBytes = 0;
    this.#lineBytes = 0;
    return line;
  }
}
