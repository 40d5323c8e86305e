// A writer that fails every write as a full disk does: handed to the bot's transcript port, it tests
// the disk-full path without filling a disk.

import { Writable } from "node:stream";

export function fullDiskWriter(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
    },
  });
}
