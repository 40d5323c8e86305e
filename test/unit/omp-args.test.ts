import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildOmpArgs, extensionArgs, maxTimeSeconds, overlayYaml } from "../../src/omp/args.js";

const OMP_SOURCE = resolve(import.meta.dirname, "../../node_modules/@oh-my-pi/pi-coding-agent/src");
const ompSource = (path: string) => readFileSync(join(OMP_SOURCE, path), "utf8");

/**
 * Every word the pinned omp treats specially in argv, read from its own source: command names and
 * aliases (`cli-commands.ts`), reserved plugin verbs, worker selectors, and every flag its parsers know.
 */
function ompSpecialWords(): string[] {
  const commands = ompSource("cli-commands.ts");
  const table = commands.slice(commands.indexOf("export const commands"), commands.indexOf("\n];"));
  const names = [...table.matchAll(/(?:name: |aliases: \[|, )"([^"]+)"/g)].map((m) => m[1]!);
  const reservedStart = commands.indexOf("const RESERVED_TOP_LEVEL_WORDS");
  const reserved = commands.slice(reservedStart, commands.indexOf("\n};", reservedStart));
  const words = [...reserved.matchAll(/^\t([a-z-]+):/gm)].map((m) => m[1]!);
  const selectors = [ompSource("cli.ts"), ompSource("cli/worker-selectors.ts")].flatMap((text) =>
    [...text.matchAll(/"(__omp_worker_[a-z_]+)"/g)].map((m) => m[1]!),
  );
  const flags = [ompSource("cli/args.ts"), ompSource("cli/flag-tables.ts")].flatMap((text) =>
    [...text.matchAll(/"(--?[a-z][a-z-]*)"/g)].map((m) => m[1]!),
  );
  return [...new Set([...names, ...words, ...selectors, ...flags])];
}

const base = {
  model: "local/fake",
  maxTimeMs: 600_000,
  configOverlayPath: "/data/overlay.yml",
  sessionDir: "/data/sessions/s1",
  continuation: { kind: "continue" as const },
  text: "hello",
};

describe("buildOmpArgs", () => {
  it("runs print mode with JSON events, the model, limits, overlay and session; the text goes on stdin", () => {
    const { args, stdinText } = buildOmpArgs({ ...base, extraArgs: ["--no-title"], cwd: "/work" });
    expect(args).toEqual([
      "-p",
      "--mode",
      "json",
      "--model",
      "local/fake",
      "--no-title",
      "--no-extensions",
      "--max-time",
      "600",
      "--config",
      "/data/overlay.yml",
      "--cwd",
      "/work",
      "--session-dir",
      "/data/sessions/s1",
      "--continue",
    ]);
    expect(stdinText).toBe("hello");
  });

  it("loads exactly ompcord's extension with --trusted-extension (discovery off), and none without one", () => {
    const { args } = buildOmpArgs({ ...base, extensionPath: "/opt/ompcord/ompcord-extension.js" });
    expect(args[args.indexOf("--trusted-extension") + 1]).toBe("/opt/ompcord/ompcord-extension.js");
    expect(args).not.toContain("-e");
    expect(args).not.toContain("--extension");
    expect(buildOmpArgs(base).args).toContain("--no-extensions");
    expect(buildOmpArgs(base).args).not.toContain("--trusted-extension");
  });

  it("resumes a known conversation by id", () => {
    const { args } = buildOmpArgs({ ...base, continuation: { kind: "resume", ompSessionId: "01a1fee2" } });
    expect(args).toContain("--resume");
    expect(args[args.indexOf("--resume") + 1]).toBe("01a1fee2");
    expect(args).not.toContain("--continue");
  });

  it.each([
    "--help",
    "-h",
    "--version",
    "--help me",
    "update",
    "-x",
    "a\nb -- c",
    "3f2a9c4e-1b2d-4c3e-8f9a-0123456789ab",
    "@notes.txt",
  ])("text %j never appears in argv, short or long, and arrives on stdin whole", (text) => {
    for (const whole of [text, `${text} ${"é".repeat(100 * 1024)}`]) {
      const { args, stdinText } = buildOmpArgs({ ...base, text: whole });
      expect(args).toEqual(buildOmpArgs({ ...base, text: "anything else" }).args);
      expect(args).not.toContain("--");
      expect(stdinText).toBe(whole);
    }
  });

  it("argv is the same whatever the text, for every command, reserved word, selector and flag of the pinned omp", () => {
    const words = ompSpecialWords();
    // A parse that found nothing would prove nothing: omp 18.2.3 has 40 commands and dozens of flags.
    expect(words).toEqual(
      expect.arrayContaining(["update", "stats", "wt", "list", "--help", "-h", "--model"]),
    );
    expect(words.length).toBeGreaterThan(100);
    const plain = buildOmpArgs({ ...base, text: "plain words" }).args;
    for (const word of words) {
      for (const text of [word, `${word} x`, `--help ${word}`]) {
        const { args, stdinText } = buildOmpArgs({ ...base, text });
        expect(args, text).toEqual(plain);
        expect(stdinText).toBe(text);
      }
    }
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

describe("extensions", () => {
  it("an untrusted workspace loads no extension or hook: discovery off", () => {
    expect(buildOmpArgs(base).args).toContain("--no-extensions");
    expect(extensionArgs(false)).toEqual(["--no-extensions"]);
  });

  it("a trusted project's own extensions and hooks load", () => {
    expect(buildOmpArgs({ ...base, projectTrusted: true }).args).not.toContain("--no-extensions");
    expect(extensionArgs(true)).toEqual([]);
  });

  it("ompcord's extension is the only one in an untrusted workspace, and added with -e in a trusted one", () => {
    expect(extensionArgs(false, "/opt/ext.js")).toEqual(["--trusted-extension", "/opt/ext.js"]);
    // omp refuses --trusted-extension together with -e; discovery stays on for a trusted project.
    expect(extensionArgs(true, "/opt/ext.js")).toEqual(["-e", "/opt/ext.js"]);
  });
});

describe("overlayYaml", () => {
  it("bounds retries, turns magic keywords off and disables the local providers omp would probe", () => {
    const yaml = overlayYaml({ maxRetries: 2 });
    expect(yaml).toContain("retry:\n  enabled: true\n  maxRetries: 2");
    expect(yaml).toContain("magicKeywords:\n  enabled: false");
    expect(yaml).toMatch(/^disabledProviders: \[ollama, llama\.cpp, lm-studio[,\]]/m);
  });

  it("an untrusted workspace runs none of its code: custom tools, project MCP, LSP servers, .envrc", () => {
    const yaml = overlayYaml({ maxRetries: 2 });
    expect(yaml).toContain(
      "disabledProviders: [ollama, llama.cpp, lm-studio, native, claude, codex, claude-plugins]",
    );
    expect(yaml).toContain("mcp:\n  enableProjectConfig: false");
    expect(yaml).toContain("lsp:\n  enabled: false");
    expect(parse(yaml).bash).toMatchObject({ direnv: "off" });
  });

  it("a trusted project keeps its tools, MCP and LSP servers and .envrc; the bot's own pins stay", () => {
    const yaml = overlayYaml({ maxRetries: 2, projectTrusted: true });
    expect(yaml).toContain("disabledProviders: [ollama, llama.cpp, lm-studio]\n");
    const settings = parse(yaml);
    for (const pin of ["mcp", "lsp"]) expect(settings).not.toHaveProperty(pin);
    expect(settings.bash).not.toHaveProperty("direnv");
    expect(yaml).toContain("launch:\n  enabled: false");
    expect(yaml).toContain("magicKeywords:\n  enabled: false");
  });

  it("pins omp's own approval gate open, edits to old/new text, and omp's handler limit above the approval timeout", () => {
    for (const projectTrusted of [false, true]) {
      const settings = parse(overlayYaml({ maxRetries: 2, projectTrusted, approvalTimeoutMs: 120_000 }));
      expect(settings.tools.approvalMode).toBe("yolo");
      expect(settings.tools.approval.bash).toBe("allow");
      expect(settings.bash.patterns).toEqual([]);
      expect(settings.edit).toEqual({ mode: "replace" });
      expect(settings.extensionHandlers.toolCallTimeoutMs).toBeGreaterThan(120_000);
    }
  });

  it("turns omp's shared process broker off, so nothing a run launches can outlive it", () => {
    expect(overlayYaml({ maxRetries: 2 })).toContain("launch:\n  enabled: false");
  });

  it("pins bash auto-backgrounding off, trusted or not: a steer waits for a running command instead of orphaning it", () => {
    for (const projectTrusted of [false, true]) {
      expect(parse(overlayYaml({ maxRetries: 2, projectTrusted })).bash.autoBackground).toEqual({
        enabled: false,
      });
    }
  });

  it("waits for a usage limit's reset when asked, trusted or not, and never with retries off (omp needs them)", () => {
    for (const projectTrusted of [false, true]) {
      expect(parse(overlayYaml({ maxRetries: 2, waitForUsageReset: true, projectTrusted })).retry).toEqual({
        enabled: true,
        maxRetries: 2,
        waitForUsageReset: true,
      });
    }
    expect(parse(overlayYaml({ maxRetries: 2 })).retry.waitForUsageReset).toBe(false);
    expect(parse(overlayYaml({ maxRetries: 0, waitForUsageReset: true })).retry.waitForUsageReset).toBe(
      false,
    );
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
