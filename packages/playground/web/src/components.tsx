// Message components as Discord draws them, from the JSON the bot sent, whatever it sends: action rows
// of buttons (every style) and select menus (string, user, role, mentionable, channel), the layout
// components, and modals with text inputs. Using one goes to the page server as the person's interaction.

import type { ComponentChildren, JSX } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { PageMessage, PageModal } from "../../src/protocol.ts";
import { api } from "./api.ts";
import { PageContext } from "./context.ts";
import { Markdown } from "./markdown.tsx";

/** Discord's component types. */
const T = {
  actionRow: 1,
  button: 2,
  stringSelect: 3,
  textInput: 4,
  userSelect: 5,
  roleSelect: 6,
  mentionableSelect: 7,
  channelSelect: 8,
  section: 9,
  textDisplay: 10,
  thumbnail: 11,
  separator: 14,
  container: 17,
  label: 18,
} as const;
/** Discord's button styles, as class names. */
const BUTTON_STYLES: Record<number, string> = {
  1: "primary",
  2: "secondary",
  3: "success",
  4: "danger",
  5: "link",
  6: "premium",
};

interface AnyComponent {
  type: number;
  custom_id?: string;
  components?: AnyComponent[];
  component?: AnyComponent;
  [key: string]: unknown;
}

interface Emoji {
  name?: string | null;
  id?: string | null;
}

function emojiText(emoji: unknown): string {
  const e = emoji as Emoji | undefined;
  if (!e) return "";
  return e.id ? `:${e.name ?? "emoji"}:` : (e.name ?? "");
}

/** Every component of a message, top level first. */
export function MessageComponents(props: { message: PageMessage }): JSX.Element | null {
  const components = props.message.components as unknown as AnyComponent[];
  if (components.length === 0) return null;
  return (
    <div class="components">
      {components.map((component, index) => (
        <Component key={index} component={component} message={props.message} />
      ))}
    </div>
  );
}

function Component(props: { component: AnyComponent; message: PageMessage }): JSX.Element {
  const { component, message } = props;
  switch (component.type) {
    case T.actionRow:
      return (
        <div class="action-row">
          {(component.components ?? []).map((child, index) => (
            <Component key={index} component={child} message={message} />
          ))}
        </div>
      );
    case T.button:
      return <MessageButton button={component} message={message} />;
    case T.stringSelect:
    case T.userSelect:
    case T.roleSelect:
    case T.mentionableSelect:
    case T.channelSelect:
      return <SelectMenu select={component} message={message} />;
    case T.textDisplay:
      return (
        <div class="text-display">
          <Markdown text={String(component.content ?? "")} extended />
        </div>
      );
    case T.section:
      return (
        <div class="section">
          <div class="section-body">
            {(component.components ?? []).map((child, index) => (
              <Component key={index} component={child} message={message} />
            ))}
          </div>
          {component.accessory ? (
            <Component component={component.accessory as AnyComponent} message={message} />
          ) : null}
        </div>
      );
    case T.separator:
      return <hr class={component.divider === false ? "separator invisible" : "separator"} />;
    case T.container: {
      const accent =
        typeof component.accent_color === "number" ? hexColor(component.accent_color) : undefined;
      return (
        <div class="container" style={accent ? { borderLeftColor: accent } : undefined}>
          {(component.components ?? []).map((child, index) => (
            <Component key={index} component={child} message={message} />
          ))}
        </div>
      );
    }
    default:
      return (
        <div class="component-unknown">
          [a component of type {component.type} the playground does not draw]
        </div>
      );
  }
}

export function hexColor(color: number): string {
  return `#${color.toString(16).padStart(6, "0")}`;
}

/** The person's click or choice on a message: spinner until the bot acknowledges it, as Discord shows. */
function useInteraction(): [
  boolean,
  (start: () => ReturnType<typeof api.useComponent>) => void,
  string | undefined,
] {
  const { state, toast, now } = useContext(PageContext);
  const [interactionId, setInteractionId] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const interaction = interactionId ? state.interactions.get(interactionId) : undefined;
  const deadline = state.world?.interactionDeadlineMs ?? 3_000;
  const failed =
    interaction !== undefined &&
    interaction.callbackType === null &&
    now.getTime() - Date.parse(interaction.createdAt) > deadline;
  const pending = busy || (interaction !== undefined && interaction.callbackType === null && !failed);
  const start = (begin: () => ReturnType<typeof api.useComponent>) => {
    setBusy(true);
    begin().then((result) => {
      setBusy(false);
      if (result.ok) setInteractionId(result.interactionId);
      else toast(result.error);
    });
  };
  return [pending, start, failed ? "This interaction failed" : undefined];
}

