// zlib-stream transport compression: one deflate context per connection, each payload flushed with
// Z_SYNC_FLUSH so it ends in 00 00 ff ff, as Discord's gateway does when asked for `compress=zlib-stream`.

import zlib from "node:zlib";

export class ZlibStreamEncoder {
  private readonly deflate = zlib.createDeflate();
  private chunks: Buffer[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    this.deflate.on("data", (chunk: Buffer) => this.chunks.push(chunk));
  }

  /** Payloads come out in the order they went in; the shared context requires it. */
  encode(text: string): Promise<Buffer> {
    const next = this.queue.then(
      () =>
        new Promise<Buffer>((resolve) => {
          this.deflate.write(text);
          this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            const out = Buffer.concat(this.chunks);
            this.chunks = [];
            resolve(out);
          });
        }),
    );
    this.queue = next;
    return next;
  }

  close(): void {
    this.deflate.close();
  }
}
