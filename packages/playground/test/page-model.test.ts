// The page's pure parts: Discord's timestamps in the reader's zone, the state folded from live events,
// and which ephemeral replies a person may see.

import type { InteractionView, MessageView } from "@ompcord/discord-emulator";
import { describe, expect, it } from "vitest";
import type { LiveEvent, PageChannel, PageMessage } from "../src/protocol.js";
import { interactionName, pageInteraction, pageMessage, visibleTo } from "../src/views.js";
import {
  applyEvent,
  channelMessages,
  compareIds,
  EMPTY_STATE,
  threadsOf,
  unansweredInteractions,
} from "../web/src/state.js";
import { formatTimestamp, messageTime, relativeTime } from "../web/src/time.js";

const UTC = { locale: "en-US", timeZone: "UTC" };
const NOW = new Date("2026-12-07T15:00:00Z");

describe("Discord timestamps", () => {
  it("renders each style in the reader's locale and zone", () => {
    const date = new Date("2026-12-07T14:05:09Z");
    expect(formatTimestamp(date, "t", NOW, UTC)).toBe("2:05 PM");
    expect(formatTimestamp(date, "T", NOW, UTC)).toBe("2:05:09 PM");
    expect(formatTimestamp(date, "d", NOW, UTC)).toBe("12/07/2026");
    expect(formatTimestamp(date, "D", NOW, UTC)).toBe("December 7, 2026");
    expect(formatTimestamp(date, "f", NOW, UTC)).toBe("December 7, 2026 at 2:05 PM");
    expect(formatTimestamp(date, "F", NOW, UTC)).toBe("Monday, December 7, 2026 at 2:05 PM");
    expect(formatTimestamp(date, "x", NOW, UTC)).toBe(formatTimestamp(date, "f", NOW, UTC));
    expect(formatTimestamp(date, "t", NOW, { locale: "en-GB", timeZone: "Asia/Tokyo" })).toBe("23:05");
  });

  it("says relative times in the largest whole unit, past and future", () => {
    expect(relativeTime(new Date(NOW.getTime() - 55 * 60_000), NOW, UTC)).toBe("55 minutes ago");
    expect(relativeTime(new Date(NOW.getTime() + 2 * 3_600_000), NOW, UTC)).toBe("in 2 hours");
    expect(relativeTime(new Date(NOW.getTime() - 86_400_000), NOW, UTC)).toBe("yesterday");
    expect(relativeTime(NOW, NOW, UTC)).toBe("now");
  });

  it("heads messages with today, yesterday or the date", () => {
    expect(messageTime(new Date("2026-12-07T09:30:00Z"), NOW, UTC)).toBe("Today at 9:30 AM");
    expect(messageTime(new Date("2026-12-06T23:59:00Z"), NOW, UTC)).toBe("Yesterday at 11:59 PM");
    expect(messageTime(new Date("2026-11-30T08:00:00Z"), NOW, UTC)).toBe("11/30/2026 8:00 AM");
  });
});

const channel = (id: string, extra: Partial<PageChannel> = {}): PageChannel => ({
  id,
  name: `c${id}`,
  parentId: null,
  isThread: false,
  archived: false,
  locked: false,
  starterMessageId: null,
  topic: null,
  ...extra,
});

const message = (id: string, channelId: string, content = `m${id}`): PageMessage => ({
  id,
  channelId,
  author: { id: "9", name: "alice", bot: false },
  type: 0,
  content,
  embeds: [],
  components: [],
  attachments: [],
  flags: 0,
  createdAt: NOW.toISOString(),
  editedAt: null,
  pinned: false,
  reactions: [],
  threadId: null,
  ephemeral: false,
  loading: false,
  interaction: null,
  referencedMessageId: null,
});

const hello = (messages: PageMessage[]): LiveEvent => ({
  type: "hello",
  world: {
    me: { id: "9", name: "alice", bot: false },
    bot: { id: "1", name: "ompcord", bot: true },
    guild: { id: "2", name: "g" },
    homeChannelId: "10",
    interactionDeadlineMs: 3_000,
  },
  channels: [
    channel("10"),
    channel("20", { isThread: true, parentId: "10" }),
    channel("30", { isThread: true, parentId: "10" }),
  ],
  messages,
  interactions: [],
  notices: [],
});

