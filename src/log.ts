// The pino logger factory: structured JSON lines, every string passed through the redactor on the way
// out, lines kept small (no request bodies, long strings and arrays cut with a mark), child loggers that
// carry the session, thread and run a line is about. Optionally the same lines also go to a file that
// is rotated by size (OMPCORD_LOG_FILE).

import { mkdirSync } from "node:fs";
import { basename, dirname } from "node:path";
import { pino } from "pino";
import { createStream, type Generator, type RotatingFileStream } from "rotating-file-stream";
import { type Config, ConfigError } from "./config/index.js";

export type Logger = pino.Logger;

/** What a log line is about; set once on a child logger, repeated on every line it writes. */
export interface LogContext {
  sessionId?: string;
  threadId?: string;
  runId?: string;
  promptId?: string;
}

/**
 * Replaces secrets in a string (see src/output/redact.ts); with `maxChars`, returns only the string's
 * head, masking a secret the cut goes through.
 */
export type LogRedactor = (text: string, options?: { maxChars?: number }) => string;

export interface CreateLoggerOptions {
  /** Applied to every string value (and key) of every line. */
  redact?: LogRedactor;
  /** Where lines go; stdout by default. Tests pass a stream they read back. */
  destination?: pino.DestinationStream;
}

/** Object keys that hold credentials, censored whatever the redactor knows. */
const CREDENTIAL_PATHS = [
  "token",
  "*.token",
  "apiToken",
  "*.apiToken",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
];

/** The longest line written; a longer one is made smaller (see `finishLine`). One screen or so. */
export const LOG_LINE_MAX_CHARS = 16 * 1024;
/** Strings longer than this are cut, with a mark saying how much was left out. */
const LOG_STRING_MAX_CHARS = 8 * 1024;
/** Arrays longer than this keep their first items and a mark. */
const LOG_ARRAY_MAX_ITEMS = 20;
/** Objects nested deeper than this are summarised. */
const LOG_MAX_DEPTH = 8;
/** Fields every line keeps even when others must go to fit the line. */
const CORE_FIELDS = new Set([
  "level",
  "time",
  "pid",
  "hostname",
  "name",
  "sessionId",
  "threadId",
  "runId",
  "promptId",
]);

/** The rotating files behind loggers that write one, so a stop can flush them (`endLogFile`). */
const LOG_FILES = new WeakMap<Logger, RotatingFileStream>();

export function createLogger(
  config: Pick<Config, "logLevel"> & { logFile?: Config["logFile"] },
  options: CreateLoggerOptions = {},
): Logger {
  const { redact } = options;
  const loggerOptions: pino.LoggerOptions = {
    name: "ompcord",
    level: config.logLevel,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: CREDENTIAL_PATHS, censor: "[redacted]" },
    serializers: { err: serializeError },
    // Working on the serialised line (not the arguments) also covers error stacks and serializer
    // output; parsing first keeps a pattern such as `password=\S+` from eating the JSON's own quotes.
    hooks: { streamWrite: (line) => finishLine(line, redact) },
  };
  const main = options.destination ?? pino.destination(1);
  if (!config.logFile || config.logLevel === "silent") return pino(loggerOptions, main);
  const file = openLogFile(config.logFile);
  // Each stream takes every line the logger's own level lets through (multistream's default is info).
  const level = config.logLevel;
  const logger = pino(
    loggerOptions,
    pino.multistream([
      { level, stream: main },
      { level, stream: file },
    ]),
  );
  LOG_FILES.set(logger, file);
  return logger;
}

/**
 * The log file, rotated the classic logrotate way: `ompcord.log` is always the current file, and at
 * `maxBytes` it becomes `ompcord.log.1` (the older ones move up, the oldest beyond `keep` is deleted).
 * A file that cannot be written later (disk full) is reported on stderr; stdout keeps logging.
 */
function openLogFile(settings: NonNullable<Config["logFile"]>): RotatingFileStream {
  const name = basename(settings.path);
  try {
    mkdirSync(dirname(settings.path), { recursive: true });
  } catch (error) {
    throw new ConfigError([
      {
        variable: "OMPCORD_LOG_FILE",
        expected: "a file in a directory ompcord can create and write to",
        received: settings.path,
        fix: `${(error as Error).message}: point OMPCORD_LOG_FILE at a writable place, or remove it to log to stdout only.`,
      },
    ]);
  }
  // With `rotate`, the generator gets only the file's number (null for the current file).
  const fileName = (index: number | Date | null) =>
    typeof index === "number" && index > 0 ? `${name}.${index}` : name;
  const file = createStream(fileName as Generator, {
    path: dirname(settings.path),
    size: `${settings.maxBytes}B`,
    rotate: settings.keep,
  });
  let reported = false;
  const report = (error: Error) => {
    if (reported) return;
    reported = true;
    process.stderr.write(
      `ompcord: cannot write the log file ${settings.path} (${error.message}); logging to stdout only from now on. Check the disk and OMPCORD_LOG_FILE.\n`,
    );
  };
  file.on("error", report);
  file.on("warning", report);
  return file;
}

