// The playground page, laid out as Discord's client: the server rail, the channel list with its threads,
// the channel, and a thread opened beside it. Everything shown comes from the live channel.

import type { JSX } from "preact";
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { PageChannel, PageInteraction, PageModal, PageUser } from "../../src/protocol.ts";
import { ModalDialog } from "./components.tsx";
import { Composer } from "./composer.tsx";
import { PageContext, type PageContextValue } from "./context.ts";
import { useLiveState } from "./live.ts";
import { Avatar, MessageItem, MessageList } from "./message.tsx";
import { channelMessages, type PageState, threadsOf } from "./state.ts";

/** How long a toast stays. */
const TOAST_MS = 6_000;
/** The clock ticks fast while an interaction waits for its answer, slowly otherwise. */
const FAST_TICK_MS = 500;
const SLOW_TICK_MS = 10_000;

interface Toast {
  id: number;
  text: string;
}

export function App(): JSX.Element {
  const state = useLiveState();
  const world = state.world;
  const [channelId, setChannelId] = useState<string | undefined>(undefined);
  const [threadId, setThreadId] = useState<string | undefined>(undefined);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [modal, setModal] = useState<{ interactionId: string; modal: PageModal } | undefined>(undefined);
  const now = useClock(state);
  const shownModals = useRef(new Set<string>());

  const homeId = channelId ?? world?.homeChannelId;
  const home = homeId ? state.channels.get(homeId) : undefined;
  const thread = threadId ? state.channels.get(threadId) : undefined;

  useNewThreadsOpen(state, setThreadId);

  // A modal the bot answered with opens once, as Discord's client opens it.
  useEffect(() => {
    for (const interaction of state.interactions.values()) {
      if (!interaction.modal || shownModals.current.has(interaction.id)) continue;
      shownModals.current.add(interaction.id);
      setModal({ interactionId: interaction.id, modal: interaction.modal });
    }
  }, [state.interactions]);

  const names = useMemo(() => userNames(state), [state.messages, world]);
  const toast = useCallback((text: string) => {
    const id = Date.now() + Math.random();
    setToasts((current) => [...current, { id, text }]);
    setTimeout(() => setToasts((current) => current.filter((t) => t.id !== id)), TOAST_MS);
  }, []);
  const context: PageContextValue = {
    state,
    now,
    userName: (id) => names.get(id),
    openChannel: (id) => {
      const channel = state.channels.get(id);
      if (channel?.isThread) setThreadId(id);
      else if (channel) setChannelId(id);
    },
    toast,
    openModal: (interactionId, opened) => setModal({ interactionId, modal: opened }),
  };

  if (!world || !home) {
    return (
      <div class="loading-screen">
        <div class="loading-logo">🤖</div>
        <div>{state.connected ? "Opening #launch…" : "Connecting to the ompcord playground…"}</div>
      </div>
    );
  }
  const threads = threadsOf(state, home.id);
  return (
    <PageContext.Provider value={context}>
      <div class={thread ? "app with-thread" : "app"}>
        <nav class="guild-rail" aria-label="Servers">
          <div class="guild-icon" title={world.guild.name}>
            op
          </div>
        </nav>
        <aside class="sidebar">
          <header class="guild-header">{world.guild.name}</header>
          <div class="channel-list">
            <div class="category">Text channels</div>
            <button type="button" class="channel-link active" onClick={() => setChannelId(home.id)}>
              <span class="hash">#</span>
              {home.name}
            </button>
            {threads.map((t) => (
              <button
                key={t.id}
                type="button"
                class={[
                  "channel-link",
                  "thread-link",
                  t.id === threadId ? "active" : "",
                  t.archived ? "archived" : "",
                ].join(" ")}
                onClick={() => setThreadId(t.id)}
                title={t.name}
              >
                <span class="thread-branch" aria-hidden="true" />
                <span class="thread-link-name">{t.name}</span>
              </button>
            ))}
          </div>
          <div class="playground-card">
            <strong>Local playground</strong>
            <p>
              A Discord on your machine with the real bot. To use a real Discord server, follow “Create the
              Discord application” in the README.
            </p>
          </div>
          <footer class="user-panel">
            <Avatar user={world.me} size={32} />
            <span class="user-panel-names">
              <span class="user-panel-name">{world.me.name}</span>
              <span class="user-panel-status">{state.connected ? "Online" : "Reconnecting…"}</span>
            </span>
          </footer>
        </aside>
        <main class="channel-pane" aria-label={`#${home.name}`}>
          <header class="channel-header">
            <span class="hash">#</span>
            <span class="channel-title">{home.name}</span>
            {home.topic ? <span class="channel-topic">{home.topic}</span> : null}
            <span class="playground-badge">Local playground</span>
          </header>
          <Banners state={state} />
          <MessageList
            label={`Messages in #${home.name}`}
            messages={channelMessages(state, home.id)}
            header={<ChannelWelcome channel={home} />}
            footer={
              <Unanswered interactions={[...state.interactions.values()]} channelId={home.id} now={now} />
            }
          />
          <Composer channel={home} />
        </main>
        {thread ? <ThreadPane thread={thread} onClose={() => setThreadId(undefined)} /> : null}
        {modal ? (
          <ModalDialog
            interactionId={modal.interactionId}
            modal={modal.modal}
            onClose={() => setModal(undefined)}
          />
        ) : null}
        <div class="toasts" aria-live="polite">
          {toasts.map((t) => (
            <div key={t.id} class="toast" role="status">
              {t.text}
            </div>
          ))}
        </div>
      </div>
    </PageContext.Provider>
  );
}

