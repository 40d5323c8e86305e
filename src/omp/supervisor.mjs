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
//
// The sandbox (bubblewrap, src/omp/sandbox.ts) goes inside this script, not around it: `bun supervisor.mjs
// --sandboxed … -- bwrap … -- omp …`. So the supervisor keeps the bot's parent-death signal and its host
// view: it finds omp's host pid (the only child of the sandbox's init, whose pid bwrap reports on
// `--json-status-fd`) and signals omp itself, because bwrap does not forward SIGTERM and ending its init
// would kill omp before it saved its session. bwrap's `--die-with-parent` ends the sandbox when this
// process dies; the sandbox's own pid namespace ends every process in it when omp exits.
//
// Signals: SIGTERM, SIGINT or SIGHUP is forwarded to omp (omp saves its session on SIGTERM); after
// `--grace-ms` omp gets SIGKILL. `--parent-pid` makes the supervisor get SIGTERM when the bot dies
// (PR_SET_PDEATHSIG), `kill -9` of the bot included, so nothing of a run survives its bot.
//
// Reports go to `--report-fd` (never stdout, which is omp's), one JSON object per line:
//   {"type":"started","pid":…,"startTicks":…,"bootId":…}   omp is running (its host pid, also when sandboxed)
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
/** The descriptor bwrap writes its JSON status to, in bwrap's own numbering (`--sandboxed`). */
const SANDBOX_STATUS_FD = 3;
/**
 * bwrap returns as soon as its init reports omp's status; the init then exits by itself (and the kernel
 * ends anything left in its pid namespace). It gets this long before anything counts as left behind.
 */
const SANDBOX_SETTLE_MS = 2000;
/** How often the sandbox's init is looked at until omp, its child, appears. */
const SANDBOX_POLL_MS = 5;
/** Signals omp handles itself (it exits 128 + n); any other 128 + n from bwrap means omp died of n. */
const HANDLED_SIGNALS = new Set(FORWARDED_SIGNALS.map((name) => constants.signals[name]));
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
      "usage: supervisor.mjs [--grace-ms N] [--parent-pid N] [--report-fd N] [--sandboxed] -- <command> [args…]",
      EXIT_USAGE,
    );
  }
  const options = {
    graceMs: 2000,
    parentPid: undefined,
    reportFd: undefined,
    sandboxed: false,
    command: argv.slice(separator + 1),
  };
  const flags = argv.slice(0, separator);
  for (let i = 0; i < flags.length; i += 2) {
    if (flags[i] === "--sandboxed") {
      options.sandboxed = true;
      i -= 1; // a switch, no value
      continue;
    }
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

/** The children of `pid`: from its `children` files, else (no such files in this kernel) a /proc scan. */
function childrenOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    const found = [];
    for (const entry of readdirSync("/proc")) {
      if (/^\d+$/.test(entry) && readStat(Number(entry))?.ppid === pid) found.push(Number(entry));
    }
    return found;
  }
}

/**
 * The sandboxed omp's host pid: bwrap reports its init's pid on the status pipe, and omp is the init's
 * only child. Resolves undefined when the sandbox ends first (it did not start, or omp was very quick).
 */
async function findSandboxedOmp(statusFd, sandboxExited) {
  let initPid;
  let ended = false;
  void sandboxExited.then(() => {
    ended = true;
  });
  const status = (async () => {
    let buffered = "";
    // Bun's end of the pipe is non-blocking: node:fs streams fail on it with EAGAIN, Bun's own do not.
    // Read to the end, so bwrap's last status line never meets a closed pipe (SIGPIPE).
    for await (const chunk of Bun.file(statusFd).stream()) {
      buffered += Buffer.from(chunk).toString("utf8");
      for (let newline = buffered.indexOf("\n"); newline !== -1; newline = buffered.indexOf("\n")) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const value = JSON.parse(line);
          if (Number.isInteger(value["child-pid"])) initPid = value["child-pid"];
        } catch {
          // not a status line
        }
      }
    }
  })().catch(() => {});
  while (!ended) {
    if (initPid !== undefined) {
      const [child] = childrenOf(initPid);
      if (child !== undefined) return child;
    }
    await sleep(SANDBOX_POLL_MS);
  }
  await status;
  return undefined;
}

/** bwrap passes on omp's exit code, and 128 + n when omp died of signal n (its own exit status). */
function sandboxStatus(code) {
  const number = code - 128;
  const name = Object.keys(constants.signals).find((key) => constants.signals[key] === number);
  if (code > 128 && name && !HANDLED_SIGNALS.has(number)) return { code: null, signal: name };
  return { code, signal: null };
}

let omp;
/** Host pid and start ticks of omp when it runs in a sandbox (`omp` is then bwrap). */
let sandboxed;

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
  // A sandboxed omp is signalled by its host pid while it is still the process found (same start);
  // before it is found, or once it is gone, ending bwrap ends the sandbox and all in it.
  const signalOmp = (name) => {
    if (!sandboxed) return omp.kill(name);
    if (sandboxed.pid !== undefined && readStat(sandboxed.pid)?.startTicks === sandboxed.startTicks) {
      return signal(sandboxed.pid, name);
    }
    omp.kill("SIGKILL");
  };
  const stop = (name) => {
    if (stopping || !omp) return;
    stopping = true;
    signalOmp(name);
    setTimeout(() => signalOmp("SIGKILL"), options.graceMs).unref();
  };
  for (const name of FORWARDED_SIGNALS) process.on(name, () => stop(name));

  const command = options.sandboxed
    ? [options.command[0], "--json-status-fd", String(SANDBOX_STATUS_FD), ...options.command.slice(1)]
    : options.command;
  try {
    omp = Bun.spawn(command, {
      stdio: options.sandboxed
        ? ["inherit", "inherit", "inherit", "pipe"]
        : ["inherit", "inherit", "inherit"],
      env: process.env,
    });
  } catch (error) {
    report({ type: "spawn-error", code: error?.code, message: String(error?.message ?? error) });
    process.stderr.write(
      `ompcord supervisor: cannot start ${options.command[0]}: ${error?.message ?? error}\n`,
    );
    process.exit(EXIT_SPAWN_FAILED);
  }
  if (options.sandboxed) {
    sandboxed = { pid: undefined, startTicks: undefined };
    const hostPid = await findSandboxedOmp(omp.stdio[SANDBOX_STATUS_FD], omp.exited);
    const startTicks = hostPid === undefined ? undefined : readStat(hostPid)?.startTicks;
    if (startTicks !== undefined) {
      sandboxed = { pid: hostPid, startTicks };
      report({ type: "started", pid: hostPid, startTicks, bootId: BOOT_ID });
    }
  } else {
    report({ type: "started", pid: omp.pid, startTicks: readStat(omp.pid)?.startTicks, bootId: BOOT_ID });
  }
  const reaper = setInterval(() => reapOrphans(omp.pid), REAP_INTERVAL_MS);

  await omp.exited;
  clearInterval(reaper);
  const status =
    options.sandboxed && omp.exitCode !== null
      ? sandboxStatus(omp.exitCode)
      : { code: omp.exitCode, signal: omp.signalCode ?? null };
  if (options.sandboxed) {
    const settled = Date.now() + SANDBOX_SETTLE_MS;
    while (reapAndHasChildren() && Date.now() < settled) await sleep(POLL_MS);
  }
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
