// Slash commands typed in the page's composer: what is offered while typing, and the command the
// finished text runs, from the command JSON a bot registered (here one shaped like ompcord's /omp).

import type { APIApplicationCommand } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import {
  buildSlashCommand,
  readSlash,
  slashEntries,
  textForEntry,
  textWithChoice,
  textWithOption,
} from "../web/src/slash.js";

const sub = (name: string, description: string, options: unknown[] = []) => ({
  type: 1,
  name,
  description,
  options,
});
const prompt = (description: string) => ({
  type: 3,
  name: "prompt",
  description,
  required: true,
  max_length: 6000,
});
const omp = {
  id: "1",
  application_id: "2",
  version: "3",
  type: 1,
  name: "omp",
  description: "Run the OMP coding agent in Discord threads",
  options: [
    sub("new", "Start a new agent session in a thread and run a first prompt", [
      prompt("What the agent should do"),
      { type: 3, name: "name", description: "A name for the session thread", max_length: 91 },
    ]),
    sub("say", "Queue a follow-up prompt in this session", [prompt("The follow-up for the agent")]),
    sub("cancel", "Cancel the running prompt"),
    sub("stop", "Cancel, drop the queue and archive this session"),
    sub("queue", "Show the running prompt and the waiting ones"),
    sub("status", "Show uptime, gateway latency, runs, sessions and health"),
    sub("health", "Check Discord, the database, the omp binary and the sidecar API"),
    sub("version", "Show the bot, omp and Node.js versions"),
  ],
} as unknown as APIApplicationCommand;
const entries = slashEntries([omp]);

describe("what the composer offers", () => {
  it("lists each subcommand as its own entry, as Discord's picker does", () => {
    expect(entries.map((e) => `/${e.path.join(" ")}`)).toEqual([
      "/omp new",
      "/omp say",
      "/omp cancel",
      "/omp stop",
      "/omp queue",
      "/omp status",
      "/omp health",
      "/omp version",
    ]);
    expect(entries[0]!.options.map((o) => [o.name, o.required])).toEqual([
      ["prompt", true],
      ["name", false],
    ]);
  });

  it("offers the commands matching what was typed after /", () => {
    const reading = readSlash("/omp s", entries);
    expect(reading.stage).toBe("command");
    if (reading.stage !== "command") return;
    expect(reading.matches.map((m) => m.path.join(" "))).toEqual(["omp say", "omp stop", "omp status"]);
    expect(readSlash("/st", entries)).toMatchObject({
      stage: "command",
      matches: [{ path: ["omp", "stop"] }, { path: ["omp", "status"] }],
    });
    expect(readSlash("hello", entries)).toEqual({ stage: "none" });
  });

  it("puts the cursor in the first required option once a command is chosen", () => {
    expect(textForEntry(entries[0]!)).toBe("/omp new prompt: ");
    expect(textForEntry(entries.find((e) => e.subcommand === "cancel")!)).toBe("/omp cancel ");
  });

  it("offers the options not given yet, narrowed by a partly typed name", () => {
    const reading = readSlash("/omp new prompt: fix the bug na", entries);
    expect(reading).toMatchObject({ stage: "options", current: { name: "prompt" } });
    if (reading.stage !== "options") return;
    expect(reading.suggestions.map((o) => o.name)).toEqual(["name"]);
    expect(textWithOption("/omp new prompt: fix the bug na", reading.suggestions[0]!)).toBe(
      "/omp new prompt: fix the bug name: ",
    );
  });

  it("offers an option's choices while its value is typed", () => {
    const withChoices = slashEntries([
      {
        ...omp,
        name: "mode",
        options: [
          {
            type: 3,
            name: "level",
            description: "how loud",
            required: true,
            choices: [
              { name: "quiet", value: "q" },
              { name: "loud", value: "l" },
            ],
          },
        ],
      } as unknown as APIApplicationCommand,
    ]);
    const reading = readSlash("/mode level: lo", withChoices);
    expect(reading.stage === "options" && reading.choices).toEqual([{ name: "loud", value: "l" }]);
    expect(textWithChoice("/mode level: lo", { name: "loud" })).toBe("/mode level: loud ");
    expect(buildSlashCommand("/mode level: loud", withChoices)).toEqual({
      ok: true,
      action: { name: "mode", options: { level: "l" } },
    });
    expect(buildSlashCommand("/mode level: medium", withChoices)).toEqual({
      ok: false,
      error: "level must be one of: quiet, loud.",
    });
  });
});

describe("the command the finished text runs", () => {
  it("names the subcommand and carries the options, values with spaces and colons whole", () => {
    expect(buildSlashCommand("/omp new prompt: fix: the login bug name: login", entries)).toEqual({
      ok: true,
      action: { name: "omp", subcommand: "new", options: { prompt: "fix: the login bug", name: "login" } },
    });
    expect(buildSlashCommand("/omp cancel", entries)).toEqual({
      ok: true,
      action: { name: "omp", subcommand: "cancel", options: {} },
    });
  });

  it("takes text typed straight after the command as its first required option", () => {
    expect(buildSlashCommand("/omp say and now the tests", entries)).toEqual({
      ok: true,
      action: { name: "omp", subcommand: "say", options: { prompt: "and now the tests" } },
    });
  });

  it("refuses a missing required option, saying which and what it is for", () => {
    expect(buildSlashCommand("/omp new prompt: ", entries)).toEqual({
      ok: false,
      error: "/omp new needs prompt: What the agent should do.",
    });
  });

  it("refuses text a command without options cannot take, and unknown commands", () => {
    expect(buildSlashCommand("/omp cancel now please", entries)).toMatchObject({ ok: false });
    expect(buildSlashCommand("/deploy", entries)).toEqual({
      ok: false,
      error: "No command /deploy here. Type / to see the commands.",
    });
  });

  it("checks lengths and number types the command declares", () => {
    const typed = slashEntries([
      {
        ...omp,
        name: "t",
        options: [
          { type: 3, name: "word", description: "w", max_length: 3 },
          { type: 4, name: "count", description: "c", min_value: 1 },
          { type: 5, name: "flag", description: "f" },
        ],
      } as unknown as APIApplicationCommand,
    ]);
    expect(buildSlashCommand("/t word: long", typed)).toMatchObject({
      ok: false,
      error: expect.stringContaining("at most 3"),
    });
    expect(buildSlashCommand("/t count: 1.5", typed)).toMatchObject({
      ok: false,
      error: expect.stringContaining("whole number"),
    });
    expect(buildSlashCommand("/t count: 0", typed)).toMatchObject({
      ok: false,
      error: expect.stringContaining("at least 1"),
    });
    expect(buildSlashCommand("/t count: 2 flag: yes word: ab", typed)).toEqual({
      ok: true,
      action: { name: "t", options: { count: 2, flag: true, word: "ab" } },
    });
  });
});
