// A scriptable OpenAI-compatible chat-completions server on 127.0.0.1 for real-omp tests.
// Each conversation is scripted by its prompt (a matcher on the latest user message), so many
// concurrent omp runs can share one server; every request body is kept for assertions.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { reply, type Script, type Step, stepFor } from "./scripts.js";

export type Matcher = string | RegExp | ((userText: string) => boolean);

/** The parts of an OpenAI chat-completions request body the fake model reads. */
export interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content?: unknown; tool_call_id?: string; tool_calls?: unknown }>;
  tools?: unknown[];
  [key: string]: unknown;
}

export interface FakeModel {
  /** `http://127.0.0.1:<port>/v1`, for models.yml. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every chat-completions request body received, in order. */
  readonly requests: ChatRequest[];
  /** Answer conversations whose latest user message matches with `script`; later rules win. */
  on(matcher: Matcher, script: Script): FakeModel;
  /** Answer unmatched conversations with `script` (default: a short text reply). */
  setDefault(script: Script): FakeModel;
  /** The requests whose latest user message matches. */
  requestsMatching(matcher: Matcher): ChatRequest[];
  close(): Promise<void>;
}

/** Ports omp probes for local model servers; the fake model must never take them. */
const RESERVED_PORTS = new Set([8080, 11434, 1234]);

/** The text of a message's content, whether a string or a list of parts. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string"
          ? (part as { text: string }).text
          : "",
      )
      .join("");
  }
  return "";
}

/** The latest user message's text and how many assistant turns follow it. */
export function conversationPosition(body: ChatRequest): { userText: string; assistantTurns: number } {
  const messages = body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === "user") {
      const assistantTurns = messages.slice(i + 1).filter((m) => m.role === "assistant").length;
      return { userText: contentText(message.content), assistantTurns };
    }
  }
  return { userText: "", assistantTurns: 0 };
}

/** The whole request as text, for "does the request contain X" assertions. */
export function requestText(body: ChatRequest): string {
  return (body.messages ?? []).map((m) => contentText(m.content)).join("\n");
}

function matches(matcher: Matcher, text: string): boolean {
  if (typeof matcher === "string") return text.includes(matcher);
  if (matcher instanceof RegExp) return matcher.test(text);
  return matcher(text);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function chunkText(text: string, size: number | undefined): string[] {
  if (!size || size <= 0 || text.length <= size) return [text];
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

let nextId = 0;

async function answer(
  step: Step,
  body: ChatRequest,
  res: ServerResponse,
  isClosed: () => boolean,
  closed: Promise<void>,
) {
  const model = body.model ?? "fake";
  const id = `chatcmpl-fake-${++nextId}`;
  const created = Math.floor(Date.now() / 1000);

  if (step.kind === "error") {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (step.retryAfterSeconds !== undefined) headers["retry-after"] = String(step.retryAfterSeconds);
    res.writeHead(step.status, headers);
    res.end(JSON.stringify({ error: { message: step.message, type: "fake_error", code: step.status } }));
    return;
  }
  if (step.kind === "hang") return; // the socket stays open until the client gives up

  const usageIn =
    step.kind === "text" && step.usage ? step.usage : { prompt_tokens: 10, completion_tokens: 5 };
  const usage = { ...usageIn, total_tokens: usageIn.prompt_tokens + usageIn.completion_tokens };
  const toolCall =
    step.kind === "tool"
      ? {
          id: step.id ?? `call_fake_${nextId}`,
          type: "function",
          function: { name: step.name, arguments: JSON.stringify(step.args) },
        }
      : undefined;
  const finishReason = toolCall ? "tool_calls" : "stop";

  if (!body.stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          {
            index: 0,
            message: toolCall
              ? { role: "assistant", content: null, tool_calls: [toolCall] }
              : { role: "assistant", content: step.kind === "text" ? step.text : "" },
            finish_reason: finishReason,
          },
        ],
        usage,
      }),
    );
    return;
  }

  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const send = (delta: Record<string, unknown>, finish: string | null, withUsage = false) => {
    const chunk: Record<string, unknown> = {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    if (withUsage) chunk.usage = usage;
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  send({ role: "assistant", content: "" }, null);
  if (toolCall) {
    send({ tool_calls: [{ index: 0, ...toolCall }] }, null);
  } else if (step.kind === "text") {
    const at = step.hold?.at ?? step.text.length;
    const parts = [step.text.slice(0, at), step.text.slice(at)];
    for (const [index, part] of parts.entries()) {
      if (index === 1 && step.hold) {
        step.hold.reached?.();
        // Held open until the test releases it, or until omp goes away (cancelled, killed).
        await Promise.race([step.hold.until, closed]);
      }
      for (const piece of part ? chunkText(part, step.chunkSize) : []) {
        if (isClosed()) return;
        send({ content: piece }, null);
        if (step.delayMs) await sleep(step.delayMs);
      }
    }
    if (isClosed()) return;
  }
  send({}, finishReason, true);
  res.write("data: [DONE]\n\n");
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts a fake model on 127.0.0.1 with an ephemeral port (`port: 0`) unless one is given. */
export async function startFakeModel(options: { port?: number; host?: string } = {}): Promise<FakeModel> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (RESERVED_PORTS.has(port)) {
    throw new Error(
      `The fake model cannot use port ${port}: omp probes 8080, 11434 and 1234 for local model servers. Use 0 (any free port) or another port.`,
    );
  }
  const rules: Array<{ matcher: Matcher; script: Script }> = [];
  let defaultScript: Script = reply("Hello from the fake model.");
  const requests: ChatRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (req.method === "GET" && url.pathname === "/v1/models") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ object: "list", data: [{ id: "fake", object: "model", owned_by: "ompcord" }] }),
        );
        return;
      }
      if (req.method === "POST" && url.pathname === "/v1/chat/completions") {
        const raw = await readBody(req);
        let body: ChatRequest;
        try {
          body = JSON.parse(raw) as ChatRequest;
        } catch {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: "request body is not JSON" } }));
          return;
        }
        requests.push(body);
        const { userText, assistantTurns } = conversationPosition(body);
        let script = defaultScript;
        for (let i = rules.length - 1; i >= 0; i--) {
          if (matches(rules[i]!.matcher, userText)) {
            script = rules[i]!.script;
            break;
          }
        }
        let closed = false;
        const closedPromise = new Promise<void>((resolve) => {
          res.on("close", () => {
            closed = true;
            resolve();
          });
        });
        await answer(stepFor(script, userText, assistantTurns), body, res, () => closed, closedPromise);
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${url.pathname}` } }));
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  const model: FakeModel = {
    baseUrl: `http://${host}:${actualPort}/v1`,
    port: actualPort,
    requests,
    on(matcher, script) {
      rules.push({ matcher, script });
      return model;
    },
    setDefault(script) {
      defaultScript = script;
      return model;
    },
    requestsMatching(matcher) {
      return requests.filter((body) => matches(matcher, conversationPosition(body).userText));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return model;
}
