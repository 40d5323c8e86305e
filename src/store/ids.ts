// Short random ids for rows: lowercase letters and digits, easy to read in logs and Discord footers.

import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
const LENGTH = 12; // 36^12 ≈ 4.7e18: collisions are not a practical concern at this scale

export function newId(): string {
  // 256 is not a multiple of 36: drop the bytes that would bias the first letters.
  const limit = 256 - (256 % ALPHABET.length);
  let id = "";
  while (id.length < LENGTH) {
    for (const byte of randomBytes(LENGTH * 2)) {
      if (byte < limit && id.length < LENGTH) id += ALPHABET[byte % ALPHABET.length];
    }
  }
  return id;
}
