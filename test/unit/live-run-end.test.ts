import { describe, expect, it } from "vitest";
import { type LiveDashboard, runEndEntries, type ThreadMessage } from "../../src/dashboard/live/index.js";
import {
  FakeClock,
  FakeSink,
  fieldOf,
  liveDashboard,
  result,
  runStarted,
  tailOf,
  view,
} from "./live-fakes.js";

function setup(fileSize: number | "none" = 2048) {
  const clock = new FakeClock();
  const sink = new FakeSink(clock);
  const dashboard = liveDashboard({
    view: view(),
    sink,
    clock,
    fileSize: async () => (fileSize === "none" ? undefined : fileSize),
  });
  dashboard.apply(runStarted(3));
  return { clock, sink, dashboard };
}

async function end(
  clock: FakeClock,
  dashboard: LiveDashboard,
  ...args: Parameters<LiveDashboard["runEnded"]>
) {
  const done = dashboard.runEnded(...args);
  await clock.advance(30_000);
  await done;
}

function lines(dashboard: LiveDashboard, count: number): void {
  for (let i = 0; i < count; i++) dashboard.line({ kind: "text", text: `line ${i}` });
}

function fileNames(message: ThreadMessage | undefined): string[] {
  return (message?.files ?? []).map((file) => file.name);
}

const words = (chars: number) => "word ".repeat(Math.ceil(chars / 5)).slice(0, chars);

