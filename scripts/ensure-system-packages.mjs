#!/usr/bin/env node
// The Debian packages ompcord's tests need beyond Node, installed by the README's test command itself
// (`npm test` runs this first): as root (CI, containers) it installs what is missing with apt-get; as
// anyone else it stops with the exact command to run. A package is judged present by the command it
// provides, so a machine that has the tool from elsewhere is left alone.

import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Each package the suite needs, the command that shows it is there, and why the tests need it. */
const PACKAGES = [
  {
    name: "bubblewrap",
    command: "bwrap",
    why: "every omp run is sandboxed with bwrap; the escape tests run it",
  },
  {
    name: "git",
    command: "git",
    why: "the sandbox tests have the agent init a repository and commit in its working directory",
  },
  {
    name: "python3",
    command: "python3",
    why: "the sandbox tests check that the agent can run python3 inside its sandbox",
  },
  {
    // Not in Debian's or Ubuntu's container images (they carry only libsystemd0), though on every
    // machine booted with systemd.
    name: "systemd",
    command: "systemd-analyze",
    why: "the service unit in deploy/systemd is checked with `systemd-analyze verify`",
  },
  {
    name: "chromium",
    command: "chromium",
    why: "the local playground's browser tests drive Debian's Chromium through playwright-core (never a downloaded browser)",
  },
];

function onPath(command) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function run(command, args) {
  const result = spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.status === 0;
}

const missing = PACKAGES.filter((pkg) => !onPath(pkg.command));
if (missing.length === 0) process.exit(0);

const names = missing.map((pkg) => pkg.name);
const reasons = missing.map((pkg) => `  - ${pkg.name} (${pkg.command}): ${pkg.why}`).join("\n");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

if (isRoot && onPath("apt-get")) {
  process.stdout.write(
    `ompcord's tests need system packages that are missing; installing them:\n${reasons}\n`,
  );
  // A fresh machine or container has no package lists yet; installing without them finds nothing.
  if (
    !run("apt-get", ["update"]) ||
    !run("apt-get", ["install", "-y", "--no-install-recommends", ...names])
  ) {
    process.stderr.write(`\nInstalling ${names.join(", ")} with apt-get failed; see apt's message above.\n`);
    process.exit(1);
  }
  const still = missing.filter((pkg) => !onPath(pkg.command));
  if (still.length > 0) {
    process.stderr.write(
      `\napt-get finished, but ${still.map((p) => p.command).join(", ")} is still not on PATH.\n`,
    );
    process.exit(1);
  }
  process.exit(0);
}

const install = onPath("apt-get")
  ? `sudo apt-get install -y ${names.join(" ")}`
  : `install ${names.join(", ")} with your system's package manager (Debian/Ubuntu: apt-get install -y ${names.join(" ")})`;
process.stderr.write(
  `ompcord's tests need system packages that are missing:\n${reasons}\n\nRun:\n  ${install}\nthen run the tests again.\n`,
);
process.exit(1);
