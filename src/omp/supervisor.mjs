// The run supervisor: every omp run is `bun supervisor.mjs [options] -- <omp> <args…>`. It makes itself
// a Linux child subreaper, so whatever a tool starts (`cmd &`, `setsid`, a double fork, a job that
// ignores SIGTERM) stays its descendant however that job's parents die; when omp exits, for any reason,
// it ends every remaining descendant (SIGTERM, grace, SIGKILL, until it has no child left) and only then
// exits, with omp's status. Defends against processes outliving their run (issue 13 §3).
//
// Why this shape (the options weighed):
// - Node cannot become a subreaper (no prctl), and a tree captured by polling /proc from the bot always
//   has a window: a job double-forked between two polls, or just before omp exits, is re-parented to
//   init and can no longer be told apart from anyone else's process.
// - `tini -s` is a subreaper, but when its child exits it exits too and leaves the orphans behind; it is
//   also not on a person's machine outside the Docker image.
// - A cgroup (kill every member) is exact, but is not delegated to an unprivileged user on most systems.
// - Bun is already required (omp is a `#!/usr/bin/env bun` script), and `bun:ffi` reaches prctl in libc:
//   no compiler, no native addon, no new package. It costs one Bun start (~30 ms, ~26 MB) per run.
// The sandbox (bubblewrap, issue 11) goes around this script, not inside it: `bwrap … -- bun
// supervisor.mjs … -- omp …`, with `--die-with-parent`; the bot signals the supervisor by its host pid.
//
// Signals: SIGTERM, SIGINT or SIGHUP is forwarded to omp (omp saves its session on SIGTERM); after
// `--grace-ms` omp gets SIGKILL. `--parent-pid` makes the supervisor get SIGTERM when the bot dies
// (PR_SET_PDEATHSIG), `kill -9` of the bot included, so nothing of a run survives its bot.
//
// Reports go to `--report-fd` (never stdout, which is omp's), one JSON object per line:
//   {"type":"started","pid":…,"startTicks":…,"bootId":…}   omp is running
//   {"type":"spawn-error","code":…,"message":…}            omp could not be started (exit status 127)
//   {"type":"leftovers","processes":[{pid,startTicks,bootId,name,signal,stuck}]}   what had to be ended
//   {"type":"exit","code":…,"signal":…}                  omp's own status

