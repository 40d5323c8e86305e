// What a tool call is about to do, in the words and code an approval card shows: the command, the path,
// the diff of an edit. Plain text, not yet redacted nor cut: the card does both, once, for all of it.

import { editDiff, writeDiff } from "./diff.js";
import type { ToolCallClass } from "./policy.js";

export interface CallDescription {
  /** `bash`, `edit src/a.ts`, `lsp (xd://lsp)`. */
  title: string;
  /** Short facts shown as fields: path, working directory, agent. */
  fields: { name: string; value: string }[];
  /** The call itself as a code block: a shell command, a diff, JSON arguments. */
  body: { language: "sh" | "diff" | "json" | ""; text: string } | undefined;
  /** One line for a diff's size or a note such as "old text not found in the file". */
  note?: string;
}

export interface DescribeOptions {
  /**
   * The file an `edit` or `write` targets, as it is now, when the bot could read it: the diff then has
   * the file's line numbers and context. Phase 2 reads it from the session's working directory.
   */
  fileText?: string | undefined;
}

type Args = Record<string, unknown>;
const str = (args: Args, key: string): string | undefined =>
  typeof args[key] === "string" ? (args[key] as string) : undefined;
const json = (value: unknown) => JSON.stringify(value, null, 2) ?? String(value);

function diffNote(diff: { added: number; removed: number; located: boolean; occurrences: number }): string {
  const size = `+${diff.added} −${diff.removed} lines`;
  if (!diff.located) return `${size}; the old text was not found in the file as it is now`;
  return diff.occurrences > 1 ? `${size} in ${diff.occurrences} places` : size;
}

function describeEdit(args: Args, options: DescribeOptions): CallDescription {
  const path = str(args, "path");
  const oldText = str(args, "old_string");
  const newText = str(args, "new_string");
  if (path !== undefined && oldText !== undefined && newText !== undefined) {
    // `edit.mode: replace`, which bot runs pin (see diff.ts).
    const diff = editDiff({
      oldText,
      newText,
      replaceAll: args.replace_all === true,
      fileText: options.fileText,
    });
    return {
      title: `edit ${path}`,
      fields: [{ name: "Path", value: path }],
      body: { language: "diff", text: diff.text },
      note: diffNote(diff),
    };
  }
  if (path !== undefined && Array.isArray(args.edits)) {
    // `patch` mode: each entry's own diff, as the model wrote it.
    const parts = (args.edits as Args[]).map((e) =>
      [e.op ? `# ${String(e.op)}${e.rename ? ` → ${String(e.rename)}` : ""}` : "", str(e, "diff") ?? ""]
        .filter(Boolean)
        .join("\n"),
    );
    return {
      title: `edit ${path}`,
      fields: [{ name: "Path", value: path }],
      body: { language: "diff", text: parts.join("\n") },
    };
  }
  const input = str(args, "input");
  if (input !== undefined) {
    // hashline, apply_patch or sloppy mode (a person's own settings won over the overlay): the patch
    // language as written; apply_patch is a diff, hashline is not.
    const language = input.trimStart().startsWith("*** Begin Patch") ? "diff" : "";
    const paths = [...input.matchAll(/^\[([^\]#]+)(?:#[0-9A-Fa-f]{4})?\]$/gm)].map((m) => m[1]!);
    return {
      title: paths.length === 1 ? `edit ${paths[0]}` : "edit",
      fields:
        paths.length > 0 ? [{ name: paths.length === 1 ? "Path" : "Paths", value: paths.join(", ") }] : [],
      body: { language, text: input },
    };
  }
  return { title: "edit", fields: [], body: { language: "json", text: json(args) } };
}

function describeTask(args: Args): CallDescription {
  const agent = str(args, "agent");
  const fields = agent ? [{ name: "Agent", value: agent }] : [];
  if (Array.isArray(args.tasks)) {
    const tasks = args.tasks as Args[];
    const text = [
      str(args, "context") ?? "",
      ...tasks.map(
        (t, i) =>
          `## ${str(t, "name") ?? `Task ${i + 1}`}${t.agent ? ` (${String(t.agent)})` : ""}\n${str(t, "task") ?? ""}`,
      ),
    ]
      .filter(Boolean)
      .join("\n\n");
    return {
      title: `task: ${tasks.length} subagent${tasks.length === 1 ? "" : "s"}`,
      fields,
      body: { language: "", text },
    };
  }
  return {
    title: `task${str(args, "name") ? ` ${str(args, "name")}` : ""}`,
    fields,
    body: { language: "", text: str(args, "task") ?? json(args) },
  };
}

/** What the card shows for `toolName(input)`; `call` is the policy's classification of it. */
export function describeToolCall(
  toolName: string,
  input: unknown,
  call: ToolCallClass,
  options: DescribeOptions = {},
): CallDescription {
  const args: Args =
    typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Args) : {};
  if (call.tool !== toolName) {
    // An xd:// write runs the device with the JSON in `content`.
    let payload: unknown = args.content;
    try {
      payload = typeof args.content === "string" ? JSON.parse(args.content) : args.content;
    } catch {
      // shown as the text it is
    }
    const text = typeof payload === "string" ? payload : json(payload);
    return {
      title: `${call.tool} (via ${str(args, "path") ?? "xd://"})`,
      fields: [],
      body: { language: typeof payload === "string" ? "" : "json", text },
    };
  }
  switch (toolName) {
    case "bash": {
      const fields = [
        ...(str(args, "cwd") ? [{ name: "Directory", value: str(args, "cwd")! }] : []),
        ...(typeof args.timeout === "number" ? [{ name: "Timeout", value: `${args.timeout}s` }] : []),
        ...(args.env && typeof args.env === "object"
          ? [
              {
                name: "Environment",
                value: Object.entries(args.env as Args)
                  .map(([k, v]) => `${k}=${String(v)}`)
                  .join("\n"),
              },
            ]
          : []),
      ];
      return { title: "bash", fields, body: { language: "sh", text: str(args, "command") ?? json(args) } };
    }
    case "edit":
      return describeEdit(args, options);
    case "write": {
      const path = str(args, "path") ?? "";
      const diff = writeDiff(str(args, "content") ?? "", options.fileText);
      return {
        title: `write ${path}`,
        fields: [{ name: "Path", value: path }],
        body: { language: "diff", text: diff.text },
        note: `${options.fileText === undefined ? "new content" : "replaces the file"}: +${diff.added} −${diff.removed} lines`,
      };
    }
    case "read":
      return {
        title: `read ${str(args, "path") ?? ""}`.trim(),
        fields: [{ name: "Path", value: str(args, "path") ?? "" }],
        body: undefined,
      };
    case "task":
      return describeTask(args);
    default:
      return {
        title: toolName,
        fields: [],
        body: Object.keys(args).length > 0 ? { language: "json", text: json(args) } : undefined,
      };
  }
}
