// A channel's messages as Discord shows them: grouped by author, slash-command replies under "X used
// /omp new", embeds with their colour bar, fields, code blocks and footer, attachments to download,
// reactions, the thread started from a message, "Only you can see this" on ephemeral replies, and the
// hover bar that reacts 🚀.

import type { APIEmbed } from "discord-api-types/v10";
import type { JSX } from "preact";
import { useContext, useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { PageMessage, PageUser } from "../../src/protocol.ts";
import { api } from "./api.ts";
import { hexColor, MessageComponents } from "./components.tsx";
import { PageContext } from "./context.ts";
import { Markdown } from "./markdown.tsx";
import { plainPreview } from "./preview.ts";
import { formatTimestamp, messageTime } from "./time.ts";

/** Consecutive messages by one author within this long share one header, as in Discord. */
const GROUP_WINDOW_MS = 7 * 60_000;
/** Discord's message types the page draws as system lines. */
const PINNED_MESSAGE = 6;
const THREAD_CREATED = 18;
/** The reactions offered on hover: the launch emoji first. */
export const QUICK_REACTIONS = ["🚀", "👍", "👀"];

/** A colour per user, stable across renders (Discord's default avatars come in a few colours). */
const AVATAR_COLOURS = ["#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#747f8d"];

function avatarColour(user: PageUser): string {
  if (user.bot) return "#5865f2";
  let hash = 0;
  for (const char of user.id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return AVATAR_COLOURS[hash % AVATAR_COLOURS.length]!;
}

export function Avatar(props: { user: PageUser; size?: number }): JSX.Element {
  const size = props.size ?? 40;
  return (
    <span
      class="avatar"
      style={{
        background: avatarColour(props.user),
        width: `${size}px`,
        height: `${size}px`,
        fontSize: `${size * 0.45}px`,
      }}
      aria-hidden="true"
    >
      {props.user.bot ? "🤖" : props.user.name.slice(0, 1).toUpperCase()}
    </span>
  );
}

export function MessageList(props: {
  messages: PageMessage[];
  /** Shown above the first message (the channel's welcome, or the thread's starter). */
  header?: JSX.Element;
  /** The person's unanswered interactions in this channel ("did not respond"). */
  footer?: JSX.Element | null;
  label: string;
}): JSX.Element {
  const scroller = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  // Follow new messages while the person is at the bottom, as Discord does; stay put when scrolled up.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stuck.current) el.scrollTop = el.scrollHeight;
  });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);
  return (
    <div class="messages" ref={scroller} role="log" aria-label={props.label}>
      {props.header}
      {props.messages.map((message, index) => (
        <MessageItem
          key={message.id}
          message={message}
          grouped={groupedWithPrevious(props.messages[index - 1], message)}
        />
      ))}
      {props.footer}
    </div>
  );
}

function groupedWithPrevious(previous: PageMessage | undefined, message: PageMessage): boolean {
  if (
    !previous ||
    message.interaction ||
    previous.type === PINNED_MESSAGE ||
    message.type === PINNED_MESSAGE
  ) {
    return false;
  }
  return (
    previous.author.id === message.author.id &&
    Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_WINDOW_MS
  );
}