import { dlopen, FFIType } from "bun:ffi";
import { closeSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { constants } from "node:os";

const PR_SET_PDEATHSIG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
const FORWARDED_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"];
/** omp ended by one of these: the supervisor ends itself by the same signal (others: exit 128 + n). */
const MIRRORED_SIGNALS = new Set([...FORWARDED_SIGNALS, "SIGKILL", "SIGPIPE"]);
/** Between two looks at the descendants while they end. */
const POLL_MS = 10;
/** How long SIGKILL may take to end everything before the supervisor gives up (D-state processes). */
const KILL_CEILING_MS = 10_000;
/** How often zombies of re-parented orphans are reaped while omp runs. */
const REAP_INTERVAL_MS = 1000;
const EXIT_SPAWN_FAILED = 127;
const EXIT_USAGE = 64;
/** Cannot supervise (no libc, no subreaper, or an internal error): the run did not happen safely. */
const EXIT_NO_SUBREAPER = 70;

function fail(message, status) {
  process.stderr.write(`ompcord supervisor: ${message}\n`);
  process.exit(status);
}

function parseOptions(argv) {
  const separator = argv.indexOf("--");
  if (separator === -1 || separator === argv.length - 1) {
    fail(
      "usage: supervisor.mjs [--grace-ms N] [--parent-pid N] [--report-fd N] -- <command> [args…]",
      EXIT_USAGE,
    );
  }
  const options = {
    graceMs: 2000,
    parentPid: undefined,
    reportFd: undefined,
    command: argv.slice(separator + 1),
  };
  const flags = argv.slice(0, separator);
  for (let i = 0; i < flags.length; i += 2) {
    const value = Number(flags[i + 1]);
    if (!Number.isInteger(value) || value < 0) {
      fail(
        `Expected \`${flags[i]}\` to be a whole number from 0 and up, got \`${flags[i + 1]}\``,
        EXIT_USAGE,
      );
    }
    if (flags[i] === "--grace-ms") options.graceMs = value;
    else if (flags[i] === "--parent-pid") options.parentPid = value;
    else if (flags[i] === "--report-fd") options.reportFd = value;
    else fail(`unknown option \`${flags[i]}\``, EXIT_USAGE);
  }
  return options;
}

function loadLibc() {
  const symbols = {
    prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
    waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  };
  // glibc, then musl (Alpine), then the development symlink.
  const names = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`, "libc.so"];
  for (const name of names) {
    try {
      return dlopen(name, symbols).symbols;
    } catch {
      // try the next name
    }
  }
  return fail(
    `cannot load the C library (tried ${names.join(", ")}); ompcord needs Linux`,
    EXIT_NO_SUBREAPER,
  );
}

const options = parseOptions(process.argv.slice(2));
const libc = loadLibc();

/** Pid and start ticks repeat across reboots; with the boot id, a process is known for good. */
const BOOT_ID = (() => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
})();

function report(message) {
  if (options.reportFd === undefined) return;
  try {
    writeSync(options.reportFd, `${JSON.stringify(message)}\n`);
  } catch {
    // the bot is gone: nobody to tell, the cleanup goes on
  }
}

/** `/proc/<pid>/stat` → { ppid, startTicks, state, name }; the name may hold spaces and parentheses. */
function readStat(pid) {
  try {
    const content = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = content.lastIndexOf(")");
    const fields = content.slice(close + 2).split(" ");
    return {
      pid,
      name: content.slice(content.indexOf("(") + 1, close),
      state: fields[0],
      ppid: Number(fields[1]),
      startTicks: Number(fields[19]),
    };
  } catch {
    return undefined;
  }
}

/** Every live (not zombie) descendant of this process, from the ppid links in /proc. */
function liveDescendants() {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const found = [];
  const stack = [process.pid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()) ?? []) {
      if (child.state !== "Z" && child.state !== "X") found.push(child);
      stack.push(child.pid); // a zombie's children are not re-parented yet: walk through it
    }
  }
  return found;
}

/** Reaps every child that has exited; false once this process has no child at all, dead or alive. */
function reapAndHasChildren() {
  for (;;) {
    const pid = libc.waitpid(-1, null, WNOHANG);
    if (pid === 0) return true; // children left, all running
    if (pid < 0) return false; // ECHILD: nothing left
  }
}

/** While omp runs: reaps orphans that ended, never omp (Bun waits for omp itself). */
function reapOrphans(ompPid) {
  let children;
  try {
    children = readdirSync(`/proc/${process.pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${process.pid}/task/${tid}/children`, "utf8")
        .split(" ")
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return; // no `children` files in this kernel: zombies wait for the end of the run
  }
  for (const pid of children) if (pid !== ompPid) libc.waitpid(pid, null, WNOHANG);
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ends every descendant left once omp is gone: SIGTERM, up to `graceMs` for them to exit, then SIGKILL
 * until this process has no child left. Every orphan is re-parented here, so "no child" means no
 * descendant anywhere: nothing forked in between can escape.
 */
async function endDescendants(graceMs) {
  if (!reapAndHasChildren()) return []; // the usual end: nothing was left, no /proc scan needed
  const ended = new Map();
  const note = (stat, signalName) => {
    const known = ended.get(stat.pid);
    if (known && known.startTicks === stat.startTicks)
      Object.assign(known, { name: stat.name, signal: signalName });
    else
      ended.set(stat.pid, {
        pid: stat.pid,
        startTicks: stat.startTicks,
        name: stat.name,
        signal: signalName,
      });
  };
  for (const stat of liveDescendants()) {
    note(stat, "SIGTERM");
    signal(stat.pid, "SIGTERM");
  }
  const graceEnd = Date.now() + graceMs;
  while (Date.now() < graceEnd) {
    if (!reapAndHasChildren()) return [...ended.values()];
    await sleep(POLL_MS);
  }
  const killEnd = Date.now() + KILL_CEILING_MS;
  while (reapAndHasChildren()) {
    const left = liveDescendants();
    if (Date.now() >= killEnd) {
      for (const stat of left)
        ended.set(stat.pid, { ...(ended.get(stat.pid) ?? stat), signal: "SIGKILL", stuck: true });
      process.stderr.write(`ompcord supervisor: ${left.length} process(es) would not end; leaving them\n`);
      break;
    }
    for (const stat of left) {
      note(stat, "SIGKILL");
      signal(stat.pid, "SIGKILL");
    }
    await sleep(POLL_MS);
  }
  return [...ended.values()].map(({ pid, startTicks, name, signal: how, stuck }) => ({
    pid,
    startTicks,
    bootId: BOOT_ID,
    name,
    signal: how,
    ...(stuck ? { stuck } : {}),
  }));
}

let omp;

async function main() {
  if (libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) {
    fail("cannot become a child subreaper (prctl PR_SET_CHILD_SUBREAPER failed)", EXIT_NO_SUBREAPER);
  }
  if (options.parentPid !== undefined) {
    libc.prctl(PR_SET_PDEATHSIG, constants.signals.SIGTERM, 0, 0, 0);
    // The bot may have died before the line above: then no signal will ever come.
    if (process.ppid !== options.parentPid) fail("the bot that started this run is gone", EXIT_SPAWN_FAILED);
  }

  let stopping = false;
  // `omp.kill` is a no-op once omp has been waited for, so its pid, free again, is never signalled.
  const stop = (name) => {
    if (stopping || !omp) return;
    stopping = true;
    omp.kill(name);
    setTimeout(() => omp.kill("SIGKILL"), options.graceMs).unref();
  };
  for (const name of FORWARDED_SIGNALS) process.on(name, () => stop(name));

  try {
    omp = Bun.spawn(options.command, { stdio: ["inherit", "inherit", "inherit"], env: process.env });
  } catch (error) {
    report({ type: "spawn-error", code: error?.code, message: String(error?.message ?? error) });
    process.stderr.write(
      `ompcord supervisor: cannot start ${options.command[0]}: ${error?.message ?? error}\n`,
    );
    process.exit(EXIT_SPAWN_FAILED);
  }
  report({ type: "started", pid: omp.pid, startTicks: readStat(omp.pid)?.startTicks, bootId: BOOT_ID });
  const reaper = setInterval(() => reapOrphans(omp.pid), REAP_INTERVAL_MS);

  await omp.exited;
  clearInterval(reaper);
  const status = { code: omp.exitCode, signal: omp.signalCode ?? null };
  const processes = await endDescendants(options.graceMs);
  if (processes.length > 0) report({ type: "leftovers", processes });
  report({ type: "exit", ...status });
  try {
    if (options.reportFd !== undefined) closeSync(options.reportFd);
  } catch {
    // already closed by the other end's death: nothing to flush
  }

  // Exit as omp did, so whoever waits for this process sees omp's status.
  if (status.signal) {
    if (MIRRORED_SIGNALS.has(status.signal)) {
      for (const name of FORWARDED_SIGNALS) process.removeAllListeners(name);
      process.kill(process.pid, status.signal);
      await sleep(1000);
    }
    process.exit(128 + (constants.signals[status.signal] ?? 0));
  }
  process.exit(status.code ?? 1);
}

try {
  await main();
} catch (error) {
  // A bug here must not leave the run behind: end omp and everything else at once.
  process.stderr.write(`ompcord supervisor: ${error?.stack ?? error}\n`);
  omp?.kill("SIGKILL");
  await endDescendants(0).catch(() => {});
  process.exit(EXIT_NO_SUBREAPER);
}
