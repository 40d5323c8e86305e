// Reads a request body: JSON, or multipart with `payload_json` and `files[n]` parts as discord.js sends
// uploads (parsed with the platform's own Request.formData()).

import type { IncomingMessage } from "node:http";
import { RestError } from "./errors.js";

export interface UploadedFile {
  /** The n of the `files[n]` form field; attachment entries refer to it by id. */
  index: string;
  filename: string;
  contentType: string | null;
  bytes: Buffer;
}

export interface ParsedBody {
  json: Record<string, unknown>;
  files: UploadedFile[];
}

export async function readRaw(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const invalidJson = () => new RestError(400, 50109, "The request body contains invalid JSON.");

export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { json: {}, files: [] };
  if (contentType?.startsWith("multipart/form-data")) {
    const form = await new Request("http://emulator.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: raw,
    }).formData();
    let json: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    for (const [key, value] of form.entries()) {
      if (key === "payload_json" && typeof value === "string") {
        try {
          json = JSON.parse(value);
        } catch {
          throw invalidJson();
        }
      } else if (typeof value !== "string") {
        const match = /^files\[(\d+)\]$/.exec(key) ?? /^file(\d*)$/.exec(key);
        files.push({
          index: match?.[1] || String(files.length),
          filename: value.name,
          contentType: value.type || null,
          bytes: Buffer.from(await value.arrayBuffer()),
        });
      } else {
        json[key] = value;
      }
    }
    return { json, files };
  }
  try {
    const parsed = JSON.parse(raw.toString("utf8"));
    return { json: typeof parsed === "object" && parsed !== null ? parsed : {}, files: [] };
  } catch {
    throw invalidJson();
  }
}
