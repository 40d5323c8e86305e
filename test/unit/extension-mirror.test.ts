// Terminal mirroring in the extension: when a session is mirrored, what of omp's events leaves the
// process (slimmed, redacted), and that a mirror never blocks omp nor keeps more than its queue holds.
import { describe, expect, it } from "vitest";
import { Guard } from "../../packages/omp-extension/src/guard.js";
import {
  MIRROR_LIMITS,
  type MirrorClient,
  mirrorFromStart,
  mirrorSettingsProblem,
  slimEvent,
  TerminalMirror,
} from "../../packages/omp-extension/src/mirror.js";
import { chooseMode } from "../../packages/omp-extension/src/settings.js";

const settings = { apiUrl: "http://127.0.0.1:8901", token: ["ompcord", "tok", "FAKE"].join("_") };
const installed = (body: unknown) => ({ path: "/home/p/ompcord.json", text: JSON.stringify(body) });

describe("mirror settings and opt-in", () => {
  it("an installed copy with only mirror settings mirrors and posts no webhook", () => {
    expect(chooseMode({}, installed({ mirror: settings }))).toEqual({ kind: "mirror", mirror: settings });
    expect(
      chooseMode({}, installed({ webhookUrl: "https://discord.com/api/webhooks/1/x", mirror: settings })),
    ).toMatchObject({ kind: "webhook", mirror: settings });
  });

  it("refuses a token sent in the clear to another machine, or no token at all, and says how to fix it", () => {
    expect(mirrorSettingsProblem({ ...settings, apiUrl: "http://bot.example.com:8901" })).toMatch(
      /in the clear/,
    );
    expect(mirrorSettingsProblem({ apiUrl: settings.apiUrl })).toMatch(/no `token`/);
    expect(mirrorSettingsProblem({ ...settings, apiUrl: "https://bot.example.com" })).toBeUndefined();
    const mode = chooseMode({}, installed({ mirror: { apiUrl: "ftp://x", token: "t" } }));
    expect(mode).toMatchObject({ kind: "inert", problem: expect.stringContaining("--mirror-url") });
  });

  it("never mirrors `omp -p` by default: only the variable or `auto` in an interactive session", () => {
    expect(mirrorFromStart({}, settings, false)).toBe(false);
    expect(mirrorFromStart({}, { ...settings, auto: true }, false)).toBe(false);
    expect(mirrorFromStart({}, { ...settings, auto: true }, true)).toBe(true);
    expect(mirrorFromStart({}, settings, true)).toBe(false);
    expect(mirrorFromStart({ OMPCORD_MIRROR: "1" }, settings, false)).toBe(true);
    expect(mirrorFromStart({ OMPCORD_MIRROR: "0" }, { ...settings, auto: true }, true)).toBe(false);
  });
});

describe("slimEvent", () => {
  it("keeps what the dashboard reads and drops the conversation agent_end repeats", () => {
    expect(
      slimEvent({ type: "agent_end", messages: [{ role: "user", content: "x".repeat(10_000) }] }),
    ).toEqual({
      type: "agent_end",
    });
    expect(
      slimEvent({
        type: "message_end",
        message: {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "private" },
            { type: "text", text: "Done." },
          ],
          stopReason: "stop",
        },
      }),
    ).toEqual({
      type: "message_end",
      message: {
        role: "assistant",
        content: [{ type: "text", text: "Done." }],
        usage: undefined,
        stopReason: "stop",
        errorMessage: undefined,
      },
    });
    expect(
      slimEvent({ type: "message_update", assistantMessageEvent: { type: "thinking_delta", delta: "x" } }),
    ).toBe(undefined);
    expect(slimEvent({ type: "tool_execution_update", partialResult: {} })).toBeUndefined();
  });
});

/** A client whose calls wait until the test lets them go. */
function stalledClient() {
  const sent: unknown[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const client = {
    open: async () => "m-1",
    send: async (events: unknown[]) => {
      await gate;
      sent.push(events);
    },
    poll: () => gate.then(() => []),
    ack: async () => [],
    close: async () => {},
  } as unknown as MirrorClient;
  return { client, sent, release };
}

describe("TerminalMirror", () => {
  it("masks secrets before events leave, and keeps at most its queue while the bot is stalled", async () => {
    const { client, sent, release } = stalledClient();
    const lines: string[] = [];
    const mirror = new TerminalMirror({
      settings,
      guard: new Guard({ write: (line) => lines.push(line) }),
      redact: (text) => text.replaceAll("sk-SECRET", "[REDACTED]"),
      steer: () => {},
      client,
    });
    mirror.start("work", "/home/p/work");
    await new Promise((resolve) => setTimeout(resolve, 0));
    const extra = 50;
    for (let i = 0; i < MIRROR_LIMITS.queueMax + extra; i++) {
      mirror.push({
        type: "tool_execution_start",
        toolName: "bash",
        args: { command: `echo sk-SECRET ${i}` },
      });
    }
    // Pushing is synchronous (this loop ends while every send hangs); the oldest beyond the cap go.
    expect(mirror.dropped).toBe(extra);
    release();
    await mirror.stop(5_000);
    const all = sent.flat() as { args: { command: string } }[];
    expect(all.length).toBeGreaterThan(0);
    // The newest queueMax, in order, and nothing twice.
    expect(all.length).toBe(MIRROR_LIMITS.queueMax);
    expect(all[0]!.args.command).toBe(`echo [REDACTED] ${extra}`);
    expect(JSON.stringify(all)).not.toContain("sk-SECRET");
    expect(all.at(-1)!.args.command).toBe(`echo [REDACTED] ${MIRROR_LIMITS.queueMax + extra - 1}`);
  });
});
