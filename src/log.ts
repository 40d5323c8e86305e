// The pino logger factory: structured JSON lines, every string passed through the redactor on the way
// out, child loggers that carry the session, thread and run a line is about.

import { pino } from "pino";
import type { Config } from "./config/index.js";

export type Logger = pino.Logger;

/** What a log line is about; set once on a child logger, repeated on every line it writes. */
export interface LogContext {
  sessionId?: string;
  threadId?: string;
  runId?: string;
  promptId?: string;
}

export interface CreateLoggerOptions {
  /** Replaces secrets in a string (see src/output); applied to every string value of every line. */
  redact?: (text: string) => string;
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

export function createLogger(config: Pick<Config, "logLevel">, options: CreateLoggerOptions = {}): Logger {
  const { redact } = options;
  const loggerOptions: pino.LoggerOptions = {
    name: "ompcord",
    level: config.logLevel,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: CREDENTIAL_PATHS, censor: "[redacted]" },
  };
  if (redact) {
    // Redacting the serialised line (not the arguments) also covers error stacks and serializer output;
    // parsing first keeps a pattern such as `password=\S+` from eating the JSON's own quotes.
    loggerOptions.hooks = { streamWrite: (line) => redactLine(line, redact) };
  }
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}

/** A child logger whose lines carry `context`; undefined fields are left out rather than logged as null. */
export function withContext(logger: Logger, context: LogContext): Logger {
  const bindings = Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
  return logger.child(bindings);
}

function redactLine(line: string, redact: (text: string) => string): string {
  const newline = line.endsWith("\n") ? "\n" : "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return redact(line);
  }
  return JSON.stringify(redactDeep(parsed, redact)) + newline;
}

function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]),
    );
  }
  return value;
}