/** Writes out what the logger's file still holds and closes it; nothing to do without a file. */
export function endLogFile(logger: Logger): Promise<void> {
  const file = LOG_FILES.get(logger);
  if (!file || file.destroyed || file.writableEnded) return Promise.resolve();
  LOG_FILES.delete(logger);
  return new Promise((resolve) => {
    file.once("error", () => resolve());
    file.end(() => resolve());
  });
}

/**
 * pino's error serializer without what must not reach a log: discord.js's DiscordAPIError and
 * HTTPError carry the whole request (`requestBody`: the JSON and every file, a transcript as an array
 * of bytes). Their method, url, status, code and message stay.
 */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (serialized && typeof serialized === "object" && "requestBody" in serialized) {
    delete (serialized as { requestBody?: unknown }).requestBody;
  }
  return serialized;
}

/** A child logger whose lines carry `context`; undefined fields are left out rather than logged as null. */
export function withContext(logger: Logger, context: LogContext): Logger {
  const bindings = Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
  return logger.child(bindings);
}

/**
 * The line as written: every string redacted, long strings and arrays cut with a mark, request bodies
 * and buffers summarised, and, if it is still longer than `LOG_LINE_MAX_CHARS`, its biggest fields
 * replaced by a note until it fits. Always one valid JSON line.
 */
function finishLine(line: string, redact: LogRedactor | undefined): string {
  const newline = line.endsWith("\n") ? "\n" : "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return cutString(line.trimEnd(), LOG_LINE_MAX_CHARS - 64, redact) + newline;
  }
  const small = shrink(parsed, redact, 0);
  let out = JSON.stringify(small);
  if (out.length > LOG_LINE_MAX_CHARS && small && typeof small === "object" && !Array.isArray(small)) {
    out = JSON.stringify(dropBiggestFields(small as Record<string, unknown>, out.length));
  }
  return out + newline;
}

function cutString(text: string, max: number, redact: LogRedactor | undefined): string {
  if (text.length <= max) return redact ? redact(text) : text;
  const head = redact ? redact(text, { maxChars: max }) : text.slice(0, max);
  return `${head}… [${text.length - max} more characters not logged]`;
}

function shrink(value: unknown, redact: LogRedactor | undefined, depth: number): unknown {
  if (typeof value === "string") return cutString(value, LOG_STRING_MAX_CHARS, redact);
  if (!value || typeof value !== "object") return value;
  if (depth >= LOG_MAX_DEPTH) return "[nested too deep: not logged]";
  if (Array.isArray(value)) {
    const kept = value.slice(0, LOG_ARRAY_MAX_ITEMS).map((item) => shrink(item, redact, depth + 1));
    if (value.length > LOG_ARRAY_MAX_ITEMS)
      kept.push(`… [${value.length - LOG_ARRAY_MAX_ITEMS} more items not logged]`);
    return kept;
  }
  const record = value as Record<string, unknown>;
  // A Buffer as JSON: file contents, never wanted in a log.
  if (record.type === "Buffer" && Array.isArray(record.data))
    return `[${record.data.length} bytes not logged]`;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    out[cutString(key, LOG_STRING_MAX_CHARS, redact)] =
      key === "requestBody" ? "[request body not logged]" : shrink(item, redact, depth + 1);
  }
  return out;
}

/** Replaces the biggest fields (never the ids saying what the line is about) by a note until it fits. */
function dropBiggestFields(record: Record<string, unknown>, length: number): Record<string, unknown> {
  const out = { ...record };
  const bySize = Object.entries(out)
    .filter(([key]) => !CORE_FIELDS.has(key))
    .map(([key, value]) => ({ key, size: JSON.stringify(value)?.length ?? 0 }))
    .sort((a, b) => b.size - a.size);
  let total = length;
  for (const { key, size } of bySize) {
    if (total <= LOG_LINE_MAX_CHARS) break;
    const note = `[field of ${size} characters not logged: line too long]`;
    out[key] = note;
    total -= size - JSON.stringify(note).length;
  }
  return out;
}
