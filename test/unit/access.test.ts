import { describe, expect, it } from "vitest";
import { ACCESS_RULES, checkAccess } from "../../src/discord/access/check.js";
import type { AccessFacts, AccessPolicy, AccessRule, RefusalCode } from "../../src/discord/access/rules.js";
import { SUBCOMMANDS } from "../../src/discord/commands/index.js";

const policy: AccessPolicy = {
  guildId: "guild",
  allowedUserIds: ["alice", "bob"],
  launchChannelIds: ["launch"],
  promptMaxChars: 100,
  queueDepthMax: 3,
};

/** A request every rule accepts; each test breaks one fact. */
const good: AccessFacts = {
  guildId: "guild",
  channelId: "launch",
  userId: "alice",
  messageAuthorId: "alice",
  messageAuthorIsBot: false,
  session: { stopped: false },
  prompt: "fix the build",
  queueDepth: 0,
};

/** Every way in: 🚀, a plain message and the buttons, then each subcommand as its own file declares it. */
const RULES: Record<string, readonly AccessRule[]> = {
  ...ACCESS_RULES,
  ...Object.fromEntries(SUBCOMMANDS.map((subcommand) => [subcommand.name, subcommand.access])),
};
type Action = "launch" | "new" | "say" | "message" | "cancel" | "stop" | "queue" | "button";

function refusal(action: Action, facts: Partial<AccessFacts>, p: AccessPolicy = policy) {
  const result = checkAccess(RULES[action]!, { ...good, ...facts }, p);
  return result.ok ? undefined : result;
}

const ALL: Action[] = ["launch", "new", "say", "message", "cancel", "stop", "queue", "button"];

