// A run's transcript file: every (already redacted) line appended in order. Lines are gathered into
// chunks and written through one stream; when the disk is slower than the output, the caller is told
// to wait (`write` returns a promise) so memory stays bounded whatever the output size.
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Writable } from "node:stream";
import { expectInteger } from "../expect.js";

export interface TranscriptOptions {
  /** Bytes gathered before a write to the stream (default 64 KiB). */
  chunkBytes?: number;
  /** Bytes the stream may hold before `write` asks the caller to wait (default 1 MiB). */
  highWaterMarkBytes?: number;
  /**
   * Opens the file for appending (default: an fs write stream). A port so that tests can hand in a
   * writer that fails as a full disk does, without filling one.
   */
  open?: (path: string, options: { highWaterMark: number }) => Writable;
}

export class TranscriptWriter {
  readonly path: string;
  readonly #stream: Writable;
  readonly #chunkBytes: number;
  #chunk: string[] = [];
  #chunkLength = 0;
  #bytesWritten = 0;
  #lines = 0;
  #error: Error | undefined;
  #closed: Promise<void> | undefined;

  constructor(path: string, options: TranscriptOptions = {}) {
    const chunkBytes = options.chunkBytes ?? 64 * 1024;
    const highWaterMark = options.highWaterMarkBytes ?? 1024 * 1024;
    expectInteger("chunkBytes", chunkBytes, 1);
    this.path = path;
    this.#chunkBytes = chunkBytes;
    mkdirSync(dirname(path), { recursive: true });
    this.#stream = options.open
      ? options.open(path, { highWaterMark })
      : createWriteStream(path, { flags: "a", highWaterMark });
    this.#stream.on("error", (error) => {
      this.#error ??= error;
    });
  }

  /** Bytes handed to the file so far (UTF-8, newlines included). */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** Lines appended so far. */
  get lineCount(): number {
    return this.#lines;
  }

  /** The first write error, if the disk failed (full, removed directory …). */
  get error(): Error | undefined {
    return this.#error;
  }

  /**
   * Appends one line. Returns undefined when the caller may go on at once, or a promise to await
   * before writing more (the stream's buffer is full).
   */
  writeLine(line: string): Promise<void> | undefined {
    const text = `${line}\n`;
    this.#chunk.push(text);
    this.#chunkLength += text.length;
    this.#lines++;
    if (this.#chunkLength < this.#chunkBytes) return undefined;
    return this.#writeChunk();
  }

  /** Writes what is gathered and closes the file; resolves when everything is on disk. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = (async () => {
        await this.#writeChunk();
        await new Promise<void>((resolve) => {
          if (this.#stream.destroyed) return resolve();
          this.#stream.end(() => resolve());
          this.#stream.once("error", () => resolve());
        });
      })();
    }
    return this.#closed;
  }

  #writeChunk(): Promise<void> | undefined {
    if (this.#chunk.length === 0) return undefined;
    const data = Buffer.from(this.#chunk.join(""), "utf8");
    this.#chunk = [];
    this.#chunkLength = 0;
    this.#bytesWritten += data.length;
    if (this.#error || this.#stream.destroyed) return undefined; // a broken disk must not stop the run
    if (this.#stream.write(data)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#stream.off("drain", done);
        this.#stream.off("error", done);
        this.#stream.off("close", done);
        resolve();
      };
      this.#stream.on("drain", done);
      this.#stream.on("error", done);
      this.#stream.on("close", done);
    });
  }
}