export function MessageItem(props: {
  message: PageMessage;
  grouped?: boolean;
  starter?: boolean;
}): JSX.Element {
  const { message } = props;
  const { now, state } = useContext(PageContext);
  if (message.type === PINNED_MESSAGE) return <PinnedNotice message={message} />;
  if (message.type === THREAD_CREATED) {
    return (
      <div class="system-message" data-message-id={message.id}>
        <span class="system-icon">🧵</span>
        <span>
          <strong>{message.author.name}</strong> started a thread: <strong>{message.content}</strong>
        </span>
      </div>
    );
  }
  const created = new Date(message.createdAt);
  const classes = ["message"];
  if (props.grouped) classes.push("grouped");
  if (message.ephemeral) classes.push("ephemeral");
  const mine = message.author.id === state.world?.me.id;
  // The thread started from this message (Discord announces the thread, not a change of the message).
  const threadId =
    message.threadId ?? [...state.channels.values()].find((c) => c.starterMessageId === message.id)?.id;
  return (
    <article
      class={classes.join(" ")}
      data-message-id={message.id}
      aria-label={`Message from ${message.author.name}`}
    >
      {message.interaction ? (
        <div class="reply-context">
          <span class="reply-spine" aria-hidden="true" />
          <span class="reply-user">{message.interaction.userName}</span>
          {message.interaction.kind === "command" ? (
            <>
              {" used "}
              <span class="reply-command">{message.interaction.name}</span>
            </>
          ) : null}
        </div>
      ) : null}
      <div class="message-body">
        {props.grouped ? (
          <span class="gutter-time" title={formatTimestamp(created, "F", now)}>
            {formatTimestamp(created, "t", now)}
          </span>
        ) : (
          <Avatar user={message.author} />
        )}
        <div class="message-main">
          {props.grouped ? null : (
            <div class="message-header">
              <span class="author" style={message.author.bot ? { color: "#ffffff" } : undefined}>
                {message.author.name}
              </span>
              {message.author.bot ? <span class="bot-tag">APP</span> : null}
              <time class="timestamp" dateTime={message.createdAt} title={formatTimestamp(created, "F", now)}>
                {messageTime(created, now)}
              </time>
              {message.pinned ? (
                <span class="pin-mark" title="Pinned">
                  📌
                </span>
              ) : null}
            </div>
          )}
          {message.loading ? (
            <div class="thinking">
              {message.author.name} is thinking
              <span class="dots" aria-hidden="true" />
            </div>
          ) : null}
          {message.content ? (
            <div class="content">
              <Markdown text={message.content} extended={message.author.bot} />
              {message.editedAt ? (
                <span class="edited" title={formatTimestamp(new Date(message.editedAt), "F", now)}>
                  {" "}
                  (edited)
                </span>
              ) : null}
            </div>
          ) : null}
          {message.embeds.map((embed, index) => (
            <Embed key={index} embed={embed} />
          ))}
          <Attachments message={message} />
          <MessageComponents message={message} />
          <Reactions message={message} />
          {threadId && !props.starter ? <ThreadPreview threadId={threadId} /> : null}
          {message.ephemeral ? (
            <div class="ephemeral-note">
              <span aria-hidden="true">👁</span> Only you can see this
            </div>
          ) : null}
        </div>
        {message.ephemeral || message.loading ? null : <HoverBar message={message} mine={mine} />}
      </div>
    </article>
  );
}

function PinnedNotice({ message }: { message: PageMessage }): JSX.Element {
  const { now } = useContext(PageContext);
  return (
    <div class="system-message" data-message-id={message.id}>
      <span class="system-icon">📌</span>
      <span>
        <strong>{message.author.name}</strong> pinned a message to this channel.
      </span>
      <time class="timestamp">{messageTime(new Date(message.createdAt), now)}</time>
    </div>
  );
}

