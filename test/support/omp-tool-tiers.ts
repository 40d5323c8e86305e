// Run by Bun (omp's runtime), not by vitest: asks the installed omp which tools it knows and registers,
// and which approval tier omp itself resolves for sample arguments of each registered tool and device.
// Prints one JSON object on stdout. Used by test/integration/approvals-omp-tiers.test.ts.
// Usage: bun test/support/omp-tool-tiers.ts   (HOME and the working directory: throwaway ones)

import { createAgentSession } from "@oh-my-pi/pi-coding-agent";
import { LSP_READONLY_ACTIONS } from "@oh-my-pi/pi-coding-agent/lsp/servers";
import { resolveApproval } from "@oh-my-pi/pi-coding-agent/tools/approval";
import { BUILTIN_TOOL_NAMES, HIDDEN_TOOL_NAMES } from "@oh-my-pi/pi-coding-agent/tools/builtin-names";
import { DEBUG_READONLY_ACTIONS } from "@oh-my-pi/pi-coding-agent/tools/debug";

type Args = Record<string, unknown>;

/** Arguments that reach each argument-dependent branch of the tools' `approval` functions. */
function samplesFor(name: string): Args[] {
  const lsp = [...LSP_READONLY_ACTIONS, "rename", "code_actions"].map((action) => ({ action }));
  const debug = [...DEBUG_READONLY_ACTIONS, "launch", "attach", "evaluate"].map((action) => ({ action }));
  const device = (tool: string, payload: Args) => ({
    path: `xd://${tool}`,
    content: JSON.stringify(payload),
  });
  switch (name) {
    case "read":
      return [
        { path: "a.txt" },
        { path: "ssh://host/etc/passwd" },
        { path: "doc.pdf:p1.png" },
        { path: "xd://lsp" },
      ];
    case "write":
      return [
        { path: "a.txt", content: "x" },
        { path: "ssh://host/a.txt", content: "x" },
        { path: "[a.txt#ABCD]", content: "x" },
        ...lsp.map((args) => device("lsp", args)),
        ...debug.map((args) => device("debug", args)),
        device("ast_edit", { ops: [], paths: ["a.ts"] }),
        { path: "xd://lsp", content: "{not json" },
        { path: "xd://nope", content: "{}" },
        { path: "xd://resolve", content: "apply it" },
        { path: "xd://reject", content: "no" },
      ];
    case "bash":
      return [{ command: "ls" }, { command: "rm -rf /" }];
    case "grep":
      return [{ pattern: "x" }, { pattern: "x", path: "ssh://host/src" }];
    case "lsp":
      return lsp;
    case "debug":
      return debug;
    case "hub":
      return [
        ...[
          "wait",
          "inbox",
          "list",
          "jobs",
          "cancel",
          "ps",
          "logs",
          "describe",
          "start",
          "stop",
          "restart",
        ].map((op) => ({ op })),
        { op: "send", to: "peer", message: "hi" },
        { op: "send", name: "server", input: "q" },
        {},
      ];
    case "context_notes":
      return [{}, { text: "notes" }];
    case "edit":
      return [{ input: "x" }, { path: "a.txt", old_string: "a", new_string: "b" }];
    default:
      return [{}];
  }
}

const { session } = await createAgentSession({ cwd: process.cwd() });
const registered = session.getAllToolNames();
const samples: { tool: string; args: Args; tier: string }[] = [];
for (const name of registered) {
  const tool = session.getToolByName(name);
  if (!tool) continue;
  for (const args of samplesFor(name)) {
    let tier: string;
    try {
      tier = resolveApproval(tool as never, args, "yolo", {}).tier;
    } catch {
      tier = "exec"; // omp fails a throwing approval closed
    }
    samples.push({ tool: name, args, tier });
  }
}
const devices = (session as { getMountedXdevToolNames?: () => string[] }).getMountedXdevToolNames?.() ?? [];
process.stdout.write(
  `${JSON.stringify({ builtin: [...BUILTIN_TOOL_NAMES, ...HIDDEN_TOOL_NAMES], registered, devices, samples })}\n`,
);
await session.dispose();
process.exit(0);
