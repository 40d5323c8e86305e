// The kinds of value a setting can hold (Discord id, duration, whole number, …) as zod schemas over the
// raw string. A check that can name the exact bad piece (one id in a list) says so in `params.received`.

import * as z from "zod";

export const SNOWFLAKE = /^\d{17,20}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `90s`, `30m`, `1h`, `250ms`, or a bare number of milliseconds. `undefined` when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2]?.toLowerCase() ?? "ms") as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/** Lists are written with commas, spaces or both: `1,2`, `1, 2`, `1 2`. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item !== "");
}

export const snowflake = z.string().regex(SNOWFLAKE);

export function snowflakeList(options: { min: number }) {
  return z.string().transform((text, ctx) => {
    const ids = splitList(text);
    for (const id of ids) {
      if (!SNOWFLAKE.test(id))
        ctx.addIssue({ code: "custom", message: "not an id", params: { received: id } });
    }
    if (ids.length < options.min) ctx.addIssue({ code: "custom", message: "too few ids" });
    return ids;
  });
}

export function wholeNumber(range: { min: number; max: number }) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(range.min).max(range.max));
}

/** A string setting read by `parse` (undefined: not one, said as `not a <what>`), then held to `range`. */
function parsedNumber(
  parse: (text: string) => number | undefined,
  what: string,
  range: { min: number; max: number },
) {
  return z
    .string()
    .transform((text, ctx) => {
      const value = parse(text);
      if (value === undefined) {
        ctx.addIssue({ code: "custom", message: `not a ${what}` });
        return z.NEVER;
      }
      return value;
    })
    .pipe(z.number().min(range.min).max(range.max));
}

export function duration(range: { min: number; max: number }) {
  return parsedNumber(parseDuration, "duration", range);
}

const BYTE_SIZE = /^(\d+)\s*([KMG])?B?$/i;
const UNIT_BYTES = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const;

/** `10M`, `512K`, `1G` (binary units, an optional `B`), or a bare number of bytes; else `undefined`. */
export function parseByteSize(text: string): number | undefined {
  const match = BYTE_SIZE.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2]?.toUpperCase() as keyof typeof UNIT_BYTES | undefined;
  return Number(match[1]) * (unit ? UNIT_BYTES[unit] : 1);
}

export function byteSize(range: { min: number; max: number }) {
  return parsedNumber(parseByteSize, "size", range);
}

export const bool = z.stringbool();

/**
 * Named tokens' prefix (`NAMED_TOKEN_PREFIX` in src/extension-protocol.ts, which config may not import;
 * a unit test keeps the two equal).
 */
export const NAMED_TOKEN_PREFIX_IN_CONFIG = "ompcord_tok_";
/** Random characters a configured named token needs beyond its prefix. */
const NAMED_TOKEN_MIN_RANDOM = 32;

/**
 * Configured named tokens: `name:discordUserId:token`, several separated by commas or spaces. The bad
 * entry is reported by its name only: the rest holds a secret.
 */
export const namedTokenList = z.string().transform((text, ctx) => {
  const entries: { name: string; discordUserId: string; token: string }[] = [];
  const names = new Set<string>();
  for (const entry of splitList(text)) {
    const [name = "", discordUserId = "", ...rest] = entry.split(":");
    const token = rest.join(":");
    const shown = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(name) ? name : "(an entry)";
    const key = `${discordUserId}:${name}`;
    if (
      shown !== name ||
      !SNOWFLAKE.test(discordUserId) ||
      !token.startsWith(NAMED_TOKEN_PREFIX_IN_CONFIG) ||
      token.length < NAMED_TOKEN_PREFIX_IN_CONFIG.length + NAMED_TOKEN_MIN_RANDOM ||
      names.has(key)
    ) {
      ctx.addIssue({ code: "custom", message: "not name:userId:token", params: { received: shown } });
      continue;
    }
    names.add(key);
    entries.push({ name, discordUserId, token });
  }
  return entries;
});

export const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ""));

