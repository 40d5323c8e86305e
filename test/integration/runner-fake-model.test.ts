// The fake model itself: the OpenAI wire shapes omp depends on, and scripting by prompt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bashThenReply,
  type FakeModel,
  httpError,
  reply,
  startFakeModel,
} from "../support/fake-model/index.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => {
  await model.close();
});

const post = (body: unknown) =>
  fetch(`${model.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const user = (text: string) => ({ role: "user", content: text });

/** The content and tool calls of an SSE stream, reassembled. */
async function readStream(response: Response) {
  const text = await response.text();
  const chunks = text
    .split("\n\n")
    .map((block) => block.replace(/^data: /, "").trim())
    .filter((data) => data && data !== "[DONE]")
    .map((data) => JSON.parse(data));
  return {
    done: text.trimEnd().endsWith("data: [DONE]"),
    content: chunks.map((c) => c.choices[0].delta.content ?? "").join(""),
    toolCalls: chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []),
    finish: chunks.at(-1).choices[0].finish_reason,
    usage: chunks.at(-1).usage,
  };
}

describe("fake model", () => {
  it("listens on 127.0.0.1 on an ephemeral port that omp never probes", () => {
    expect(model.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect([8080, 11434, 1234]).not.toContain(model.port);
  });

  it("refuses the ports omp probes for local servers", async () => {
    await expect(startFakeModel({ port: 11434 })).rejects.toThrow(/omp probes/);
  });

  it("lists its model", async () => {
    const body = (await (await fetch(`${model.baseUrl}/models`)).json()) as { data: Array<{ id: string }> };
    expect(body.data[0]?.id).toBe("fake");
  });

  it("streams a scripted reply in chunks, with usage and [DONE]", async () => {
    model.on("stream me", reply("abcdefghij", { chunkSize: 3 }));
    const result = await readStream(
      await post({ model: "fake", stream: true, messages: [user("stream me")] }),
    );
    expect(result).toMatchObject({ done: true, content: "abcdefghij", finish: "stop" });
    expect(result.usage.total_tokens).toBe(15);
  });

  it("answers without streaming when asked", async () => {
    model.on("no stream", reply("plain"));
    const body = (await (
      await post({ model: "fake", stream: false, messages: [user("no stream")] })
    ).json()) as {
      choices: Array<{ message: { content: string } }>;
    };
    expect(body.choices[0]?.message.content).toBe("plain");
  });

  it("answers a tool call first, then the final reply once the tool result is in", async () => {
    model.on("use a tool", bashThenReply("ls", "Listed."));
    const first = await readStream(await post({ stream: true, messages: [user("use a tool")] }));
    expect(first.finish).toBe("tool_calls");
    expect(first.toolCalls[0].function).toEqual({ name: "bash", arguments: '{"command":"ls"}' });
    const second = await readStream(
      await post({
        stream: true,
        messages: [
          user("use a tool"),
          { role: "assistant", content: null, tool_calls: first.toolCalls },
          { role: "tool", tool_call_id: first.toolCalls[0].id, content: "a\nb" },
        ],
      }),
    );
    expect(second.content).toBe("Listed.");
  });

  it("answers HTTP errors with a Retry-After header", async () => {
    model.on("please fail", httpError(429, "slow down", 2));
    const response = await post({ stream: true, messages: [user("please fail")] });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("slow down");
  });

  it("picks the script by the latest user message, later rules first, default otherwise", async () => {
    model
      .on(/colou?r/, reply("first rule"))
      .on("colour", reply("second rule"))
      .setDefault(reply("default"));
    const ask = async (text: string) =>
      (await readStream(await post({ stream: true, messages: [user("colour"), user(text)] }))).content;
    expect(await ask("what colour")).toBe("second rule");
    expect(await ask("what color")).toBe("first rule");
    expect(await ask("something else")).toBe("default");
    expect(model.requestsMatching("what colo").length).toBe(2);
  });
});
