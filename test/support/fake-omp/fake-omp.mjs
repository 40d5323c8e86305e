#!/usr/bin/env node
// A fake `omp` for what real omp cannot be made to do on demand. It accepts omp's flags, prints
// omp-like `--mode json` events, and picks its behaviour from the prompt text (the one argument after
// `--`, or stdin when there is none). Behaviours (first word of the prompt):
//
//   (anything else)     session, agent_start, a short assistant reply "fake reply to: <prompt>", exit 0
//   flood <N>           N assistant lines "line <i>" as fast as possible (one text_delta each), exit 0
//   bytes <N>[KB|MB]    about N bytes of assistant lines (100 bytes each), exit 0
//   ignore-sigterm      ignores SIGTERM, starts a `sleep 300` child, then waits forever
//   spawn-children      starts two `sleep 300` grandchildren in their own sessions (setsid/detached),
//                       prints their pids as `{"type":"fake_children","pids":[…]}`, waits forever
//                       (SIGTERM honoured; combine with ignore-sigterm: "ignore-sigterm spawn-children")
//   garbage             invalid UTF-8, ANSI noise, a 2 MB line without JSON, a NUL byte, then a reply
//   hang                prints the session event and then nothing, forever
//   leave-behind [setsid|double-fork] [hang]
//                       starts a job that ignores SIGTERM (`trap "" TERM; exec sleep 300`, as a plain
//                       child, in its own session, or orphaned at once by a middle shell), waits until
//                       it runs, then replies and exits 0 at once (with `hang`: waits forever instead)
//   leave-behind-on-term
//                       waits; on SIGTERM starts such a job (double-forked) and exits at once
//   exit-now <code>     exits at once with <code>, printing only "fake-omp: exit-now" on stderr
//   secret              prints a fake API key in a tool result
//   at-offset <N> <s>   one newline-less assistant message: <s> at offset N after filler, then more
//                       filler, streamed in 1000-character deltas (a secret across a cut)
//   args                replies with its own argv as JSON (to check what the runner passed)
//
// The PID file: when FAKE_OMP_PID_DIR is set, every process this script starts writes
// `<dir>/<pid>` so tests can check that all of them are gone.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const argv = process.argv.slice(2);
const separator = argv.indexOf("--");
const positional = separator === -1 ? [] : argv.slice(separator + 1);

function readStdin() {
  return new Promise((resolve) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", () => resolve(""));
  });
}

const prompt = positional.length > 0 ? positional.join(" ") : process.stdin.isTTY ? "" : await readStdin();
const words = prompt.trim().split(/\s+/);
const behaviour = words[0] ?? "";

const out = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const sessionId = `fake-${process.pid}-${Date.now()}`;
const usage = { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, totalTokens: 15, cost: { total: 0.001 } };

function header() {
  out({
    type: "session",
    version: 3,
    id: sessionId,
    timestamp: new Date().toISOString(),
    cwd: process.cwd(),
  });
  out({ type: "agent_start" });
  out({ type: "turn_start" });
}

function reply(text) {
  out({ type: "message_start", message: { role: "assistant", content: [] } });
  out({
    type: "message_update",
    assistantMessageEvent: { type: "text_delta", contentIndex: 0, delta: text },
  });
  out({
    type: "message_end",
    message: { role: "assistant", content: [{ type: "text", text }], usage, stopReason: "stop" },
  });
  out({ type: "turn_end" });
  out({ type: "agent_end", messages: [] });
}

function recordPid(pid) {
  if (process.env.FAKE_OMP_PID_DIR && pid) writeFileSync(join(process.env.FAKE_OMP_PID_DIR, String(pid)), "");
}

function sleeper() {
  // `setsid` puts the sleep in its own session like omp's tool commands; detached does the same for node.
  const child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
  recordPid(child.pid);
  return child.pid;
}

/** The pids in the pid dir: every process of this script and of its jobs that said who it is. */
function recorded() {
  return process.env.FAKE_OMP_PID_DIR ? readdirSync(process.env.FAKE_OMP_PID_DIR) : [];
}

function isSleeping(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sleep";
  } catch {
    return false;
  }
}

/**
 * What a tool's `cmd &` can leave behind: a job that ignores SIGTERM. It records its own pid (the pid
 * dir is how tests find everything this script started); resolves once it has.
 */
