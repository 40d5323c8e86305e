// Secret redaction for everything that leaves the bot: exact values the bot knows (its token, API
// keys from the environment) and the shapes of common credentials. Pure.

/** What a secret is replaced with. */
export const REDACTED = "[REDACTED]";

/** Exact secrets shorter than this are not masked: masking "abc" everywhere would wreck output. */
const MIN_EXACT_SECRET_LENGTH = 8;

/** Credential shapes. Each match is replaced whole, or only its value group when `keep` is set. */
const SHAPES: ReadonlyArray<{ name: string; pattern: RegExp; keepPrefixGroup?: boolean }> = [
  // PEM private keys on one line (the multi-line form is handled by the line state below).
  {
    name: "private key",
    pattern:
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/g,
  },
  // Anthropic, OpenAI (legacy, project, service account), OpenRouter …: `sk-` then a long token.
  { name: "sk key", pattern: /\bsk-(?:ant-|proj-|svcacct-|or-v1-)?[A-Za-z0-9_-]{16,}/g },
  // GitHub classic and fine-grained tokens.
  { name: "github token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g },
  // Slack bot/user/app tokens.
  { name: "slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  // AWS access key ids.
  { name: "aws key id", pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  // Google API keys.
  { name: "google key", pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  // JWTs: three base64url parts, the first two starting with `{"` encoded (eyJ).
  { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  // Discord bot tokens: base64 user id . timestamp . HMAC.
  {
    name: "discord token",
    pattern: /\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}\b/g,
  },
  // `Authorization: Bearer …` and bare `Bearer …`.
  { name: "bearer", pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keepPrefixGroup: true },
  // `password=…`, `secret: …`, `api_key="…"`, `DB_PASSWORD=…`, `client-secret …`.
  {
    name: "secret pair",
    pattern:
      /\b([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?)[^\s"',;]{3,}/gi,
    keepPrefixGroup: true,
  },
  // `GITHUB_TOKEN=…`, `token: …`; but `tokens: 1500` and `max_tokens=4096` are counts agents print all
  // the time, so a value that is only a number is left alone.
  {
    name: "token pair",
    pattern:
      /\b([A-Za-z0-9_.-]*token[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?)(?![\d.,]+(?:[\s"',;]|$))[^\s"',;]{3,}/gi,
    keepPrefixGroup: true,
  },
];

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

export interface RedactorOptions {
  /** Exact values to mask wherever they appear (bot token, API tokens, secret env values). */
  secrets?: readonly string[];
}

/** Masks secrets in text given line by line, remembering an open private-key block across lines. */
export interface LineRedactor {
  line(text: string): string;
}

export interface Redactor {
  /** Masks every secret in `text` (multi-line text welcome). */
  redact(text: string): string;
  /** A stateful line-by-line redactor for one stream of lines (one per run). */
  lines(): LineRedactor;
}

function escapeRegExp(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const secrets = [...new Set((options.secrets ?? []).filter((s) => s.length >= MIN_EXACT_SECRET_LENGTH))]
    // Longest first, so a secret containing another is masked whole.
    .sort((a, b) => b.length - a.length);
  const exact = secrets.length > 0 ? new RegExp(secrets.map(escapeRegExp).join("|"), "g") : undefined;

  const maskShapes = (text: string): string => {
    let out = exact ? text.replace(exact, REDACTED) : text;
    for (const shape of SHAPES) {
      out = shape.keepPrefixGroup
        ? out.replace(shape.pattern, (_match, prefix: string) => `${prefix}${REDACTED}`)
        : out.replace(shape.pattern, REDACTED);
    }
    return out;
  };

  const redact = (text: string): string => {
    const masked = maskShapes(text);
    // A BEGIN without its END (cut-off output): mask from BEGIN to the end of the text.
    const begin = PEM_BEGIN.exec(masked);
    return begin ? `${masked.slice(0, begin.index)}${REDACTED}` : masked;
  };

  return {
    redact,
    lines() {
      let insideKey = false;
      return {
        line(text: string): string {
          if (insideKey) {
            const end = PEM_END.exec(text);
            if (!end) return REDACTED;
            insideKey = false;
            return `${REDACTED}${redact(text.slice(end.index + end[0].length))}`;
          }
          const masked = maskShapes(text);
          const begin = PEM_BEGIN.exec(masked);
          if (begin) {
            insideKey = true;
            return `${masked.slice(0, begin.index)}${REDACTED}`;
          }
          return masked;
        },
      };
    },
  };
}