describe("the page's state", () => {
  it("starts from the snapshot, then takes each change as it comes", () => {
    let state = applyEvent(EMPTY_STATE, hello([message("100", "10"), message("99", "10")]));
    expect(state.connected).toBe(true);
    expect(channelMessages(state, "10").map((m) => m.id)).toEqual(["99", "100"]);
    state = applyEvent(state, { type: "message", message: message("100", "10", "edited") });
    state = applyEvent(state, { type: "message", message: message("1000", "10") });
    expect(channelMessages(state, "10").map((m) => m.content)).toEqual(["m99", "edited", "m1000"]);
    state = applyEvent(state, { type: "messageDelete", id: "99", channelId: "10" });
    expect(channelMessages(state, "10").map((m) => m.id)).toEqual(["100", "1000"]);
    expect(threadsOf(state, "10").map((t) => t.id)).toEqual(["30", "20"]);
    state = applyEvent(state, { type: "channelDelete", id: "30" });
    expect(threadsOf(state, "10").map((t) => t.id)).toEqual(["20"]);
  });

  it("a fresh snapshot after a reconnect replaces everything", () => {
    const before = applyEvent(EMPTY_STATE, hello([message("100", "10")]));
    const after = applyEvent({ ...before, connected: false }, hello([message("200", "10")]));
    expect([...after.messages.keys()]).toEqual(["200"]);
    expect(after.connected).toBe(true);
  });

  it("orders ids by value, not as text", () => {
    expect(["1000", "99", "100"].sort(compareIds)).toEqual(["99", "100", "1000"]);
  });

  it("names the person's interactions the bot left unanswered past Discord's deadline", () => {
    let state = applyEvent(EMPTY_STATE, hello([]));
    const interaction = {
      id: "5",
      kind: "command" as const,
      channelId: "10",
      messageId: null,
      customId: null,
      createdAt: NOW.toISOString(),
      callbackType: null,
      modal: null,
    };
    state = applyEvent(state, { type: "interaction", interaction });
    expect(unansweredInteractions(state, NOW.getTime() + 2_000)).toEqual([]);
    expect(unansweredInteractions(state, NOW.getTime() + 3_500).map((i) => i.id)).toEqual(["5"]);
    state = applyEvent(state, { type: "interaction", interaction: { ...interaction, callbackType: 5 } });
    expect(unansweredInteractions(state, NOW.getTime() + 3_500)).toEqual([]);
  });
});

describe("what the person may see", () => {
  const view = (overrides: Partial<MessageView>): MessageView =>
    ({
      id: "1",
      channelId: "10",
      guildId: "2",
      author: { id: "1", username: "ompcord", bot: true },
      type: 20,
      content: "Only for you",
      embeds: [],
      components: [],
      attachments: [],
      flags: 64,
      createdAt: NOW,
      editedAt: null,
      pinned: false,
      pinnedAt: null,
      deleted: false,
      ephemeral: true,
      history: [],
      reactions: [{ emoji: "🚀", userIds: ["9", "8"] }],
      mentionIds: [],
      allowedMentions: null,
      threadId: null,
      interactionId: "5",
      referencedMessageId: null,
      ...overrides,
    }) as MessageView;
  const interaction = (userId: string) =>
    ({
      id: "5",
      type: 2,
      userId,
      data: { name: "omp", options: [{ type: 1, name: "cancel", options: [] }] },
    }) as unknown as InteractionView;
  const context = (userId: string) => ({
    meId: "9",
    interaction: interaction(userId),
    userName: () => "alice",
  });

  it("sees an ephemeral reply to their own command, and nobody else's", () => {
    expect(visibleTo(view({}), context("9"))).toBe(true);
    expect(visibleTo(view({}), context("8"))).toBe(false);
    expect(visibleTo(view({ ephemeral: false }), context("8"))).toBe(true);
    expect(visibleTo(view({ deleted: true, ephemeral: false }), context("9"))).toBe(false);
  });

  it("shows who used which command above the reply, and their own reactions as theirs", () => {
    const page = pageMessage(view({}), context("9"));
    expect(page.interaction).toEqual({ id: "5", userName: "alice", name: "/omp cancel", kind: "command" });
    expect(page.reactions).toEqual([{ emoji: "🚀", count: 2, me: true }]);
    expect(interactionName({ data: { custom_id: "omp:cancel:s1" } } as unknown as InteractionView)).toBe(
      "omp:cancel:s1",
    );
  });

  it("gets the modal the bot answered with, in Discord's shape, once the emulator keeps it", () => {
    const clicked = {
      id: "6",
      type: 3,
      userId: "9",
      channelId: "10",
      data: { custom_id: "omp:answer:q1", component_type: 2 },
      createdAt: NOW,
      callbackType: 9,
      message: { id: "77" },
    } as unknown as InteractionView;
    const modal = {
      custom_id: "omp:answer-form:q1",
      title: "Answer the agent",
      components: [{ type: 1, components: [{ type: 4, custom_id: "text", label: "Your answer", style: 2 }] }],
    };
    expect(pageInteraction({ ...clicked, modal } as InteractionView)).toMatchObject({
      kind: "component",
      customId: "omp:answer:q1",
      messageId: "77",
      callbackType: 9,
      modal: { customId: "omp:answer-form:q1", title: "Answer the agent", components: modal.components },
    });
    // Today's emulator keeps no modal: nothing to open, and nothing made up.
    expect(pageInteraction(clicked).modal).toBeNull();
    expect(pageInteraction({ ...clicked, modal: { title: "no id" } } as InteractionView).modal).toBeNull();
  });
});
