import { describe, expect, it } from "vitest";
import { Guard } from "../../packages/omp-extension/src/guard.js";

function guard() {
  const lines: string[] = [];
  return {
    lines,
    guard: new Guard({
      write: (line) => lines.push(line),
      redact: (t) => t.replaceAll("s3cret-value", "[REDACTED]"),
    }),
  };
}

describe("Guard", () => {
  it("turns a thrown error into the fallback and one stderr line for its kind", () => {
    const { guard: g, lines } = guard();
    const handler = g.wrap(
      "turn_end handler",
      () => {
        throw new Error("boom");
      },
      "fallback",
    );
    expect(handler()).toBe("fallback");
    expect(handler()).toBe("fallback");
    expect(lines).toEqual([
      "[ompcord extension] turn_end handler failed: boom (the run goes on; further turn_end handler failures are not logged)\n",
    ]);
  });

  it("turns a rejected promise into the fallback, never an unhandled rejection", async () => {
    const { guard: g, lines } = guard();
    const handler = g.wrap(
      "session_stop handler",
      async () => {
        throw new Error("late boom");
      },
      undefined,
    );
    await expect(handler()).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
  });

  it("passes results through untouched", async () => {
    const { guard: g, lines } = guard();
    expect(g.wrap("x", (a: number) => a + 1, 0)(1)).toBe(2);
    await expect(g.wrap("y", async () => "ok", "no")()).resolves.toBe("ok");
    expect(lines).toEqual([]);
  });

  it("logs each kind once, different kinds each once", () => {
    const { guard: g, lines } = guard();
    g.report("a", "first a");
    g.report("a", "second a");
    g.report("b", "first b");
    expect(lines).toEqual(["[ompcord extension] first a\n", "[ompcord extension] first b\n"]);
  });

  it("redacts what it logs", () => {
    const { guard: g, lines } = guard();
    g.fail("telemetry", new Error("token s3cret-value refused"));
    expect(lines[0]).toContain("token [REDACTED] refused");
    expect(lines[0]).not.toContain("s3cret-value");
  });

  it("a detached promise's rejection and a timer callback's throw are logged, not left to kill omp", async () => {
    const { guard: g, lines } = guard();
    g.detach("detached", Promise.reject(new Error("nobody awaited me")));
    const fired = new Promise<void>((resolve) => {
      g.later("timer", 1, () => {
        resolve();
        throw new Error("thrown in a timer");
      });
    });
    await fired;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines.map((line) => line.split(" failed")[0])).toEqual([
      "[ompcord extension] detached",
      "[ompcord extension] timer",
    ]);
  });

  it("survives a stderr that throws", () => {
    const g = new Guard({
      write: () => {
        throw new Error("EPIPE");
      },
    });
    expect(() => g.report("x", "y")).not.toThrow();
  });
});
