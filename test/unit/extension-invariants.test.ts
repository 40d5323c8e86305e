// The extension as omp sees it (a fake `pi`): every handler survives anything omp or the sidecar can
// throw at it, the factory never fails the load, no handler waits on the network, and nothing leaves
// the process unredacted. (test/integration/extension-omp.test.ts proves the same against real omp.)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/** FAKE credentials, built at run time: shaped like real ones, valid nowhere. */
const FAKE_KEY = ["sk", "proj", "FAKEfakeFAKEfake0123456789abcdef"].join("-");
const FAKE_RUN_TOKEN = `ompcord_run_${"Fa".repeat(21)}K`;
const FAKE_GITHUB = `ghp_${"FAKE0fake1".repeat(4)}`;

type Handler = (event: unknown, ctx: unknown) => unknown;

function fakePi(overrides: Record<string, unknown> = {}) {
  const handlers = new Map<string, Handler[]>();
  const tools: { name: string; execute: (...args: unknown[]) => Promise<unknown> }[] = [];
  const steers: string[] = [];
  const builder = () => new Proxy({}, { get: () => builder });
  const pi = {
    on: (name: string, handler: Handler) => handlers.set(name, [...(handlers.get(name) ?? []), handler]),
    registerTool: (tool: (typeof tools)[number]) => tools.push(tool),
    sendUserMessage: (text: string) => steers.push(text),
    zod: builder(),
    ...overrides,
  };
  return { pi, handlers, tools, steers };
}

/** A context whose every property access throws, as a broken or changed omp might. */
const brokenCtx = new Proxy(
  {},
  {
    get: () => {
      throw new Error("ctx is broken");
    },
  },
);
const goodCtx = {
  cwd: "/work",
  sessionManager: { getHeader: () => ({}) },
  getContextUsage: () => ({ tokens: 20_160, contextWindow: 32_000, percent: 63 }),
  isIdle: () => false,
  hasPendingMessages: () => false,
};

