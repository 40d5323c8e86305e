import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED } from "../../src/output/redact.js";

// Every credential below is FAKE: shaped like the real thing, never issued by anyone.
const FAKE = {
  discordBotToken: "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB",
  openaiLegacy: "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
  openaiProject: "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcdEFGH",
  anthropic: "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-abcdefghijkl_mnopqrstu-AAAA",
  githubClassic: "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
  githubFineGrained:
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
  slackBot: "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
  awsKeyId: "AKIAIOSFODNN7EXAMPLE",
  google: "AIzaSyA-1234567890abcdefghijklmnopqrstu",
  jwt: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkZha2UifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
};

describe("createRedactor: credential shapes", () => {
  const r = createRedactor();
  it.each(Object.entries(FAKE))("masks a %s", (_name, secret) => {
    const out = r.redact(`before ${secret} after`);
    expect(out).toBe(`before ${REDACTED} after`);
  });

  it.each([
    ["password=hunter2hunter2", `password=${REDACTED}`],
    ["DB_PASSWORD=s3cr3t-value", `DB_PASSWORD=${REDACTED}`],
    ['secret: "abc123def"', `secret: "${REDACTED}"`],
    ["api_key = 'zzz999yyy'", `api_key = '${REDACTED}'`],
    ["client_secret:xyz-789-abc", `client_secret:${REDACTED}`],
    ["Authorization: Bearer abc.def-ghi_jkl", `Authorization: Bearer ${REDACTED}`],
    ["GITHUB_TOKEN=abc123def456", `GITHUB_TOKEN=${REDACTED}`],
    ["token: 9f8e7d6c", `token: ${REDACTED}`],
  ])("masks the value of %s", (input, expected) => {
    expect(r.redact(input)).toBe(expected);
  });

  it.each(["tokens: 1500", "max_tokens=4096", "total_tokens: 12,345", "token_count: 0.5"])(
    "leaves a token count such as %s alone",
    (text) => {
      expect(r.redact(text)).toBe(text);
    },
  );

  it("leaves ordinary text and near misses alone", () => {
    const text = "sk-short, the password is required, token count 42, AKIA123, Bearer of bad news";
    expect(r.redact(text)).toBe(text);
  });

  it("masks a private key block given as one text", () => {
    const pem = [
      "key:",
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
      "-----END OPENSSH PRIVATE KEY-----",
      "done",
    ].join("\n");
    expect(r.redact(pem)).toBe(`key:\n${REDACTED}\ndone`);
  });

  it("masks from BEGIN to the end when the block is cut off", () => {
    expect(r.redact("x -----BEGIN RSA PRIVATE KEY-----\nMIIEow")).toBe(`x ${REDACTED}`);
  });
});

describe("createRedactor: exact secrets", () => {
  it("masks known values wherever they appear, longest first", () => {
    const r = createRedactor({ secrets: ["plain-secret-value", "plain-secret-value-longer"] });
    expect(r.redact("a plain-secret-value-longer b plain-secret-value c")).toBe(
      `a ${REDACTED} b ${REDACTED} c`,
    );
  });
  it("treats regex characters in a secret literally", () => {
    const r = createRedactor({ secrets: ["a.b*c+d(e)f"] });
    expect(r.redact("x a.b*c+d(e)f y aXbbbcd")).toBe(`x ${REDACTED} y aXbbbcd`);
  });
  it("ignores values too short to mask safely", () => {
    const r = createRedactor({ secrets: ["abc", ""] });
    expect(r.redact("abc")).toBe("abc");
  });
});

describe("createRedactor: line by line", () => {
  it("masks every line of a private key printed line by line, and nothing after it", () => {
    const lines = createRedactor().lines();
    const input = [
      "cat id_rsa",
      "-----BEGIN RSA PRIVATE KEY-----",
      "MIIEowIBAAKCAQEAfakefakefakefakefakefakefakefakefakefake",
      "fakefakefakefakefakefakefakefakefakefakefakefakefakefake==",
      "-----END RSA PRIVATE KEY----- trailing",
      "after the key",
    ];
    expect(input.map((l) => lines.line(l))).toEqual([
      "cat id_rsa",
      REDACTED,
      REDACTED,
      REDACTED,
      `${REDACTED} trailing`,
      "after the key",
    ]);
  });

  it("keeps its key-block state per stream", () => {
    const r = createRedactor();
    const a = r.lines();
    const b = r.lines();
    a.line("-----BEGIN PRIVATE KEY-----");
    expect(b.line("visible")).toBe("visible");
    expect(a.line("hidden")).toBe(REDACTED);
  });
});