/** The page's clock: fast while an interaction awaits its answer (for "did not respond"), else slow. */
function useClock(state: PageState): Date {
  const [now, setNow] = useState(() => new Date());
  const waiting = [...state.interactions.values()].some((i) => i.callbackType === null);
  useEffect(() => {
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), waiting ? FAST_TICK_MS : SLOW_TICK_MS);
    return () => clearInterval(timer);
  }, [waiting]);
  return now;
}

/** A thread that appears while the page is open (the person's 🚀 or /omp new) opens beside the channel. */
function useNewThreadsOpen(state: PageState, open: (id: string) => void): void {
  const known = useRef<Set<string> | undefined>(undefined);
  useEffect(() => {
    const threads = [...state.channels.values()].filter((c) => c.isThread);
    if (!state.connected) return;
    if (known.current === undefined) {
      known.current = new Set(threads.map((t) => t.id));
      return;
    }
    const fresh = threads.filter((t) => !known.current!.has(t.id));
    for (const t of fresh) known.current.add(t.id);
    const newest = fresh.at(-1);
    if (newest) open(newest.id);
  }, [state.channels, state.connected]);
}

function userNames(state: PageState): Map<string, string> {
  const names = new Map<string, string>();
  const add = (user: PageUser) => names.set(user.id, user.name);
  if (state.world) {
    add(state.world.me);
    add(state.world.bot);
  }
  for (const message of state.messages.values()) add(message.author);
  return names;
}

function Banners({ state }: { state: PageState }): JSX.Element {
  return (
    <div class="banners">
      {state.connected ? null : (
        <div class="banner warning" role="status">
          Lost the connection to the playground; reconnecting… (is <code>npm start</code> still running?)
        </div>
      )}
      {state.notices.map((notice) => (
        <div key={notice.id} class={`banner ${notice.level}`} role="alert" data-notice={notice.id}>
          {notice.text}
        </div>
      ))}
    </div>
  );
}

function ChannelWelcome({ channel }: { channel: PageChannel }): JSX.Element {
  return (
    <div class="welcome">
      <div class="welcome-icon">#</div>
      <h1>Welcome to #{channel.name}!</h1>
      <p>This is the start of the #{channel.name} channel.</p>
      <ol class="welcome-steps">
        <li>
          Write what the agent should do, send it, then react <strong>🚀</strong> on your message (hover it).
        </li>
        <li>
          Or type <code>/omp new</code> and your prompt.
        </li>
        <li>A thread opens beside the channel with a live dashboard; follow up there with plain messages.</li>
      </ol>
    </div>
  );
}

/** The person's commands still waiting for the bot, and those it never answered (Discord's wording). */
function Unanswered(props: {
  interactions: PageInteraction[];
  channelId: string;
  now: Date;
}): JSX.Element | null {
  const { interactions, channelId, now } = props;
  const mine = interactions.filter(
    (i) => i.channelId === channelId && i.kind === "command" && i.callbackType === null,
  );
  if (mine.length === 0) return null;
  return (
    <>
      {mine.map((interaction) => {
        const late = now.getTime() - Date.parse(interaction.createdAt) > 3_000;
        return (
          <div key={interaction.id} class={late ? "pending-command failed" : "pending-command"} role="status">
            {late ? "❗ The application did not respond" : "Sending command…"}
            {late ? <span class="ephemeral-note"> · Only you can see this</span> : null}
          </div>
        );
      })}
    </>
  );
}

function ThreadPane(props: { thread: PageChannel; onClose(): void }): JSX.Element {
  const { state, now } = useContext(PageContext);
  const { thread } = props;
  const messages = channelMessages(state, thread.id);
  const starter = thread.starterMessageId ? state.messages.get(thread.starterMessageId) : undefined;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props.onClose]);
  return (
    <section class="thread-pane" aria-label={`Thread ${thread.name}`}>
      <header class="thread-header">
        <span class="thread-icon" aria-hidden="true">
          🧵
        </span>
        <span class="thread-title">{thread.name}</span>
        {thread.archived ? <span class="archived-tag">Archived</span> : null}
        <button type="button" class="close-thread" aria-label="Close thread" onClick={props.onClose}>
          ✕
        </button>
      </header>
      <MessageList
        label={`Messages in ${thread.name}`}
        messages={messages}
        header={
          starter ? (
            <div class="thread-starter">
              <MessageItem message={starter} starter />
            </div>
          ) : (
            <div class="thread-start">The thread starts here.</div>
          )
        }
        footer={
          <Unanswered interactions={[...state.interactions.values()]} channelId={thread.id} now={now} />
        }
      />
      <Composer channel={thread} />
    </section>
  );
}
