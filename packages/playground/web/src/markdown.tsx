// Discord's markdown as Discord's client renders it: bold, italics, code, code blocks, quotes, headings,
// spoilers, links, mentions and `<t:…:R>` timestamps. Parsed by discord-markdown-parser (the AST of
// Discord's own simple-markdown rules) and rendered as Preact nodes: agent output is text, never HTML.

import { parse } from "discord-markdown-parser";
import type { ComponentChildren, JSX } from "preact";
import { useContext, useState } from "preact/hooks";
import { PageContext } from "./context.ts";
import { formatTimestamp } from "./time.ts";

interface AstNode {
  type: string;
  content?: string | AstNode[];
  [key: string]: unknown;
}

/** Only these schemes become links; anything else (javascript:, data:) stays text. */
const SAFE_LINK = /^https?:\/\//i;

export function Markdown(props: { text: string; extended?: boolean }): JSX.Element {
  const nodes = parse(props.text, props.extended ? "extended" : "normal") as AstNode[];
  return <>{renderNodes(nodes, true)}</>;
}

function renderNodes(nodes: AstNode[], topLevel = false): ComponentChildren[] {
  let lineStart = true;
  return nodes.map((node, index) => {
    const atLineStart = topLevel && lineStart;
    lineStart =
      node.type === "br" || node.type === "newline" || node.type === "codeBlock" || node.type === "heading";
    return <Node key={index} node={node} atLineStart={atLineStart} />;
  });
}

function children(node: AstNode): ComponentChildren {
  return Array.isArray(node.content) ? renderNodes(node.content) : (node.content ?? "");
}

function Node({ node, atLineStart }: { node: AstNode; atLineStart: boolean }): JSX.Element {
  switch (node.type) {
    case "text": {
      const text = String(node.content ?? "");
      // Discord renders "- item" at the start of a line as a bullet; the parser leaves it as text.
      const bullet = atLineStart ? /^(\s*)[-*] (.*)$/s.exec(text) : null;
      if (bullet) {
        return (
          <span class="md-li" style={{ marginLeft: `${(bullet[1]!.length / 2) * 16 + 4}px` }}>
            {"• "}
            {bullet[2]}
          </span>
        );
      }
      return <>{text}</>;
    }
    case "br":
    case "newline":
      return <br />;
    case "strong":
      return <strong>{children(node)}</strong>;
    case "em":
      return <em>{children(node)}</em>;
    case "underline":
      return <u>{children(node)}</u>;
    case "strikethrough":
      return <s>{children(node)}</s>;
    case "inlineCode":
      return <code class="md-code">{String(node.content ?? "")}</code>;
    case "codeBlock":
      return (
        <pre class="md-pre">
          <code data-lang={typeof node.lang === "string" ? node.lang : undefined}>
            {String(node.content ?? "")}
          </code>
        </pre>
      );
    case "blockQuote":
      return <div class="md-quote">{children(node)}</div>;
    case "spoiler":
      return <Spoiler>{children(node)}</Spoiler>;
    case "heading": {
      const level = Number(node.level) || 1;
      const Tag = (level === 1 ? "h1" : level === 2 ? "h2" : "h3") as "h1";
      return <Tag class="md-h">{children(node)}</Tag>;
    }
    case "subtext":
      return <small class="md-subtext">{children(node)}</small>;
    case "url":
    case "autolink":
    case "link": {
      const target = String(node.target ?? "");
      if (!SAFE_LINK.test(target)) return <>{children(node)}</>;
      return (
        <a class="md-link" href={target} target="_blank" rel="noreferrer noopener">
          {children(node)}
        </a>
      );
    }
    case "user":
      return <UserMention id={String(node.id)} />;
    case "channel":
      return <ChannelMention id={String(node.id)} />;
    case "role":
      return <span class="mention">@role</span>;
    case "everyone":
      return <span class="mention">@everyone</span>;
    case "here":
      return <span class="mention">@here</span>;
    case "slashCommand":
      return <span class="mention">/{String(node.fullName ?? node.name ?? "")}</span>;
    case "emoji":
      return <span class="md-emoji">:{String(node.name ?? "")}:</span>;
    case "twemoji":
      return <>{String(node.name ?? "")}</>;
    case "timestamp":
      return <Timestamp seconds={Number(node.timestamp)} style={String(node.format ?? "f")} />;
    default:
      return <>{children(node)}</>;
  }
}

function Spoiler(props: { children: ComponentChildren }): JSX.Element {
  const [shown, setShown] = useState(false);
  return (
    <button type="button" class={shown ? "md-spoiler shown" : "md-spoiler"} onClick={() => setShown(true)}>
      {props.children}
    </button>
  );
}

function UserMention({ id }: { id: string }): JSX.Element {
  const { userName } = useContext(PageContext);
  return <span class="mention">@{userName(id) ?? "unknown-user"}</span>;
}

function ChannelMention({ id }: { id: string }): JSX.Element {
  const { state, openChannel } = useContext(PageContext);
  const channel = state.channels.get(id);
  if (!channel) return <span class="mention">#unknown</span>;
  return (
    <button type="button" class="mention mention-channel" onClick={() => openChannel(id)}>
      {channel.isThread ? "🧵 " : "#"}
      {channel.name}
    </button>
  );
}

/** `<t:SECONDS:STYLE>`: in the reader's time zone, relative ones kept current by the page's clock. */
export function Timestamp(props: { seconds: number; style: string }): JSX.Element {
  const { now } = useContext(PageContext);
  if (!Number.isFinite(props.seconds)) return <>{`<t:${props.seconds}:${props.style}>`}</>;
  const date = new Date(props.seconds * 1000);
  return (
    <time class="md-time" dateTime={date.toISOString()} title={formatTimestamp(date, "F", now)}>
      {formatTimestamp(date, props.style, now)}
    </time>
  );
}
