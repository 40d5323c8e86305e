import { describe, expect, it } from "vitest";
import { buildOmpArgs, MAX_ARGUMENT_TEXT_BYTES, maxTimeSeconds, overlayYaml } from "../../src/omp/args.js";

const base = {
  model: "local/fake",
  maxTimeMs: 600_000,
  configOverlayPath: "/data/overlay.yml",
  sessionDir: "/data/sessions/s1",
  continuation: { kind: "continue" as const },
  text: "hello",
};

describe("buildOmpArgs", () => {
  it("runs print mode with JSON events, the model, limits, overlay and session, then -- and the text", () => {
    const { args, stdinText } = buildOmpArgs({ ...base, extraArgs: ["--no-title"], cwd: "/work" });
    expect(args).toEqual([
      "-p",
      "--mode",
      "json",
      "--model",
      "local/fake",
      "--no-title",
      "--max-time",
      "600",
      "--config",
      "/data/overlay.yml",
      "--cwd",
      "/work",
      "--session-dir",
      "/data/sessions/s1",
      "--continue",
      "--",
      "hello",
    ]);
    expect(stdinText).toBeUndefined();
  });

  it("resumes a known conversation by id", () => {
    const { args } = buildOmpArgs({ ...base, continuation: { kind: "resume", ompSessionId: "01a1fee2" } });
    expect(args).toContain("--resume");
    expect(args[args.indexOf("--resume") + 1]).toBe("01a1fee2");
    expect(args).not.toContain("--continue");
  });

  it.each(["--version", "--help me", "update", "-x", "a\nb -- c"])(
    "text %j is exactly one argument after --",
    (text) => {
      const { args } = buildOmpArgs({ ...base, text });
      expect(args.slice(-2)).toEqual(["--", text]);
      expect(args.filter((a) => a === "--")).toHaveLength(1);
    },
  );

  it("text over the argument limit goes on stdin with nothing after --", () => {
    const text = "é".repeat(MAX_ARGUMENT_TEXT_BYTES / 2 + 1); // over the limit in bytes, not in characters
    const { args, stdinText } = buildOmpArgs({ ...base, text });
    expect(args.at(-1)).toBe("--");
    expect(stdinText).toBe(text);
  });

  it("omits --model when none is configured", () => {
    expect(buildOmpArgs({ ...base, model: undefined }).args).not.toContain("--model");
  });

  it("rounds the time limit up to whole seconds, at least one", () => {
    expect(maxTimeSeconds(1)).toBe(1);
    expect(maxTimeSeconds(1500)).toBe(2);
    expect(maxTimeSeconds(30 * 60_000)).toBe(1800);
  });
});

describe("overlayYaml", () => {
  it("bounds retries, turns magic keywords off and disables the local providers omp would probe", () => {
    const yaml = overlayYaml({ maxRetries: 2 });
    expect(yaml).toContain("retry:\n  enabled: true\n  maxRetries: 2");
    expect(yaml).toContain("magicKeywords:\n  enabled: false");
    expect(yaml).toContain("disabledProviders: [ollama, llama.cpp, lm-studio]");
  });

  it("turns omp's shared process broker off, so nothing a run launches can outlive it", () => {
    expect(overlayYaml({ maxRetries: 2 })).toContain("launch:\n  enabled: false");
  });

  it("zero retries disables retrying", () => {
    expect(overlayYaml({ maxRetries: 0 })).toContain("enabled: false\n  maxRetries: 0");
  });

  it("rejects a negative retry count with a message saying what was expected", () => {
    expect(() => overlayYaml({ maxRetries: -1 })).toThrow(
      "Expected `maxRetries` to be an integer from 0 and up, got `-1`",
    );
  });
});
