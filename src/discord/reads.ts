// Discord reads and posts for agents and MCP clients (issue 14), Discord side: which channels a named
// token may read (the launch channels and the session threads), recent messages with who may be trusted,
// redacted, and posts into session threads naming the token. The sidecar's `DiscordReadPort` is this.

import type { Message } from "discord.js";
import { writeInWindow } from "../dashboard/live/index.js";
import { DISCORD_LIMITS, truncateEnd } from "../format/index.js";
import {
  type DiscordReadPort,
  MESSAGE_TRUST,
  type MessageTrust,
  type NamedPrincipal,
  type ReadableChannel,
  type TaskRefusal,
  type ThreadMessagePayload,
} from "../sidecar/index.js";
import type { SessionRow } from "../store/index.js";
import type { BotContext } from "./context.js";

const refusal = (status: TaskRefusal["status"], code: string, message: string): TaskRefusal => ({
  ok: false,
  status,
  code,
  message,
});

const NOT_ALLOWED = refusal(
  403,
  "user_not_allowed",
  "The token's Discord user is not on this bot's list of allowed users (DISCORD_ALLOWED_USERS).",
);

const NOT_READABLE = refusal(
  403,
  "not_readable",
  "A named token reads the bot's launch channels and session threads only. List them with GET /api/discord/channels (the MCP tool `list_channels`).",
);

export function createDiscordReads(
  ctx: BotContext,
  options: { activeSessions: () => SessionRow[] },
): DiscordReadPort {
  const allowed = (requester: NamedPrincipal) => ctx.policy.allowedUserIds.includes(requester.discordUserId);
  const trustOf = (message: Message): MessageTrust => {
    if (message.author.id === ctx.client.user?.id) return MESSAGE_TRUST.thisBot;
    if (!message.author.bot && ctx.policy.allowedUserIds.includes(message.author.id)) {
      return MESSAGE_TRUST.allowedUser;
    }
    return MESSAGE_TRUST.untrusted;
  };
  const payload = (message: Message): ThreadMessagePayload | undefined => {
    const parts = [message.content];
    for (const embed of message.embeds) if (embed.title) parts.push(`[embed: ${embed.title}]`);
    for (const file of message.attachments.values()) parts.push(`[attachment: ${file.name}]`);
    const content = parts.filter(Boolean).join("\n");
    // The dashboard and other bot messages without text say nothing an agent can use.
    if (content === "") return undefined;
    return {
      id: message.id,
      author_id: message.author.id,
      author_name: message.member?.displayName ?? message.author.displayName ?? message.author.username,
      trust: trustOf(message),
      content: ctx.redact(content),
      created_at: message.createdAt.toISOString(),
    };
  };
  const read = async (channelId: string, limit: number): Promise<ThreadMessagePayload[] | TaskRefusal> => {
    const channel = await ctx.client.channels.fetch(channelId).catch(() => null);
    if (!channel || !("messages" in channel) || !channel.isTextBased()) {
      return refusal(
        404,
        "unknown_channel",
        "The bot cannot see that channel any more (deleted, or no access).",
      );
    }
    const fetched = await channel.messages.fetch({ limit });
    return [...fetched.values()]
      .sort((a, b) => a.createdTimestamp - b.createdTimestamp)
      .flatMap((message) => payload(message) ?? []);
  };
  const sessionOfThread = (channelId: string) => {
    const session = ctx.sessions.byThread(channelId);
    return session && session.guildId === ctx.config.discord.guildId ? session : undefined;
  };

  return {
    async channels(requester) {
      if (!allowed(requester)) return NOT_ALLOWED;
      const launch = await Promise.all(
        ctx.policy.launchChannelIds.map(async (id): Promise<ReadableChannel> => {
          const channel = await ctx.client.channels.fetch(id).catch(() => null);
          const name = channel && "name" in channel && channel.name ? channel.name : id;
          return { id, name, kind: "launch_channel" };
        }),
      );
      const threads = options.activeSessions().map(
        (session): ReadableChannel => ({
          id: session.threadId,
          name: session.name,
          kind: "session_thread",
          sessionId: session.id,
          parentId: session.parentChannelId,
        }),
      );
      return [...launch, ...threads];
    },

    async messages(channelId, limit, requester) {
      if (!allowed(requester)) return NOT_ALLOWED;
      if (!ctx.policy.launchChannelIds.includes(channelId) && !sessionOfThread(channelId))
        return NOT_READABLE;
      return read(channelId, limit);
    },

    async sessionMessages(sessionId, limit) {
      const session = ctx.sessions.byId(sessionId);
      if (!session) return refusal(404, "unknown_session", "No ompcord session has that id.");
      return read(session.threadId, limit);
    },

    async post(channelId, text, requester) {
      if (!allowed(requester)) return NOT_ALLOWED;
      const session = sessionOfThread(channelId);
      if (!session) {
        return refusal(
          403,
          "not_a_session",
          "A named token posts into session threads only. List them with GET /api/discord/channels (the MCP tool `list_channels`).",
        );
      }
      if (session.stoppedAt) {
        return refusal(409, "session_stopped", "That session was stopped; its thread takes no more posts.");
      }
      const channel = await ctx.client.channels.fetch(channelId).catch(() => null);
      if (!channel?.isSendable()) {
        return refusal(
          404,
          "unknown_channel",
          "The bot cannot post in that thread any more (deleted, or no access).",
        );
      }
      // The text arrives redacted and mention-safe; the prefix says who posted, and nothing pings.
      const content = truncateEnd(
        `🔑 \`${requester.name}\` (<@${requester.discordUserId}>): ${text}`,
        DISCORD_LIMITS.messageContent,
      );
      const sent = await writeInWindow(
        ctx.writes.for(channelId),
        (): Promise<{ id: string }> => channel.send({ content, allowedMentions: { parse: [] } }),
      );
      ctx.logger.info(
        { channelId, token: requester.name, user: requester.discordUserId },
        "posted for a named token",
      );
      return { id: sent.id };
    },
  };
}
