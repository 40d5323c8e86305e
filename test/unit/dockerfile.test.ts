// The Dockerfile and the README's Docker example: no Docker engine builds the image here, so a linter
// (dockerfile-utils, the validator behind VS Code's Dockerfile support) checks the file, and the two
// `docker run` commands a person copies must mount the same things and never the checkout (its .env holds
// the bot's token) as the agent's workspace.

import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/config/defaults.js";

const DOCKERFILE = readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8");
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** Where the container's agent works (the image's `OMP_WORKDIR`). */
const WORKSPACE = "/workspace";
/** Mount sources that are the checkout a person runs `docker run` from (shell spellings, not templates). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: `${PWD}` is the shell's, as a person types it
const CHECKOUT_SOURCES = new Set([".", "./", "$PWD", "${PWD}", "$(pwd)", "`pwd`"]);

/** Each problem the validator finds, as a line a person can act on. */
function problems(text: string): string[] {
  return validate(text).map(
    (diagnostic) =>
      `line ${diagnostic.range.start.line + 1}: ${diagnostic.message} (code ${diagnostic.code})`,
  );
}

/** A `docker run` command continued over lines ending in `\`, from its first line on. */
function commandFrom(lines: readonly string[], start: number, strip: (line: string) => string): string {
  const parts: string[] = [];
  for (let index = start; index < lines.length; index += 1) {
    const line = strip(lines[index] ?? "").trim();
    if (!line.endsWith("\\")) {
      parts.push(line);
      return parts.join(" ");
    }
    parts.push(line.slice(0, -1).trim());
  }
  throw new Error(
    "Expected the `docker run` command to end on a line without a trailing `\\`, got the end of the file",
  );
}

/** The `docker run` command in the Dockerfile's header comment (`# Run: docker run …`). */
function dockerfileRun(): string {
  const lines = DOCKERFILE.split("\n");
  const start = lines.findIndex((line) => /^#\s*Run:\s*docker run /.test(line));
  if (start < 0)
    throw new Error("Expected a `# Run: docker run …` line in the Dockerfile's header, found none");
  return commandFrom(lines, start, (line) => line.replace(/^#\s?/, "").replace(/^Run:/, ""));
}

/** The `docker run` command in the README's Docker section. */
function readmeRun(): string {
  const section = README.split(/^## /m).find((part) => part.startsWith("Docker\n"));
  if (!section) throw new Error("Expected a `## Docker` section in the README, found none");
  const lines = section.split("\n");
  const start = lines.findIndex((line) => line.startsWith("docker run "));
  if (start < 0) throw new Error("Expected a `docker run` line in the README's Docker section, found none");
  return commandFrom(lines, start, (line) => line);
}

/** The options of a `docker run` command, each `flag value` (or the bare flag), sorted. */
function runOptions(command: string): { options: string[]; image: string } {
  const words = command.split(/\s+/).filter(Boolean);
  if (words[0] !== "docker" || words[1] !== "run") {
    throw new Error(`Expected a command starting with \`docker run\`, got \`${command}\``);
  }
  const bare = new Set(["-d", "--detach", "--rm", "-i", "-t", "-it"]);
  const options: string[] = [];
  let index = 2;
  while (index < words.length && words[index]?.startsWith("-")) {
    const flag = words[index] as string;
    if (bare.has(flag) || flag.includes("=")) {
      options.push(flag);
      index += 1;
    } else {
      options.push(`${flag} ${words[index + 1] ?? ""}`);
      index += 2;
    }
  }
  return { options: options.sort(), image: words.slice(index).join(" ") };
}

/** The `-v source:target` mounts of a command, as pairs. */
function mounts(options: readonly string[]): Array<{ source: string; target: string }> {
  return options
    .filter((option) => option.startsWith("-v ") || option.startsWith("--volume "))
    .map((option) => {
      const spec = option.slice(option.indexOf(" ") + 1);
      const [source = "", target = ""] = spec.split(":");
      return { source, target };
    });
}

describe("the Dockerfile", () => {
  it("has no problem dockerfile-utils can find", () => {
    expect(problems(DOCKERFILE)).toEqual([]);
  });

  it("would be reported broken: a misspelled flag and an unknown instruction", () => {
    const misspelledFlag = DOCKERFILE.replace("HEALTHCHECK --interval=", "HEALTHCHECK --intervl=");
    const unknownInstruction = DOCKERFILE.replace(/^WORKDIR \/app$/m, "WRKDIR /app");
    expect(misspelledFlag).not.toBe(DOCKERFILE);
    expect(unknownInstruction).not.toBe(DOCKERFILE);
    expect(problems(misspelledFlag).join("\n")).toMatch(/intervl/);
    expect(problems(unknownInstruction).join("\n")).toMatch(/WRKDIR/i);
  });
});

describe("the docker run example", () => {
  const fromDockerfile = runOptions(dockerfileRun());
  const fromReadme = runOptions(readmeRun());

  it("is the same in the README and the Dockerfile's header", () => {
    expect(fromReadme.options).toEqual(fromDockerfile.options);
    expect(fromReadme.image).toBe(fromDockerfile.image);
  });

  it("mounts a workspace and a data volume, never the checkout", () => {
    const mounted = mounts(fromReadme.options);
    expect(mounted.map((mount) => mount.target).sort()).toEqual(["/data", WORKSPACE]);
    expect(mounted.filter((mount) => CHECKOUT_SOURCES.has(mount.source))).toEqual([]);
  });

  it("restarts the bot after a crash and gives it time to stop gracefully", () => {
    expect(fromReadme.options).toContain("--restart unless-stopped");
    const stop = fromReadme.options.find((option) => option.startsWith("--stop-timeout "));
    // Above what the bot itself takes: the shutdown grace, then the cancelled runs' kill grace.
    expect(Number(stop?.split(" ")[1]) * 1000).toBeGreaterThan(
      DEFAULTS.shutdownGraceMs + DEFAULTS.killGraceMs,
    );
  });
});
