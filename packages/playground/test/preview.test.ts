// The thread preview under a launch message reads as Discord's does: one line, no markdown marks, and
// mentions and timestamps shown as a person reads them, never as their raw `<@id>` / `<t:…>` syntax.

import { describe, expect, it } from "vitest";
import { plainPreview } from "../web/src/preview.js";
import { formatTimestamp } from "../web/src/time.js";

const NOW = new Date("2026-12-07T15:00:00Z");
const names = {
  userName: (id: string) => ({ "111": "alice", "333": "big_bob" })[id],
  channelName: (id: string) => (id === "222" ? "launch" : undefined),
  timestamp: (seconds: number, style: string | undefined) =>
    formatTimestamp(new Date(seconds * 1000), style, NOW, { locale: "en-US", timeZone: "UTC" }),
};

describe("a thread preview", () => {
  it("shows a user mention as @name, an unknown one as @unknown-user", () => {
    expect(plainPreview("<@111> your run finished; <@!999> too", names)).toBe(
      "@alice your run finished; @unknown-user too",
    );
    expect(plainPreview("**<@333>** asked", names)).toBe("@big_bob asked");
  });

  it("shows channel and role mentions and timestamps as Discord renders them", () => {
    const seconds = Math.floor(NOW.getTime() / 1000) - 120;
    expect(plainPreview(`see <#222>, <@&5> at <t:${seconds}:R>`, names)).toBe(
      "see #launch, @role at 2 minutes ago",
    );
  });

  it("drops markdown's marks and folds whitespace onto one line", () => {
    expect(plainPreview("**Done**\n```ts\nconst x = 1;\n```\n_ok_", names)).toBe("Done const x = 1; ok");
  });
});