describe("LiveDashboard at the end of a run", () => {
  it("lands a final edit with the last lines and the final state, tokens and cost from the result", async () => {
    const { clock, sink, dashboard } = setup();
    await clock.advance(200);
    lines(dashboard, 3);
    await end(clock, dashboard, result({ tokens: 1234, cost: 0.05, lineCount: 3 }));
    expect(tailOf(sink.lastEdit)).toEqual(["line 0", "line 1", "line 2"]);
    expect(fieldOf(sink.lastEdit, "State")).toBe("Idle");
    expect(fieldOf(sink.lastEdit, "Tokens")).toBeDefined();
    expect(sink.lastEdit?.embeds[0].fields?.find((f) => f.name === "Tokens")?.value).toMatch(/1[.,]?2/);
  });

  it("posts the answer without waiting for the final edit's interval, which still keeps its pace", async () => {
    const { clock, sink, dashboard } = setup();
    await clock.advance(200);
    lines(dashboard, 10); // ten lines: an edit goes out at once
    await clock.advance(0);
    const outputEdit = sink.edits.at(-1)!.at;
    await end(clock, dashboard, result({ finalText: "All done.", lineCount: 10 }));
    const finalEdit = sink.edits.at(-1)!;
    expect(fieldOf(sink.lastEdit, "State")).toBe("Idle");
    expect(finalEdit.at - outputEdit).toBeGreaterThanOrEqual(1000);
    expect(sink.posts[0]!.message.content).toContain("All done.");
    expect(sink.posts[0]!.at).toBeLessThan(finalEdit.at);
  });

  it("posts the answer split at 2000 characters, mention-safe", async () => {
    const { clock, sink, dashboard } = setup();
    await end(clock, dashboard, result({ finalText: `${words(3000)} @everyone` }));
    expect(sink.posts).toHaveLength(2);
    for (const { message } of sink.posts) {
      expect(message.content.length).toBeLessThanOrEqual(2000);
      expect(message.allowedMentions).toEqual({ parse: [] });
      expect(message.files).toBeUndefined();
    }
    expect(sink.posts[1]!.message.content).not.toContain("@everyone");
  });

  it("caps a long answer: its first part in the thread, the whole in answer.md, with the transcript", async () => {
    const { clock, sink, dashboard } = setup();
    const text = words(20_000);
    await end(clock, dashboard, result({ finalText: text, transcriptPath: "/data/t/3.log" }));
    expect(sink.posts).toHaveLength(2);
    expect(text.startsWith(sink.posts[0]!.message.content.trimEnd())).toBe(true);
    const closing = sink.posts[1]!.message;
    expect(closing.allowedMentions).toEqual({ parse: [] });
    expect(closing.content).toContain("answer.md");
    expect(fileNames(closing)).toEqual(["answer.md", "transcript-run3.log"]);
    const answer = closing.files?.[0];
    expect(answer && "data" in answer ? answer.data.toString("utf8") : undefined).toBe(text);
    const transcript = closing.files?.[1];
    expect(transcript && "path" in transcript ? transcript.path : undefined).toBe("/data/t/3.log");
  });

  it("posts five answer messages and nothing more when the answer fits in five", async () => {
    const { clock, sink, dashboard } = setup();
    await end(clock, dashboard, result({ finalText: words(9500) }));
    expect(sink.posts).toHaveLength(5);
    expect(sink.posts.every(({ message }) => message.files === undefined)).toBe(true);
  });

  it("attaches the transcript when the run printed more lines than the tail keeps", async () => {
    const { clock, sink, dashboard } = setup();
    lines(dashboard, 41);
    await end(clock, dashboard, result({ lineCount: 41 }));
    expect(sink.posts).toHaveLength(2);
    expect(fileNames(sink.posts[1]!.message)).toEqual(["transcript-run3.log"]);
    expect(sink.posts[1]!.message.content).toContain("last 40 lines");
  });

  it("does not attach the transcript when every line fitted on the dashboard", async () => {
    const { clock, sink, dashboard } = setup();
    lines(dashboard, 40);
    await end(clock, dashboard, result({ lineCount: 40 }));
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["Done."]);
  });

  it("attaches the transcript when a line was too long to show whole", async () => {
    const { clock, sink, dashboard } = setup();
    dashboard.line({ kind: "tool_result", text: "x".repeat(400) });
    await end(clock, dashboard, result({ lineCount: 1 }));
    expect(fileNames(sink.posts.at(-1)?.message)).toEqual(["transcript-run3.log"]);
  });

  it("says a transcript is too large to attach instead of attaching it", async () => {
    const { clock, sink, dashboard } = setup(50 * 1024 * 1024);
    lines(dashboard, 100);
    await end(clock, dashboard, result({ lineCount: 100 }));
    const closing = sink.posts.at(-1)!.message;
    expect(closing.files).toBeUndefined();
    expect(closing.content).toContain("too large to attach");
  });

  it("skips the transcript quietly when there is no file", async () => {
    const { clock, sink, dashboard } = setup("none");
    lines(dashboard, 100);
    await end(clock, dashboard, result({ lineCount: 100 }));
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["Done."]);
  });

  it("posts a short message naming a failed run's outcome and error, without pinging", async () => {
    const { clock, sink, dashboard } = setup();
    await end(
      clock,
      dashboard,
      result({ outcome: "failed", finalText: "", error: "omp exited with code 1 @everyone <@123>" }),
    );
    expect(sink.posts).toHaveLength(1);
    const { content, allowedMentions } = sink.posts[0]!.message;
    expect(content).toMatch(/^❌ Run #3 failed: omp exited with code 1/);
    expect(content).not.toContain("@everyone");
    expect(content).not.toContain("<@123>");
    expect(allowedMentions).toEqual({ parse: [] });
    expect(fieldOf(sink.lastEdit, "State")).toBe("Degraded");
  });

  it("names a timeout as such", async () => {
    const { clock, sink, dashboard } = setup();
    await end(clock, dashboard, result({ outcome: "timed_out", finalText: "", error: undefined }));
    expect(sink.posts.map(({ message }) => message.content)).toEqual([
      "⏱️ Run #3 hit the time limit and was stopped.",
    ]);
  });

  it("says so when a successful run gave no answer", async () => {
    const { clock, sink, dashboard } = setup();
    await end(clock, dashboard, result({ finalText: "   " }));
    expect(sink.posts.map(({ message }) => message.content)).toEqual([
      "✅ Run #3 finished without a final answer.",
    ]);
  });

  it("uses the run number it is given over the dashboard's", async () => {
    const { clock, sink, dashboard } = setup();
    await end(clock, dashboard, result({ outcome: "crashed", finalText: "" }), { runNumber: 9 });
    expect(sink.posts[0]!.message.content).toBe("💥 Run #9 crashed.");
  });

  it("posts nothing for a run that ends after the session was stopped, but still paints", async () => {
    const { clock, sink, dashboard } = setup();
    await clock.advance(100);
    dashboard.apply({ type: "stopped", by: "42" });
    await end(clock, dashboard, result({ outcome: "cancelled", finalText: "" }));
    expect(sink.posts).toHaveLength(0);
    expect(fieldOf(sink.lastEdit, "State")).toMatch(/stopped/);
  });

  it("keeps a second run's posts after the first run's, even when it ends first in time", async () => {
    const { clock, sink, dashboard } = setup();
    sink.delayMs = 500;
    const first = dashboard.runEnded(result({ finalText: "first answer" }));
    dashboard.apply(runStarted(4));
    const second = dashboard.runEnded(result({ finalText: "second answer" }));
    await clock.advance(30_000);
    await Promise.all([first, second]);
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["first answer", "second answer"]);
    expect(sink.maxInFlight).toBe(1);
  });

  it("flushNow waits for an ending run's messages, then paints the newest state", async () => {
    const { clock, sink, dashboard } = setup();
    sink.delayMs = 200;
    void dashboard.runEnded(result({ finalText: "answer" }));
    dashboard.apply({ type: "stopped" });
    const flushed = dashboard.flushNow();
    await clock.advance(10_000);
    await flushed;
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["answer"]);
    expect(fieldOf(sink.lastEdit, "State")).toMatch(/stopped/);
  });

  it("gives every message a fallback naming where the transcript is on the host, without the files", () => {
    const entries = runEndEntries({
      runNumber: 2,
      outcome: "failed",
      error: "exit 1",
      finalText: words(20_000),
      outputFitted: false,
      transcript: { path: "/data/transcripts/2.log", bytes: 4096 },
      maxAnswerMessages: 5,
    });
    expect(entries.map((entry) => entry.kind)).toEqual(["answer", "note"]);
    expect(entries[0]!.fallback).toBe(
      "⚠️ Part of the answer of run #2 could not be posted here: the transcript of run #2 is on the bot's host at `/data/transcripts/2.log`",
    );
    const note = entries[1]!;
    expect(fileNames(note.message)).toEqual(["answer.md", "transcript-run2.log"]);
    expect(note.fallback).toContain("❌ Run #2 failed: exit 1");
    expect(note.fallback).toContain("answer.md and transcript-run2.log could not be attached");
    expect(note.fallback).toContain("`/data/transcripts/2.log`");
    expect(note.fallback).not.toContain("is in transcript-run2.log");
  });

  it("shows a waiting answer on the dashboard while Discord fails, and clears it once it landed", async () => {
    const { clock, sink, dashboard } = setup();
    await clock.advance(2000);
    sink.failPosts(...Array.from({ length: 3 }, () => Object.assign(new Error("503"), { status: 503 })));
    const done = dashboard.runEnded(result({ finalText: "late answer" }));
    await clock.advance(1500);
    await done;
    expect(fieldOf(sink.lastEdit, "State")).toBe("Idle");
    expect(fieldOf(sink.lastEdit, "Delivery")).toBe("📨 answer waiting to be delivered (retrying)");
    await clock.advance(30_000);
    expect(sink.posts.map(({ message }) => message.content)).toEqual(["late answer"]);
    expect(fieldOf(sink.lastEdit, "Delivery")).toBeUndefined();
  });

  it("paints the run's end once, after the answer and before the closing note with the transcript", async () => {
    const { clock, sink, dashboard } = setup();
    sink.delayMs = 50;
    await clock.advance(200);
    lines(dashboard, 45);
    await clock.advance(100);
    lines(dashboard, 11);
    const done = dashboard.runEnded(result({ finalText: "the answer", lineCount: 56 }));
    await clock.advance(30_000);
    await done;
    const idle = sink.edits.filter(({ payload }) => fieldOf(payload, "State") === "Idle");
    expect(idle).toHaveLength(1);
    expect(sink.posts.map(({ message }) => message.content)).toEqual([
      "the answer",
      expect.stringContaining("transcript-run3.log"),
    ]);
    expect(sink.posts[0]!.at).toBeLessThan(idle[0]!.at);
    expect(sink.posts[1]!.at).toBeGreaterThan(idle[0]!.at);
  });
});