/** A value pasted with quotes, spaces or a `Bot ` prefix is the usual mistake with tokens. */
export const opaqueToken = (minChars: number) =>
  z
    .string()
    .regex(/^[^\s"'`]+$/)
    .min(minChars);

export const word = z.string().regex(/^\S+$/);

export const hostName = z.string().regex(/^[A-Za-z0-9.\-:[\]]+$/);

/** An executable path; arguments belong in OMP_EXTRA_ARGS, not here. */
export const executable = z.string().refine((text) => !/\s-/.test(text));

export const path = z.string().min(1);

/** A JSON array of strings, or whitespace-separated words (no quoting rules to get wrong). */
export const argumentList = z
  .string()
  .transform((text, ctx) => {
    if (!text.startsWith("[")) return text.split(/\s+/).filter((arg) => arg !== "");
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "invalid JSON array" });
      return z.NEVER;
    }
  })
  .transform((value, ctx) => {
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: "custom", message: "not an array" });
      return z.NEVER;
    }
    for (const item of value) {
      if (typeof item !== "string") {
        ctx.addIssue({ code: "custom", message: "not a string", params: { received: JSON.stringify(item) } });
      }
    }
    return value as string[];
  });

/** Comma-separated paths (a path may hold spaces, not commas). */
export const pathList = z.string().transform((text) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== ""),
);

/** One of `values`, in any letter case. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((text) => text.toLowerCase())
    .pipe(z.enum(values));
}

/** `channelId=dir,channelId=dir`: per-channel working directories. */
export const channelDirectories = z.string().transform((text, ctx) => {
  const map: Record<string, string> = {};
  for (const pair of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf("=");
    const id = eq < 0 ? "" : pair.slice(0, eq).trim();
    const dir = eq < 0 ? "" : pair.slice(eq + 1).trim();
    if (!SNOWFLAKE.test(id) || dir === "") {
      ctx.addIssue({ code: "custom", message: "not channelId=dir", params: { received: pair } });
      continue;
    }
    map[id] = dir;
  }
  return map;
});

/**
 * `channelId=word,channelId=word`: a per-channel choice among `words` (in `config/ompcord.json`, an object
 * `{ "<channel id>": "<word>" }`). Each bad pair is named on its own.
 */
export function channelChoices<const T extends readonly string[]>(words: T) {
  return z.string().transform((text, ctx) => {
    const map: Record<string, T[number]> = {};
    for (const pair of text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean)) {
      const eq = pair.indexOf("=");
      const id = eq < 0 ? "" : pair.slice(0, eq).trim();
      const word =
        eq < 0
          ? ""
          : pair
              .slice(eq + 1)
              .trim()
              .toLowerCase();
      if (!SNOWFLAKE.test(id) || !words.includes(word)) {
        ctx.addIssue({ code: "custom", message: "not channelId=word", params: { received: pair } });
        continue;
      }
      map[id] = word as T[number];
    }
    return map;
  });
}

/** Environment variable names the omp child may see; the bot's own secrets are refused by name. */
export function envNameList(forbidden: readonly string[]) {
  return z.string().transform((text, ctx) => {
    const names = splitList(text);
    for (const name of names) {
      if (forbidden.includes(name)) {
        ctx.addIssue({
          code: "custom",
          message: "forbidden name",
          params: {
            received: name,
            expected: "names of variables omp may see, never the bot's own secrets",
            fix: `Remove ${name} from OMP_ENV_PASSTHROUGH: omp gets the session id and the sidecar URL and token from ompcord, and never the Discord token.`,
          },
        });
      } else if (!ENV_NAME.test(name)) {
        ctx.addIssue({ code: "custom", message: "not a name", params: { received: name } });
      }
    }
    return names;
  });
}

/** An amount of money such as `5` or `2.50` (US dollars, as omp reports cost), within `range`. */
export function amount(range: { min: number; max: number }) {
  return z
    .string()
    .regex(/^\s*\d+(?:\.\d+)?\s*$/)
    .transform(Number)
    .pipe(z.number().gt(range.min).max(range.max));
}

/** `channelId=number,channelId=number`: a per-channel figure that `value` accepts. Each bad pair is named. */
export function channelNumbers(value: z.ZodType<number, string>) {
  return z.string().transform((text, ctx) => {
    const map: Record<string, number> = {};
    for (const pair of text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean)) {
      const eq = pair.indexOf("=");
      const id = eq < 0 ? "" : pair.slice(0, eq).trim();
      const parsed = eq < 0 ? undefined : value.safeParse(pair.slice(eq + 1).trim());
      if (!SNOWFLAKE.test(id) || !parsed?.success) {
        ctx.addIssue({ code: "custom", message: "not channelId=number", params: { received: pair } });
        continue;
      }
      map[id] = parsed.data;
    }
    return map;
  });
}

/** An IANA time zone this Node knows (`UTC`, `Europe/Berlin`), checked with Intl. */
export const timeZone = z.string().refine((text) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: text.trim() });
    return text.trim() !== "";
  } catch {
    return false;
  }
});
