// What the person does on the page, done as the person in the emulator: post, react, run a slash
// command, use a component, submit a modal. Input is checked here (it comes over HTTP) with messages
// shaped like p-queue's; the emulator's own refusals (an unknown option, a disabled button) pass through
// as the person's error.

import type { Emulator, InteractionHandle } from "@ompcord/discord-emulator";
import { MESSAGE_MAX_CHARS } from "./limits.js";
import type {
  ActionResult,
  CommandAction,
  ComponentAction,
  ModalSubmitAction,
  PostMessageAction,
  ReactAction,
} from "./protocol.js";

/** Discord's component types the playground drives. */
const BUTTON = 2;

/** Bad input from the page: answered 400 with the message. */
export class ActionError extends Error {}

/** A component or modal the emulator cannot drive yet: answered 501 with the message. */
export class NotSupportedError extends Error {}

const shown = (value: unknown) => `\`${JSON.stringify(value) ?? String(value)}\``;

function text(body: Record<string, unknown>, key: string, options: { max?: number } = {}): string {
  const value = body[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ActionError(`Expected \`${key}\` to be a non-empty string, got ${shown(value)}`);
  }
  if (options.max !== undefined && value.length > options.max) {
    throw new ActionError(`Expected \`${key}\` to be at most ${options.max} characters, got ${value.length}`);
  }
  return value;
}

function id(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || !/^\d{1,20}$/.test(value)) {
    throw new ActionError(`Expected \`${key}\` to be a Discord id, got ${shown(value)}`);
  }
  return value;
}

function optionalName(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new ActionError(`Expected \`${key}\` to be a name or absent, got ${shown(value)}`);
  }
  return value;
}

export class PersonActions {
  constructor(
    private readonly emu: Emulator,
    private readonly personId: string,
  ) {}

  private get me() {
    return this.emu.as(this.personId);
  }

  postMessage(body: Record<string, unknown>): ActionResult {
    const input: PostMessageAction = {
      channelId: id(body, "channelId"),
      content: text(body, "content", { max: MESSAGE_MAX_CHARS }),
    };
    this.me.postMessage(input.channelId, input.content);
    return { ok: true };
  }

  react(body: Record<string, unknown>): ActionResult {
    if (typeof body.add !== "boolean")
      throw new ActionError(`Expected \`add\` to be a boolean, got ${shown(body.add)}`);
    const input: ReactAction = {
      channelId: id(body, "channelId"),
      messageId: id(body, "messageId"),
      emoji: text(body, "emoji", { max: 64 }),
      add: body.add,
    };
    if (input.add) this.me.react(input.channelId, input.messageId, input.emoji);
    else this.me.unreact(input.channelId, input.messageId, input.emoji);
    return { ok: true };
  }

  runCommand(body: Record<string, unknown>): ActionResult {
    const options = body.options ?? {};
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new ActionError(`Expected \`options\` to be an object of option values, got ${shown(options)}`);
    }
    for (const [name, value] of Object.entries(options)) {
      if (!["string", "number", "boolean"].includes(typeof value)) {
        throw new ActionError(
          `Expected option \`${name}\` to be a string, number or boolean, got ${shown(value)}`,
        );
      }
    }
    const subcommandGroup = optionalName(body, "subcommandGroup");
    const subcommand = optionalName(body, "subcommand");
    const input: CommandAction = {
      channelId: id(body, "channelId"),
      name: text(body, "name", { max: 32 }),
      ...(subcommandGroup ? { subcommandGroup } : {}),
      ...(subcommand ? { subcommand } : {}),
      options: options as CommandAction["options"],
    };
    return started(this.me.runCommand(input));
  }

  useComponent(body: Record<string, unknown>): ActionResult {
    const type = body.componentType;
    if (typeof type !== "number") {
      throw new ActionError(`Expected \`componentType\` to be a Discord component type, got ${shown(type)}`);
    }
    const input: ComponentAction = {
      messageId: id(body, "messageId"),
      customId: text(body, "customId", { max: 100 }),
      componentType: type,
    };
    if (input.componentType === BUTTON) {
      return started(this.me.clickButton({ messageId: input.messageId, customId: input.customId }));
    }
    // Select menus need the emulator to build their interaction (values, resolved data, the 25-option
    // limit): the page already renders and collects them; the approvals issue teaches the emulator.
    throw new NotSupportedError(
      `The local Discord cannot use this kind of component yet (type ${input.componentType}); buttons work.`,
    );
  }

  submitModal(body: Record<string, unknown>): ActionResult {
    const fields = body.fields;
    if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
      throw new ActionError(`Expected \`fields\` to be an object of text values, got ${shown(fields)}`);
    }
    const input: ModalSubmitAction = {
      interactionId: id(body, "interactionId"),
      customId: text(body, "customId", { max: 100 }),
      fields: fields as Record<string, string>,
    };
    throw new NotSupportedError(
      `The local Discord cannot submit modals yet (modal "${input.customId}"); the approvals issue adds it.`,
    );
  }
}

function started(handle: InteractionHandle): ActionResult {
  return { ok: true, interactionId: handle.id };
}