function HoverBar(props: { message: PageMessage; mine: boolean }): JSX.Element {
  const { toast } = useContext(PageContext);
  const react = (emoji: string) => {
    const existing = props.message.reactions.find((r) => r.emoji === emoji);
    api
      .react({ channelId: props.message.channelId, messageId: props.message.id, emoji, add: !existing?.me })
      .then((result) => (result.ok ? undefined : toast(result.error)));
  };
  return (
    <div class="hover-bar" role="toolbar" aria-label="Message actions">
      {QUICK_REACTIONS.map((emoji) => (
        <button
          key={emoji}
          type="button"
          class="hover-button"
          title={
            emoji === "🚀" && props.mine
              ? "Launch: react 🚀 to run this message as a prompt"
              : `React with ${emoji}`
          }
          aria-label={`React with ${emoji}`}
          onClick={() => react(emoji)}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}

function Reactions({ message }: { message: PageMessage }): JSX.Element | null {
  const { toast } = useContext(PageContext);
  if (message.reactions.length === 0) return null;
  return (
    <div class="reactions">
      {message.reactions.map((reaction) => (
        <button
          key={reaction.emoji}
          type="button"
          class={reaction.me ? "reaction me" : "reaction"}
          aria-pressed={reaction.me}
          aria-label={`${reaction.emoji} ${reaction.count}`}
          onClick={() =>
            api
              .react({
                channelId: message.channelId,
                messageId: message.id,
                emoji: reaction.emoji,
                add: !reaction.me,
              })
              .then((result) => (result.ok ? undefined : toast(result.error)))
          }
        >
          <span class="reaction-emoji">{reaction.emoji}</span>
          <span class="reaction-count">{reaction.count}</span>
        </button>
      ))}
    </div>
  );
}

function ThreadPreview({ threadId }: { threadId: string }): JSX.Element | null {
  const { state, openChannel, now, userName } = useContext(PageContext);
  const thread = state.channels.get(threadId);
  if (!thread) return null;
  const messages = [...state.messages.values()].filter(
    (m) => m.channelId === threadId && m.type !== PINNED_MESSAGE,
  );
  const last = messages.sort((a, b) => (a.id < b.id ? -1 : 1)).at(-1);
  return (
    <button
      type="button"
      class="thread-preview"
      onClick={() => openChannel(threadId)}
      aria-label={`Open thread ${thread.name}`}
    >
      <span class="thread-name">{thread.name}</span>
      <span class="thread-count">
        {messages.length} {messages.length === 1 ? "Message" : "Messages"} ›
      </span>
      {last ? (
        <span class="thread-last">
          <Avatar user={last.author} size={16} />
          <span class="thread-last-author">{last.author.name}</span>
          <span class="thread-last-text">
            {plainPreview(last.content || last.embeds[0]?.title || "", {
              userName,
              channelName: (id) => state.channels.get(id)?.name,
              timestamp: (seconds, style) => formatTimestamp(new Date(seconds * 1000), style, now),
            })}
          </span>
          <span class="thread-last-time">{messageTime(new Date(last.createdAt), now)}</span>
        </span>
      ) : null}
    </button>
  );
}

function Attachments({ message }: { message: PageMessage }): JSX.Element | null {
  if (message.attachments.length === 0) return null;
  return (
    <div class="attachments">
      {message.attachments.map((file) => (
        <div class="attachment" key={file.id}>
          <span class="file-icon" aria-hidden="true">
            📄
          </span>
          <span class="file-text">
            <a class="file-name" href={file.url} download={file.filename}>
              {file.filename}
            </a>
            <span class="file-size">{fileSize(file.size)}</span>
          </span>
          <a
            class="file-download"
            href={file.url}
            download={file.filename}
            aria-label={`Download ${file.filename}`}
          >
            ⤓
          </a>
        </div>
      ))}
    </div>
  );
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(2)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

export function Embed({ embed }: { embed: APIEmbed }): JSX.Element {
  const { now } = useContext(PageContext);
  const colour = embed.color !== undefined ? hexColor(embed.color) : "#1e1f22";
  const fields = embed.fields ?? [];
  return (
    <div class="embed" style={{ borderLeftColor: colour }} data-embed-color={colour}>
      {embed.author?.name ? <div class="embed-author">{embed.author.name}</div> : null}
      {embed.title ? (
        <div class="embed-title">
          {embed.url && /^https?:\/\//i.test(embed.url) ? (
            <a href={embed.url} target="_blank" rel="noreferrer noopener">
              <Markdown text={embed.title} />
            </a>
          ) : (
            <Markdown text={embed.title} />
          )}
        </div>
      ) : null}
      {embed.description ? (
        <div class="embed-description">
          <Markdown text={embed.description} extended />
        </div>
      ) : null}
      {fields.length > 0 ? (
        <div class="embed-fields">
          {fields.map((field, index) => (
            <div key={index} class={field.inline ? "embed-field inline" : "embed-field"}>
              <div class="embed-field-name">
                <Markdown text={field.name} />
              </div>
              <div class="embed-field-value">
                <Markdown text={field.value} extended />
              </div>
            </div>
          ))}
        </div>
      ) : null}
      {embed.image?.url ? <div class="embed-image-note">🖼 {embed.image.url}</div> : null}
      {embed.footer?.text || embed.timestamp ? (
        <div class="embed-footer">
          {embed.footer?.text ? <span>{embed.footer.text}</span> : null}
          {embed.footer?.text && embed.timestamp ? <span class="dot">•</span> : null}
          {embed.timestamp ? <span>{messageTime(new Date(embed.timestamp), now)}</span> : null}
        </div>
      ) : null}
    </div>
  );
}
