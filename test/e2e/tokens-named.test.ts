// `/omp token` as a person uses it: a named token shown once and privately, listed without its secret,
// revoked; people not on the allowed list get none.
import type { InteractionView, MessageView } from "@ompcord/discord-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NAMED_TOKEN_PREFIX } from "../../src/sidecar/index.js";
import { answerText, type BotHarness, startBotHarness } from "../support/bot-harness.js";
import { expectPrivateRefusal } from "../support/refusals.js";

function shownPrivately(view: InteractionView): void {
  const shown = [view.original, ...view.followUps].filter((m): m is MessageView => m !== null);
  expect(shown.length).toBeGreaterThan(0);
  for (const message of shown) expect(message.ephemeral).toBe(true);
}

describe("named tokens by command", () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("issue shows the token once, privately; it acts for the issuer until revoked", async () => {
    const issued = await h.command(h.alice, h.world.channelId, "token", { action: "issue", name: "ci" });
    shownPrivately(issued);
    const token = new RegExp(`${NAMED_TOKEN_PREFIX}[A-Za-z0-9_-]{43}`).exec(answerText(issued))?.[0];
    expect(token).toBeDefined();
    expect(h.app!.ctx.tokens.authenticate(token!)).toEqual({ name: "ci", discordUserId: h.alice });
    // Nowhere public: no message in the channel holds it.
    expect(h.emu.messages(h.world.channelId).some((m) => m.content.includes(token!))).toBe(false);

    const listed = await h.command(h.alice, h.world.channelId, "token", { action: "list" });
    shownPrivately(listed);
    expect(answerText(listed)).toContain("`ci`");
    expect(answerText(listed)).not.toContain(token!);

    const revoked = await h.command(h.alice, h.world.channelId, "token", { action: "revoke", name: "ci" });
    expect(answerText(revoked)).toMatch(/revoked/);
    expect(h.app!.ctx.tokens.authenticate(token!)).toBeUndefined();
    expect(answerText(await h.command(h.alice, h.world.channelId, "token", { action: "list" }))).toMatch(
      /no named tokens/,
    );
  });

  it("a person who is not an allowed user gets no token", async () => {
    const view = await h.command(h.bob, h.world.channelId, "token", { action: "issue", name: "mine" });
    expectPrivateRefusal(view, /not on this bot's list of allowed users/);
    expect(h.app!.ctx.tokens.list(h.bob)).toEqual([]);
  });

  it("issuing without a name, or revoking a token one does not have, says what to do", async () => {
    expectPrivateRefusal(
      await h.command(h.alice, h.world.channelId, "token", { action: "issue" }),
      /Give the token a `name`/,
    );
    expectPrivateRefusal(
      await h.command(h.alice, h.world.channelId, "token", { action: "revoke", name: "nope" }),
      /no token named `nope`/,
    );
  });
});
