// The message box at the bottom of a channel or thread: Enter sends, Shift+Enter breaks the line, and
// text starting with "/" offers the bot's registered commands, then their options, as Discord does.

import type { APIApplicationCommand } from "discord-api-types/v10";
import type { JSX } from "preact";
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { MESSAGE_MAX_CHARS } from "../../src/limits.ts";
import type { PageChannel } from "../../src/protocol.ts";
import { api } from "./api.ts";
import { PageContext } from "./context.ts";
import { Avatar } from "./message.tsx";
import {
  buildSlashCommand,
  readSlash,
  type SlashEntry,
  type SlashOption,
  slashEntries,
  textForEntry,
  textWithChoice,
  textWithOption,
} from "./slash.ts";

/** Registered commands change only when the bot registers again: re-read at most this often. */
const COMMANDS_TTL_MS = 5_000;

interface Commands {
  entries: SlashEntry[];
  /** The registered commands, read again when older than the TTL; a command sent waits for them. */
  load(): Promise<SlashEntry[]>;
}

function useCommands(guildId: string | undefined, wanted: boolean): Commands {
  const [commands, setCommands] = useState<APIApplicationCommand[]>([]);
  const known = useRef<APIApplicationCommand[]>([]);
  const loading = useRef<{ at: number; promise: Promise<APIApplicationCommand[]> } | undefined>(undefined);
  const load = useCallback((): Promise<SlashEntry[]> => {
    if (!guildId) return Promise.resolve(slashEntries(known.current));
    const current = loading.current;
    if (current && Date.now() - current.at < COMMANDS_TTL_MS) return current.promise.then(slashEntries);
    const promise = api.commands(guildId).then(
      (list) => {
        known.current = list;
        setCommands(list);
        return list;
      },
      // A failed read keeps what the page knew: the person's command is judged against that.
      () => known.current,
    );
    loading.current = { at: Date.now(), promise };
    return promise.then(slashEntries);
  }, [guildId]);
  useEffect(() => {
    if (wanted) void load();
  }, [wanted, load]);
  const entries = useMemo(() => slashEntries(commands), [commands]);
  return { entries, load };
}

type Suggestion =
  | { kind: "entry"; entry: SlashEntry }
  | { kind: "option"; option: SlashOption }
  | { kind: "choice"; choice: { name: string; value: string | number } };

export function Composer(props: { channel: PageChannel }): JSX.Element {
  const { state, toast } = useContext(PageContext);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [highlight, setHighlight] = useState(0);
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const world = state.world;
  const slashing = text.startsWith("/");
  const commands = useCommands(world?.guild.id, slashing);
  const entries = commands.entries;
  const reading = useMemo(() => readSlash(text, entries), [text, entries]);

  const suggestions: Suggestion[] =
    reading.stage === "command"
      ? reading.matches.map((entry) => ({ kind: "entry", entry }))
      : reading.stage === "options"
        ? reading.choices.length > 0 &&
          !reading.choices.some((c) => c.name === reading.given[reading.current?.name ?? ""])
          ? reading.choices.map((choice) => ({ kind: "choice", choice }))
          : reading.suggestions.map((option) => ({ kind: "option", option }))
        : [];
  useEffect(() => setHighlight(0), [suggestions.length, reading.stage]);

  const choose = (suggestion: Suggestion) => {
    const next =
      suggestion.kind === "entry"
        ? textForEntry(suggestion.entry)
        : suggestion.kind === "option"
          ? textWithOption(text, suggestion.option)
          : textWithChoice(text, suggestion.choice);
    setText(next);
    setError(undefined);
    box.current?.focus();
  };

  const send = async () => {
    if (sending || text.trim() === "") return;
    if (slashing) {
      // Enter may come before the first read of the commands has answered (typed fast, or pasted):
      // the command is judged once the page knows them, as Discord's client waits for its list.
      setSending(true);
      const built = buildSlashCommand(text, await commands.load());
      if (!built.ok) {
        setSending(false);
        setError(built.error);
        return;
      }
      const result = await api.runCommand({ channelId: props.channel.id, ...built.action });
      setSending(false);
      if (!result.ok) {
        setError(result.error);
        return;
      }
    } else {
      if (text.length > MESSAGE_MAX_CHARS) {
        setError(`Messages hold at most ${MESSAGE_MAX_CHARS} characters (this one has ${text.length}).`);
        return;
      }
      setSending(true);
      const result = await api.postMessage({ channelId: props.channel.id, content: text });
      setSending(false);
      if (!result.ok) {
        toast(result.error);
        return;
      }
    }
    setText("");
    setError(undefined);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const open = suggestions.length > 0;
    if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setHighlight((highlight + step + suggestions.length) % suggestions.length);
      return;
    }
    // Choosing the command itself takes Enter too (as in Discord); options and choices take Tab, so
    // Enter always sends a command whose options are filled in.
    const picks = open && (event.key === "Tab" || (event.key === "Enter" && reading.stage === "command"));
    if (picks) {
      event.preventDefault();
      choose(suggestions[Math.min(highlight, suggestions.length - 1)]!);
      return;
    }
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
    if (event.key === "Escape") setError(undefined);
  };

  const placeholder = props.channel.isThread
    ? `Message ${props.channel.name}`
    : `Message #${props.channel.name}`;
  return (
    <div class="composer">
      {slashing ? (
        <SlashPopup
          reading={reading}
          suggestions={suggestions}
          highlight={highlight}
          botName={world?.bot.name ?? "bot"}
          onChoose={choose}
        />
      ) : null}
      {error ? (
        <div class="composer-error" role="alert">
          {error}
        </div>
      ) : null}
      <div class="composer-box">
        <textarea
          ref={box}
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label={placeholder}
          disabled={!state.connected}
          onInput={(event) => {
            setText((event.currentTarget as HTMLTextAreaElement).value);
            setError(undefined);
          }}
          onKeyDown={onKeyDown}
        />
      </div>
    </div>
  );
}