async function leaveBehind(style) {
  const before = new Set(recorded());
  const job = 'trap "" TERM; touch "$FAKE_OMP_PID_DIR/$$"; exec sleep 300';
  if (style === "double-fork") {
    // The middle shell exits at once: the job is orphaned before anyone could see its parent.
    spawn("sh", ["-c", 'sh -c "$0" &', job], { stdio: "ignore" }).unref();
  } else {
    spawn("sh", ["-c", job], { detached: style === "setsid", stdio: "ignore" }).unref();
  }
  // Until the job has recorded itself and become `sleep` (so reports name it the same every time).
  const deadline = Date.now() + 10_000;
  const running = () => recorded().some((pid) => !before.has(pid) && isSleeping(pid));
  while (!running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

/** Writes with backpressure, so a flood does not buffer gigabytes in this process. */
async function write(text) {
  if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once("drain", resolve));
}

const forever = () => setInterval(() => {}, 1 << 30);

recordPid(process.pid);

switch (behaviour) {
  case "flood": {
    const count = Number(words[1] ?? 1000);
    header();
    out({ type: "message_start", message: { role: "assistant", content: [] } });
    let batch = "";
    for (let i = 1; i <= count; i++) {
      batch += `${JSON.stringify({ type: "message_update", assistantMessageEvent: { type: "text_delta", delta: `line ${i}\n` } })}\n`;
      if (batch.length > 64 * 1024) {
        await write(batch);
        batch = "";
      }
    }
    await write(batch);
    out({ type: "message_end", message: { role: "assistant", content: [], usage, stopReason: "stop" } });
    out({ type: "agent_end", messages: [] });
    break;
  }
  case "bytes": {
    const match = /^(\d+)(KB|MB)?$/i.exec(words[1] ?? "1MB");
    const unit =
      match?.[2]?.toUpperCase() === "MB" ? 1024 * 1024 : match?.[2]?.toUpperCase() === "KB" ? 1024 : 1;
    const total = Number(match?.[1] ?? 1) * unit;
    header();
    const line = `${"x".repeat(60)}`;
    let written = 0;
    let i = 0;
    let batch = "";
    while (written < total) {
      const event = `${JSON.stringify({ type: "message_update", assistantMessageEvent: { type: "text_delta", delta: `${++i} ${line}\n` } })}\n`;
      batch += event;
      written += event.length;
      if (batch.length > 64 * 1024) {
        await write(batch);
        batch = "";
      }
    }
    await write(batch);
    out({ type: "message_end", message: { role: "assistant", content: [], usage, stopReason: "stop" } });
    out({ type: "agent_end", messages: [] });
    break;
  }
  case "ignore-sigterm": {
    process.on("SIGTERM", () => {
      process.stderr.write("fake-omp: ignoring SIGTERM\n");
    });
    header();
    const pids = [sleeper()];
    if (words.includes("spawn-children")) pids.push(sleeper());
    out({ type: "fake_children", pids });
    out({ type: "tool_execution_start", toolCallId: "t1", toolName: "bash", args: { command: "sleep 300" } });
    forever();
    break;
  }
  case "spawn-children": {
    header();
    out({ type: "fake_children", pids: [sleeper(), sleeper()] });
    forever();
    break;
  }
  case "garbage": {
    header();
    process.stdout.write(Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a])); // invalid UTF-8, then newline
    process.stdout.write("\u001b[31mred\u001b[0m \u001b[2J\u001b[Hcleared\u0007 bell\n");
    process.stdout.write(`${"A".repeat(2 * 1024 * 1024)}\n`);
    process.stdout.write(Buffer.from("nul\u0000byte\n"));
    process.stdout.write(`{"type":"message_update","broken json\n`);
    reply("survived the garbage");
    break;
  }
  case "hang": {
    out({ type: "session", version: 3, id: sessionId, cwd: process.cwd() });
    forever();
    break;
  }
  case "leave-behind": {
    const style = words.find((word) => word === "setsid" || word === "double-fork");
    header();
    out({ type: "tool_execution_start", toolCallId: "t1", toolName: "bash", args: { command: "job &" } });
    await leaveBehind(style);
    if (words.includes("hang")) {
      forever();
      break;
    }
    reply(`left a ${style ?? "plain"} job behind`);
    process.exit(0);
    break;
  }
  case "leave-behind-on-term": {
    process.on("SIGTERM", async () => {
      await leaveBehind("double-fork");
      process.exit(143);
    });
    header();
    forever();
    break;
  }
  case "exit-now": {
    process.stderr.write("fake-omp: exit-now\n");
    process.exit(Number(words[1] ?? 1));
    break;
  }
  case "secret": {
    header();
    out({ type: "tool_execution_start", toolCallId: "t1", toolName: "bash", args: { command: "env" } });
    out({
      type: "tool_execution_end",
      toolCallId: "t1",
      toolName: "bash",
      result: {
        content: [{ type: "text", text: "OPENAI_API_KEY=sk-proj-FAKEfakeFAKEfake0123456789abcdef\n" }],
      },
      isError: false,
    });
    reply("done");
    break;
  }
  case "at-offset": {
    const offset = Number(words[1] ?? 0);
    const text = `${"f".repeat(offset - 1)} ${words[2] ?? ""}${" tail".repeat(400)}`;
    header();
    out({ type: "message_start", message: { role: "assistant", content: [] } });
    for (let i = 0; i < text.length; i += 1000) {
      out({
        type: "message_update",
        assistantMessageEvent: { type: "text_delta", delta: text.slice(i, i + 1000) },
      });
    }
    out({
      type: "message_end",
      message: { role: "assistant", content: [{ type: "text", text }], usage, stopReason: "stop" },
    });
    out({ type: "agent_end", messages: [] });
    break;
  }
  case "args": {
    header();
    reply(JSON.stringify(process.argv.slice(2)));
    break;
  }
  default: {
    header();
    reply(`fake reply to: ${prompt}`);
  }
}