/** A sidecar that records requests; `stall` makes it never answer. */
async function fakeSidecar(options: { stall?: boolean } = {}) {
  const bodies: { url: string; body: string; auth: string | undefined }[] = [];
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      bodies.push({ url: req.url ?? "", body, auth: req.headers.authorization });
      if (options.stall) return void held.push(res);
      res.writeHead(req.url?.startsWith("/api/commands/poll") ? 200 : 202, {
        "content-type": "application/json",
      });
      res.end(req.url?.startsWith("/api/commands/poll") ? '{"messages":[]}' : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let stderr: string[];
let unhandled: unknown[];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  vi.resetModules();
  stderr = [];
  unhandled = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** A fresh copy of the extension module (its per-process state starts over). */
async function loadExtension() {
  return (await import("../../packages/omp-extension/src/index.js")).default;
}

function botEnv(apiUrl: string) {
  vi.stubEnv("OMPCORD_API_URL", apiUrl);
  vi.stubEnv("OMPCORD_RUN_TOKEN", FAKE_RUN_TOKEN);
  vi.stubEnv("OMPCORD_SESSION_ID", "s-1");
  vi.stubEnv("OPENAI_API_KEY", FAKE_KEY);
}

describe("the extension never crashes omp", () => {
  it("every handler survives garbage events and a context that throws on every call", async () => {
    botEnv("http://127.0.0.1:9"); // nothing listens: every call is refused
    const extension = await loadExtension();
    const { pi, handlers } = fakePi();
    extension(pi as never);
    expect([...handlers.keys()].sort()).toEqual(
      [
        "agent_end",
        "agent_start",
        "auto_compaction_end",
        "message_start",
        "session_compact",
        "session_shutdown",
        "session_start",
        "session_stop",
        "turn_end",
        "turn_start",
      ].sort(),
    );
    for (const [name, list] of handlers) {
      for (const handler of list) {
        for (const [event, ctx] of [
          [undefined, brokenCtx],
          [{}, brokenCtx],
          [null, goodCtx],
          [{ message: { role: "user", steering: true, content: 42 } }, goodCtx],
        ] as const) {
          await expect(
            Promise.resolve().then(() => handler(event, ctx)),
            name,
          ).resolves.not.toThrow();
        }
      }
    }
    await handlers.get("session_shutdown")![0]!({}, goodCtx);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
    // One line per kind of failure, however often it happened.
    const lines = stderr.join("").split("\n").filter(Boolean);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.every((line) => line.startsWith("[ompcord extension] "))).toBe(true);
  });

  it("the factory never throws, even when omp's own API does (a failed load would fail every run)", async () => {
    botEnv("http://127.0.0.1:9");
    const extension = await loadExtension();
    const { pi } = fakePi({
      on: () => {
        throw new Error("on is broken");
      },
      registerTool: () => {
        throw new Error("registerTool is broken");
      },
    });
    expect(() => extension(pi as never)).not.toThrow();
    expect(stderr.join("")).toContain("extension set-up failed");
  });
});

describe("subagents", () => {
  it("an instance loaded for a subagent offers the tool but neither polls steering nor reports", async () => {
    botEnv("http://127.0.0.1:9");
    const extension = await loadExtension();
    const root = fakePi();
    const subagent = fakePi();
    extension(root.pi as never);
    extension(subagent.pi as never);
    expect(root.handlers.has("session_stop")).toBe(true);
    expect(subagent.tools.map((tool) => tool.name)).toEqual(["discord_notify", "discord_read_thread", "ask"]);
    expect([...subagent.handlers.keys()]).toEqual([]);
  });
});

describe("the approval gate fails closed", () => {
  const gate = (handlers: Map<string, Handler[]>) => handlers.get("tool_call")![0]!;

  it("a call the policy asks for is blocked, with a reason the agent reads, while the sidecar is down; reads pass", async () => {
    botEnv("http://127.0.0.1:9");
    vi.stubEnv("OMPCORD_RUN_APPROVALS", "writes");
    const extension = await loadExtension();
    const root = fakePi();
    const subagent = fakePi();
    extension(root.pi as never);
    extension(subagent.pi as never);
    for (const { handlers } of [root, subagent]) {
      const blocked = (await gate(handlers)(
        { toolCallId: "c1", toolName: "bash", input: { command: "ls" } },
        goodCtx,
      )) as {
        block: boolean;
        reason: string;
      };
      expect(blocked.block).toBe(true);
      expect(blocked.reason).toMatch(
        /needs a person's approval in Discord, and ompcord could not ask for it/,
      );
      expect(
        await gate(handlers)({ toolCallId: "c2", toolName: "read", input: { path: "a" } }, goodCtx),
      ).toBeUndefined();
    }
  });

  it("a run whose policy is unreadable asks for everything; `off` registers no gate", async () => {
    botEnv("http://127.0.0.1:9");
    vi.stubEnv("OMPCORD_RUN_APPROVALS", "sometimes");
    let extension = await loadExtension();
    const strict = fakePi();
    extension(strict.pi as never);
    const read = (await gate(strict.handlers)({ toolName: "read", input: { path: "a" } }, goodCtx)) as {
      block: boolean;
    };
    expect(read.block).toBe(true);
    vi.resetModules();
    vi.stubEnv("OMPCORD_RUN_APPROVALS", "off");
    extension = await loadExtension();
    const off = fakePi();
    extension(off.pi as never);
    expect(off.handlers.has("tool_call")).toBe(false);
  });

  it("a sidecar that never answers blocks the call instead of letting it through", async () => {
    const sidecar = await fakeSidecar({ stall: true });
    try {
      botEnv(sidecar.url);
      vi.stubEnv("OMPCORD_RUN_APPROVALS", "all");
      const extension = await loadExtension();
      const { pi, handlers } = fakePi();
      extension(pi as never);
      const pending = gate(handlers)(
        { toolName: "edit", input: { path: "a", old_string: "x", new_string: "y" } },
        goodCtx,
      );
      await vi.waitFor(() => expect(sidecar.bodies.some((b) => b.url === "/api/decisions")).toBe(true));
      // The sidecar goes away mid-wait: the held request fails, and the call is blocked.
      await sidecar.close();
      expect(((await pending) as { block: boolean }).block).toBe(true);
    } finally {
      await sidecar.close().catch(() => undefined);
    }
  });
});

describe("the extension never blocks the agent", () => {
  it("handlers return at once while the sidecar never answers", async () => {
    const sidecar = await fakeSidecar({ stall: true });
    try {
      botEnv(sidecar.url);
      const extension = await loadExtension();
      const { pi, handlers } = fakePi();
      extension(pi as never);
      for (const name of ["session_start", "agent_start", "turn_start", "turn_end", "agent_end"]) {
        // Not a promise to wait for: the handler did its work synchronously and queued the rest.
        expect(handlers.get(name)![0]!({}, goodCtx), name).toBeUndefined();
      }
      await vi.waitFor(() => expect(sidecar.bodies.some((b) => b.url === "/api/webhook/event")).toBe(true));
      const shutdown = handlers.get("session_shutdown")![0]!({}, goodCtx);
      await shutdown; // returns: capped, and skipped for a sidecar that stopped answering
    } finally {
      await sidecar.close();
    }
  });
});

describe("the extension never leaks", () => {
  it("a notice is redacted before it leaves the process: shapes and the environment's secrets", async () => {
    const sidecar = await fakeSidecar();
    try {
      botEnv(sidecar.url);
      vi.stubEnv("MY_SERVICE_PASSWORD", "plain-looking-value-42");
      const extension = await loadExtension();
      const { pi, tools } = fakePi();
      extension(pi as never);
      const notify = tools.find((tool) => tool.name === "discord_notify")!;
      const text = `keys: ${FAKE_KEY} ${FAKE_GITHUB} ${FAKE_RUN_TOKEN} plain-looking-value-42`;
      await notify.execute("call-1", { text }, undefined, undefined, goodCtx);
      const sent = sidecar.bodies.find((b) => b.url === "/api/notify")!;
      expect(JSON.parse(sent.body).text).toBe("keys: [REDACTED] [REDACTED] [REDACTED] [REDACTED]");
      // The token travels only where it belongs: the Authorization header.
      expect(sent.auth).toBe(`Bearer ${FAKE_RUN_TOKEN}`);
    } finally {
      await sidecar.close();
    }
  });

  it("what it logs to stderr is redacted too", async () => {
    botEnv("http://127.0.0.1:9");
    const extension = await loadExtension();
    const { pi, handlers } = fakePi({
      sendUserMessage: () => {
        throw new Error(`refused ${FAKE_KEY}`);
      },
    });
    extension(pi as never);
    const ctx = {
      ...goodCtx,
      getContextUsage: () => {
        throw new Error(`broken with ${FAKE_KEY}`);
      },
    };
    await handlers.get("turn_end")![0]!({}, ctx);
    expect(stderr.join("")).toContain("broken with [REDACTED]");
    expect(stderr.join("")).not.toContain(FAKE_KEY);
  });

  it("the notify tool refuses text over the limit without calling the sidecar", async () => {
    const sidecar = await fakeSidecar();
    try {
      botEnv(sidecar.url);
      const extension = await loadExtension();
      const { pi, tools } = fakePi();
      extension(pi as never);
      const notify = tools.find((tool) => tool.name === "discord_notify")!;
      await expect(
        notify.execute("c", { text: "x".repeat(1801) }, undefined, undefined, goodCtx),
      ).rejects.toThrow("Shorten it");
      expect(sidecar.bodies.filter((b) => b.url === "/api/notify")).toEqual([]);
    } finally {
      await sidecar.close();
    }
  });
});