describe("access rules", () => {
  it("accepts a well-formed request for every action", () => {
    for (const action of ALL) expect(checkAccess(RULES[action]!, good, policy), action).toEqual({ ok: true });
  });

  it.each(["launch", "new", "say", "message", "cancel", "stop", "button"] as const)(
    "%s: changes something, so it is refused once shutdown began, before any other problem",
    (action) => {
      const result = refusal(action, { shuttingDown: true, guildId: null, userId: "mallory" });
      expect(result?.code).toBe("shutting_down");
      expect(result?.reason).toMatch(/shutting down; try again once it is back/);
    },
  );

  it.each(["queue", "status", "health", "version"])(
    "%s: changes nothing, so it answers during shutdown",
    (name) => {
      expect(checkAccess(RULES[name]!, { ...good, shuttingDown: true }, policy)).toEqual({ ok: true });
    },
  );

  it.each(ALL)("%s: refuses direct messages, politely", (action) => {
    const result = refusal(action, { guildId: null });
    expect(result?.code).toBe("direct_message");
    expect(result?.reason).toMatch(/not in direct messages/);
  });

  it.each(ALL)("%s: refuses other guilds", (action) => {
    expect(refusal(action, { guildId: "elsewhere" })?.code).toBe("wrong_guild");
  });

  it.each(ALL)("%s: refuses users not on the allowed list and says how to get on it", (action) => {
    const result = refusal(action, { userId: "mallory", messageAuthorId: "mallory" });
    expect(result?.code).toBe("user_not_allowed");
    expect(result?.reason).toContain("DISCORD_ALLOWED_USERS");
  });

  it.each(["launch", "new"] as const)(
    "%s: refuses outside a launch channel and names the launch channels",
    (action) => {
      const result = refusal(action, { channelId: "general" });
      expect(result?.code).toBe("not_launch_channel");
      expect(result?.reason).toContain("<#launch>");
    },
  );

  it("new: says launch channels must be configured when there are none", () => {
    const result = refusal("new", {}, { ...policy, launchChannelIds: [] });
    expect(result?.reason).toContain("OMP_LAUNCH_CHANNEL_IDS");
  });

  it("launch: counts a 🚀 only from the message's author", () => {
    expect(refusal("launch", { userId: "bob", messageAuthorId: "alice" })?.code).toBe("reactor_not_author");
  });

  it("launch: refuses a bot's message, even when the reactor is allowed", () => {
    expect(refusal("launch", { messageAuthorIsBot: true })?.code).toBe("message_from_bot");
  });

  it("message: ignores messages written by bots", () => {
    expect(refusal("message", { messageAuthorIsBot: true })?.code).toBe("message_from_bot");
  });

  it("launch: refuses an empty message with a message about text", () => {
    const result = refusal("launch", { prompt: "   " });
    expect(result?.code).toBe("message_empty");
    expect(result?.reason).toMatch(/no text/);
  });

  it.each(["new", "say", "message"] as const)("%s: refuses an empty or whitespace prompt", (action) => {
    expect(refusal(action, { prompt: "" })?.code).toBe("prompt_empty");
    expect(refusal(action, { prompt: " \n\t" })?.code).toBe("prompt_empty");
    expect(refusal(action, { prompt: undefined })?.code).toBe("prompt_empty");
  });

  it.each(["launch", "new", "say", "message"] as const)(
    "%s: refuses a prompt over the limit and gives both lengths",
    (action) => {
      const result = refusal(action, { prompt: "x".repeat(101) });
      expect(result?.code).toBe("prompt_too_long");
      expect(result?.reason).toContain("101 characters; the limit is 100");
      expect(refusal(action, { prompt: "x".repeat(100) })).toBeUndefined();
    },
  );

  it.each(["say", "message", "cancel", "stop", "queue", "button"] as const)(
    "%s: refuses a channel that is not a session thread",
    (action) => {
      expect(refusal(action, { session: null })?.code).toBe("not_a_session");
      expect(refusal(action, { session: undefined })?.reason).toContain("/omp new");
    },
  );

  it.each(["say", "message", "cancel", "stop", "button"] as const)(
    "%s: refuses a stopped session",
    (action) => {
      expect(refusal(action, { session: { stopped: true } })?.code).toBe("session_stopped");
    },
  );

  it("queue: still lists a stopped session's history", () => {
    expect(refusal("queue", { session: { stopped: true } })).toBeUndefined();
  });

  it.each(["say", "message"] as const)("%s: refuses when the queue is full, naming the limit", (action) => {
    const result = refusal(action, { queueDepth: 3 });
    expect(result?.code).toBe("queue_full");
    expect(result?.reason).toContain("3 prompts");
    expect(refusal(action, { queueDepth: 2 })).toBeUndefined();
  });

  it("reports where before who before what: a DM from a stranger with an empty prompt is a DM problem", () => {
    expect(refusal("say", { guildId: null, userId: "mallory", prompt: "" })?.code).toBe("direct_message");
    expect(refusal("say", { userId: "mallory", prompt: "" })?.code).toBe("user_not_allowed");
  });

  it("gives every refusal a distinct code and a sentence-ending reason", () => {
    const cases: [Action, Partial<AccessFacts>][] = [
      ["say", { shuttingDown: true }],
      ["say", { guildId: null }],
      ["say", { guildId: "x" }],
      ["say", { userId: "x" }],
      ["new", { channelId: "x" }],
      ["launch", { userId: "bob" }],
      ["launch", { messageAuthorIsBot: true }],
      ["launch", { prompt: "" }],
      ["say", { session: null }],
      ["say", { session: { stopped: true } }],
      ["say", { prompt: "" }],
      ["say", { prompt: "x".repeat(101) }],
      ["say", { queueDepth: 9 }],
    ];
    const codes = new Set<RefusalCode>();
    for (const [action, facts] of cases) {
      const result = refusal(action, facts);
      expect(result, `${action} ${JSON.stringify(facts)}`).toBeDefined();
      expect(result!.reason).toMatch(/[.]$/);
      codes.add(result!.code);
    }
    expect(codes.size).toBe(cases.length);
  });
});