function MessageButton(props: { button: AnyComponent; message: PageMessage }): JSX.Element {
  const { button, message } = props;
  const [pending, start, failure] = useInteraction();
  const style = BUTTON_STYLES[Number(button.style)] ?? "secondary";
  const label = String(button.label ?? "");
  const emoji = emojiText(button.emoji);
  const content = (
    <>
      {pending ? (
        <span class="spinner" aria-hidden="true" />
      ) : emoji ? (
        <span class="button-emoji">{emoji}</span>
      ) : null}
      {label ? <span>{label}</span> : null}
      {style === "link" ? (
        <span class="external" aria-hidden="true">
          ↗
        </span>
      ) : null}
    </>
  );
  if (style === "link" && typeof button.url === "string" && /^https?:\/\//i.test(button.url)) {
    return (
      <a class="button link" href={button.url} target="_blank" rel="noreferrer noopener">
        {content}
      </a>
    );
  }
  return (
    <span class="button-wrap">
      <button
        type="button"
        class={`button ${style}`}
        disabled={button.disabled === true || pending || style === "premium"}
        aria-busy={pending}
        onClick={() =>
          start(() =>
            api.useComponent({
              messageId: message.id,
              customId: String(button.custom_id ?? ""),
              componentType: T.button,
            }),
          )
        }
      >
        {content}
      </button>
      {failure ? <span class="interaction-failed">{failure}</span> : null}
    </span>
  );
}

interface SelectOption {
  label: string;
  value: string;
  description?: string;
  emoji?: string;
  default?: boolean;
}

function SelectMenu(props: { select: AnyComponent; message: PageMessage }): JSX.Element {
  const { select, message } = props;
  const { state, userName } = useContext(PageContext);
  const [open, setOpen] = useState(false);
  const [pending, start, failure] = useInteraction();
  const options = selectOptions(select, state, userName);
  const [chosen, setChosen] = useState<string[]>(() => options.filter((o) => o.default).map((o) => o.value));
  const min = typeof select.min_values === "number" ? select.min_values : 1;
  const max = typeof select.max_values === "number" ? select.max_values : 1;
  const disabled = select.disabled === true || pending;

  const submit = (values: string[]) => {
    setOpen(false);
    if (values.length < min) return;
    start(() =>
      api.useComponent({
        messageId: message.id,
        customId: String(select.custom_id ?? ""),
        componentType: select.type,
        values,
      }),
    );
  };
  const toggle = (value: string) => {
    if (max === 1) {
      setChosen([value]);
      submit([value]);
      return;
    }
    setChosen((current) =>
      current.includes(value)
        ? current.filter((v) => v !== value)
        : current.length < max
          ? [...current, value]
          : current,
    );
  };
  const shown = options.filter((o) => chosen.includes(o.value)).map((o) => o.label);
  return (
    <div class="select">
      <button
        type="button"
        class="select-box"
        disabled={disabled}
        aria-haspopup="listbox"
        aria-expanded={open}
        onClick={() => (open && max > 1 ? submit(chosen) : setOpen(!open))}
      >
        <span class={shown.length ? "" : "placeholder"}>
          {shown.length ? shown.join(", ") : String(select.placeholder ?? "Make a selection")}
        </span>
        {pending ? (
          <span class="spinner" aria-hidden="true" />
        ) : (
          <span class="chevron">{open ? "▴" : "▾"}</span>
        )}
      </button>
      {open ? (
        <div class="select-options" role="listbox" aria-multiselectable={max > 1}>
          {options.length === 0 ? <div class="select-empty">No options</div> : null}
          {options.map((option) => (
            <div
              key={option.value}
              class={chosen.includes(option.value) ? "select-option chosen" : "select-option"}
              role="option"
              tabIndex={0}
              aria-selected={chosen.includes(option.value)}
              onClick={() => toggle(option.value)}
              onKeyDown={(event) => event.key === "Enter" && toggle(option.value)}
            >
              {option.emoji ? <span class="option-emoji">{option.emoji}</span> : null}
              <span class="option-text">
                <span class="option-label">{option.label}</span>
                {option.description ? <span class="option-description">{option.description}</span> : null}
              </span>
              {max > 1 ? <span class="checkbox">{chosen.includes(option.value) ? "☑" : "☐"}</span> : null}
            </div>
          ))}
          {max > 1 ? (
            <button type="button" class="button primary select-done" onClick={() => submit(chosen)}>
              Choose {min === max ? min : `${min}–${max}`}
            </button>
          ) : null}
        </div>
      ) : null}
      {failure ? <span class="interaction-failed">{failure}</span> : null}
    </div>
  );
}

