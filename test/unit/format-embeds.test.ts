import { describe, expect, it } from "vitest";
import { healthEmbed, queueEmbed, statusEmbed, versionEmbed } from "../../src/discord/embeds.js";
import { embedProblems } from "../support/embed-problems.js";

const checks = [
  { name: "Gateway ping", ok: true, detail: "42 ms" },
  { name: "SQLite write", ok: false, detail: "SQLITE_READONLY: attempt to write a readonly database" },
];

describe("status, health, version and queue embeds", () => {
  it("status shows uptime, latency, runs and sessions, and turns orange when a check fails", () => {
    const embed = statusEmbed({
      uptimeMs: 3_600_000,
      gatewayPingMs: 41.7,
      runs: { active: 1, queued: 3, max: 2 },
      sessions: { active: 4, total: 9 },
      checks,
    });
    const text = JSON.stringify(embed);
    expect(text).toContain("1h");
    expect(text).toContain("42 ms");
    expect(text).toContain("1 running · 3 queued · 2 max");
    expect(text).toContain("4 active · 9 total");
    expect(text).toContain("❌ **SQLite write** — SQLITE_READONLY");
    expect(embed.color).toBe(0xf1c40f);
    expect(embedProblems(embed)).toEqual([]);
  });

  it("status names messages that wait for Discord and each one given up lately, and turns orange", () => {
    const embed = statusEmbed({
      uptimeMs: 1000,
      gatewayPingMs: 40,
      runs: { active: 0, queued: 0, max: 2 },
      sessions: { active: 1 },
      delivery: {
        pending: 2,
        undeliverable: {
          total: 1,
          windowMs: 24 * 3_600_000,
          recent: [
            {
              threadId: "123456789012345678",
              kind: "answer",
              reason: "403 Missing Access (code 50001)",
              at: new Date(1_700_000_000_000),
            },
          ],
        },
      },
    });
    const field = embed.fields?.find((f) => f.name.includes("Messages to threads"));
    expect(field?.value).toContain("2 messages waiting to be delivered (retrying).");
    expect(field?.value).toContain("1 message undelivered");
    expect(field?.value).toContain("<#123456789012345678> answer, <t:1700000000:R>: 403 Missing Access");
    expect(embed.color).toBe(0xf1c40f);
    expect(embedProblems(embed)).toEqual([]);
  });

  it("status says the latency is not measured before the first heartbeat", () => {
    const embed = statusEmbed({
      uptimeMs: 1000,
      gatewayPingMs: -1,
      runs: { active: 0, queued: 0, max: 2 },
      sessions: { active: 0 },
    });
    expect(JSON.stringify(embed)).toContain("not measured yet");
    expect(embed.color).toBe(0x2ecc71);
  });

  it("health lists each check with ✅/❌ and its reason, and says how many failed", () => {
    const embed = healthEmbed(checks);
    expect(embed.title).toBe("❌ 1 of 2 checks failed");
    expect(embed.description).toBe(
      "✅ **Gateway ping** — 42 ms\n❌ **SQLite write** — SQLITE_READONLY: attempt to write a readonly database",
    );
  });

  it("health stays valid with hundreds of checks with huge reasons", () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      name: `check ${i}`,
      ok: i % 2 === 0,
      detail: "x".repeat(5000),
    }));
    const embed = healthEmbed(many);
    expect(embedProblems(embed)).toEqual([]);
    expect(embed.description).toMatch(/…and \d+ more checks$/);
    expect(
      embedProblems(
        statusEmbed({
          uptimeMs: 0,
          gatewayPingMs: 1,
          runs: { active: 0, queued: 0, max: 1 },
          sessions: { active: 0 },
          checks: many,
        }),
      ),
    ).toEqual([]);
  });

  it("version shows the bot, omp and Node versions, and says when omp could not run", () => {
    const embed = versionEmbed({
      botVersion: "0.1.0",
      ompVersion: undefined,
      nodeVersion: "v20.20.2",
      pid: 42,
      uptimeMs: 5000,
    });
    const text = JSON.stringify(embed);
    expect(text).toContain("0.1.0");
    expect(text).toContain("not available");
    expect(text).toContain("v20.20.2");
    expect(text).toContain('"42"');
    expect(embedProblems(embed)).toEqual([]);
  });

  it("queue lists the running prompt then the waiting ones in order, with who queued them", () => {
    const embed = queueEmbed({
      running: { text: "fix the build", authorId: "111", startedAt: new Date(0) },
      waiting: [
        { text: "then run the tests", authorId: "222" },
        { text: "and write ```docs```", authorId: "111" },
      ],
      now: new Date(65_000),
    });
    expect(embed.title).toBe("Queue: 1 running, 2 waiting");
    const lines = embed.description!.split("\n");
    expect(lines[0]).toBe("▶️ **Running** (<@111> · 1m 5s): `fix the build`");
    expect(lines[1]).toBe("**1.** <@222>: `then run the tests`");
    expect(lines[2]).toBe("**2.** <@111>: `and write ˋˋˋdocsˋˋˋ`");
  });

  it("queue says it is empty when nothing runs or waits", () => {
    expect(queueEmbed({ waiting: [] }).title).toBe("The queue is empty");
  });

  it("queue stays valid with a thousand long prompts and says how many were left out", () => {
    const waiting = Array.from({ length: 1000 }, (_, i) => ({
      text: `prompt ${i} ${"y".repeat(6000)}`,
      authorId: "1",
    }));
    const embed = queueEmbed({ waiting });
    expect(embedProblems(embed)).toEqual([]);
    expect(embed.description).toMatch(/…and \d+ more waiting$/);
  });
});