function SlashPopup(props: {
  reading: ReturnType<typeof readSlash>;
  suggestions: Suggestion[];
  highlight: number;
  botName: string;
  onChoose(suggestion: Suggestion): void;
}): JSX.Element | null {
  const { reading, suggestions } = props;
  const { state } = useContext(PageContext);
  const bot = state.world?.bot;
  if (reading.stage === "none") return null;
  const current = reading.stage === "options" ? reading.current : undefined;
  return (
    <div class="slash-popup" role="listbox" aria-label="Commands">
      <div class="slash-header">
        {reading.stage === "command" ? "Commands matching" : `/${reading.entry.path.join(" ")}`}
        {reading.stage === "command" ? <strong> /{reading.query}</strong> : null}
        {reading.stage === "options" ? (
          <span class="slash-description"> — {reading.entry.description}</span>
        ) : null}
      </div>
      {reading.stage === "command" && suggestions.length === 0 ? (
        <div class="slash-empty">No commands match. The bot registers /omp when it starts.</div>
      ) : null}
      {current && suggestions.every((s) => s.kind !== "choice") ? (
        <div class="slash-current">
          <span class="option-chip active">{current.name}</span> {current.description}
          {current.required ? <span class="required-note"> (required)</span> : null}
        </div>
      ) : null}
      {suggestions.map((suggestion, index) => (
        <div
          key={index}
          class={index === props.highlight ? "slash-item highlighted" : "slash-item"}
          role="option"
          tabIndex={-1}
          aria-selected={index === props.highlight}
          onMouseDown={(event) => {
            event.preventDefault();
            props.onChoose(suggestion);
          }}
        >
          {suggestion.kind === "entry" ? (
            <>
              {bot ? <Avatar user={bot} size={24} /> : null}
              <span class="slash-name">/{suggestion.entry.path.join(" ")}</span>
              {suggestion.entry.options.map((o) => (
                <span key={o.name} class={o.required ? "option-chip required" : "option-chip"}>
                  {o.name}
                </span>
              ))}
              <span class="slash-description">{suggestion.entry.description}</span>
              <span class="slash-app">{props.botName}</span>
            </>
          ) : suggestion.kind === "option" ? (
            <>
              <span class="option-chip">{suggestion.option.name}</span>
              <span class="slash-description">
                {suggestion.option.description}
                {suggestion.option.required ? " (required)" : ""}
              </span>
            </>
          ) : (
            <span class="slash-name">{suggestion.choice.name}</span>
          )}
        </div>
      ))}
      {reading.stage === "options" && suggestions.length > 0 ? (
        <div class="slash-hint">Tab picks · Enter sends</div>
      ) : reading.stage === "command" && suggestions.length > 0 ? (
        <div class="slash-hint">Enter or Tab picks · ↑↓ move</div>
      ) : null}
    </div>
  );
}