/** What a select menu offers: the bot's options, or the server's users or channels for the typed selects. */
function selectOptions(
  select: AnyComponent,
  state: import("./state.ts").PageState,
  userName: (id: string) => string | undefined,
): SelectOption[] {
  if (select.type === T.stringSelect) {
    return ((select.options as Record<string, unknown>[] | undefined) ?? []).map((o) => ({
      label: String(o.label ?? o.value ?? ""),
      value: String(o.value ?? ""),
      ...(typeof o.description === "string" ? { description: o.description } : {}),
      ...(o.emoji ? { emoji: emojiText(o.emoji) } : {}),
      ...(o.default === true ? { default: true } : {}),
    }));
  }
  const world = state.world;
  const users = world ? [world.me, world.bot] : [];
  const channels = [...state.channels.values()];
  if (select.type === T.userSelect || select.type === T.mentionableSelect) {
    return users.map((u) => ({ label: userName(u.id) ?? u.name, value: u.id }));
  }
  if (select.type === T.channelSelect) {
    return channels.map((c) => ({ label: `${c.isThread ? "🧵" : "#"} ${c.name}`, value: c.id }));
  }
  return [];
}

/** A modal the bot opened: text inputs (and selects) in rows or labels; Submit sends the values. */
export function ModalDialog(props: {
  interactionId: string;
  modal: PageModal;
  onClose(): void;
}): JSX.Element {
  const { toast } = useContext(PageContext);
  const inputs = modalInputs(props.modal.components as AnyComponent[]);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(inputs.map((i) => [String(i.input.custom_id ?? ""), String(i.input.value ?? "")])),
  );
  const [sending, setSending] = useState(false);
  const first = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => {
    first.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props.onClose]);
  const submit = (event: Event) => {
    event.preventDefault();
    setSending(true);
    api
      .submitModal({ interactionId: props.interactionId, customId: props.modal.customId, fields: values })
      .then((result) => {
        setSending(false);
        if (!result.ok) toast(result.error);
        else props.onClose();
      });
  };
  return (
    <div class="modal-backdrop">
      <form class="modal" role="dialog" aria-modal="true" aria-label={props.modal.title} onSubmit={submit}>
        <h2 class="modal-title">{props.modal.title}</h2>
        {inputs.map(({ input, label, description }, index) => {
          const id = String(input.custom_id ?? index);
          const common = {
            id: `modal-${id}`,
            value: values[id] ?? "",
            placeholder: typeof input.placeholder === "string" ? input.placeholder : undefined,
            required: input.required !== false,
            minLength: typeof input.min_length === "number" ? input.min_length : undefined,
            maxLength: typeof input.max_length === "number" ? input.max_length : undefined,
            onInput: (event: Event) =>
              setValues({ ...values, [id]: (event.currentTarget as HTMLInputElement).value }),
            ref: index === 0 ? first : undefined,
          };
          return (
            <label key={id} class="modal-field" for={`modal-${id}`}>
              <span class="modal-label">
                {label}
                {common.required ? <span class="required">*</span> : null}
              </span>
              {description ? <span class="modal-description">{description}</span> : null}
              {input.style === 2 ? <textarea rows={4} {...common} /> : <input type="text" {...common} />}
            </label>
          );
        })}
        <div class="modal-actions">
          <button type="button" class="button link-plain" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={sending}>
            Submit
          </button>
        </div>
      </form>
    </div>
  );
}

function modalInputs(
  components: AnyComponent[],
): { input: AnyComponent; label: string; description?: string }[] {
  const found: { input: AnyComponent; label: string; description?: string }[] = [];
  for (const component of components) {
    if (component.type === T.actionRow) {
      for (const child of component.components ?? []) {
        if (child.type === T.textInput)
          found.push({ input: child, label: String(child.label ?? child.custom_id ?? "") });
      }
    } else if (component.type === T.label && component.component?.type === T.textInput) {
      found.push({
        input: component.component,
        label: String(component.label ?? ""),
        ...(typeof component.description === "string" ? { description: component.description } : {}),
      });
    }
  }
  return found;
}

export function Spinner(): JSX.Element {
  return <span class="spinner" aria-hidden="true" />;
}

export type { ComponentChildren };
