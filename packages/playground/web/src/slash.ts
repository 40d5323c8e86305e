// Slash commands typed in the composer, as Discord's client offers them: the registered command JSON
// flattened into one entry per (sub)command, what to suggest while typing, and the finished text turned
// into the command's options, checked against their types, choices and limits. Pure.

import type {
  APIApplicationCommand,
  APIApplicationCommandBasicOption,
  APIApplicationCommandOption,
} from "discord-api-types/v10";
import type { CommandAction, CommandOptionValue } from "../../src/protocol.ts";

/** Discord's application command option types. */
const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;
const STRING = 3;
const INTEGER = 4;
const BOOLEAN = 5;
const NUMBER = 10;

export interface SlashOption {
  name: string;
  description: string;
  type: number;
  required: boolean;
  choices: { name: string; value: string | number }[];
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
}

/** One thing the person can run: `/omp new`, with the options it takes. */
export interface SlashEntry {
  /** `["omp", "new"]`, or `["omp", "group", "sub"]`. */
  path: string[];
  description: string;
  options: SlashOption[];
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
}

export function slashEntries(commands: readonly APIApplicationCommand[]): SlashEntry[] {
  const entries: SlashEntry[] = [];
  for (const command of commands) {
    if (command.type !== undefined && command.type !== 1) continue; // user and message commands
    const options = command.options ?? [];
    const nested = options.filter((o) => o.type === SUBCOMMAND || o.type === SUBCOMMAND_GROUP);
    if (nested.length === 0) {
      entries.push({
        path: [command.name],
        description: command.description,
        options: leafOptions(options),
        name: command.name,
      });
      continue;
    }
    for (const option of nested) {
      if (option.type === SUBCOMMAND) {
        entries.push({
          path: [command.name, option.name],
          description: option.description,
          options: leafOptions(option.options ?? []),
          name: command.name,
          subcommand: option.name,
        });
      } else if (option.type === SUBCOMMAND_GROUP) {
        for (const sub of option.options ?? []) {
          entries.push({
            path: [command.name, option.name, sub.name],
            description: sub.description,
            options: leafOptions(sub.options ?? []),
            name: command.name,
            subcommandGroup: option.name,
            subcommand: sub.name,
          });
        }
      }
    }
  }
  return entries;
}

function leafOptions(options: readonly APIApplicationCommandOption[]): SlashOption[] {
  return options
    .filter(
      (o): o is APIApplicationCommandBasicOption => o.type !== SUBCOMMAND && o.type !== SUBCOMMAND_GROUP,
    )
    .map((o) => {
      const limits = o as {
        min_length?: number;
        max_length?: number;
        min_value?: number;
        max_value?: number;
      };
      const choices = "choices" in o && Array.isArray(o.choices) ? o.choices : [];
      return {
        name: o.name,
        description: o.description,
        type: o.type,
        required: o.required === true,
        choices: choices.map((c: { name: string; value: string | number }) => ({
          name: c.name,
          value: c.value,
        })),
        ...(limits.min_length !== undefined ? { minLength: limits.min_length } : {}),
        ...(limits.max_length !== undefined ? { maxLength: limits.max_length } : {}),
        ...(limits.min_value !== undefined ? { minValue: limits.min_value } : {}),
        ...(limits.max_value !== undefined ? { maxValue: limits.max_value } : {}),
      };
    });
}

/** What the composer's text is, as far as slash commands go. */
export type SlashReading =
  | { stage: "none" }
  /** Choosing the command: entries whose name starts with what was typed. */
  | { stage: "command"; query: string; matches: SlashEntry[] }
  /** A command is chosen; its options are being filled in. */
  | {
      stage: "options";
      entry: SlashEntry;
      /** Raw text per option given so far. */
      given: Record<string, string>;
      /** The option whose value is being typed (the last one named), if any. */
      current: SlashOption | undefined;
      /** Options to offer next (chosen with Tab): those not given yet that match a partly typed name. */
      suggestions: SlashOption[];
      /** Choices to offer for the current option, filtered by its value so far. */
      choices: { name: string; value: string | number }[];
      /** Text after the command that names no option (it fills the first required option). */
      freeText: string;
    };

const words = (path: string[]) => path.join(" ");

export function readSlash(text: string, entries: readonly SlashEntry[]): SlashReading {
  if (!text.startsWith("/")) return { stage: "none" };
  const rest = text.slice(1);
  const lower = rest.toLowerCase();
  // The longest command path the text starts with, followed by a space or the end.
  const entry = [...entries]
    .sort((a, b) => b.path.length - a.path.length)
    .find((e) => lower === words(e.path) || lower.startsWith(`${words(e.path)} `));
  if (!entry) {
    const query = lower.trimStart();
    return {
      stage: "command",
      query,
      matches: entries.filter((e) => words(e.path).startsWith(query) || e.path.at(-1)!.startsWith(query)),
    };
  }
  return readOptions(entry, rest.slice(words(entry.path).length));
}

function readOptions(entry: SlashEntry, remainder: string): Extract<SlashReading, { stage: "options" }> {
  const markers: { option: SlashOption; start: number; valueStart: number }[] = [];
  for (const option of entry.options) {
    const pattern = new RegExp(`(^|\\s)${escapeRegExp(option.name)}:`, "gi");
    for (const match of remainder.matchAll(pattern)) {
      const start = match.index + match[1]!.length;
      markers.push({ option, start, valueStart: start + option.name.length + 1 });
    }
  }
  markers.sort((a, b) => a.start - b.start);
  const given: Record<string, string> = {};
  for (const [i, marker] of markers.entries()) {
    const end = markers[i + 1]?.start ?? remainder.length;
    given[marker.option.name] = remainder.slice(marker.valueStart, end).trim();
  }
  const freeText = remainder.slice(0, markers[0]?.start ?? remainder.length).trim();
  // The last option named is the one being typed: its value runs to the end of the text.
  const current = markers.at(-1)?.option;
  const typed = current ? (given[current.name] ?? "").toLowerCase() : "";
  const choices = current
    ? current.choices.filter(
        (c) => c.name.toLowerCase().startsWith(typed) || String(c.value).startsWith(typed),
      )
    : [];
  // Options not given yet, narrowed by a partly typed name at the end ("… na" offers `name`).
  const partialName = /(?:^|\s)([\w-]*)$/.exec(remainder)?.[1]?.toLowerCase() ?? "";
  const suggestions = entry.options.filter(
    (o) => given[o.name] === undefined && o.name.toLowerCase().startsWith(partialName),
  );
  return { stage: "options", entry, given, current, suggestions, choices, freeText };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The text after choosing an entry: the command, then the first required option ready to type. */
export function textForEntry(entry: SlashEntry): string {
  const first = entry.options.find((o) => o.required);
  return `/${words(entry.path)} ${first ? `${first.name}: ` : ""}`;
}

/** The text after choosing an option from the suggestions: a partly typed name is replaced. */
export function textWithOption(text: string, option: SlashOption): string {
  const base = text.replace(/(^|\s)[\w-]*$/, "$1");
  return `${base}${/\s$/.test(base) || base === "" ? "" : " "}${option.name}: `;
}

/** The text after choosing one of the current option's choices. */
export function textWithChoice(text: string, choice: { name: string }): string {
  return `${text.replace(/:\s*[^:]*$/, ":")} ${choice.name} `;
}

export type SlashBuild =
  | { ok: true; action: Omit<CommandAction, "channelId"> }
  | { ok: false; error: string };

/** The command to run from the composer's finished text, or what keeps it from running. */
export function buildSlashCommand(text: string, entries: readonly SlashEntry[]): SlashBuild {
  const reading = readSlash(text, entries);
  if (reading.stage === "none") return { ok: false, error: "Not a slash command." };
  if (reading.stage === "command") {
    return {
      ok: false,
      error:
        reading.matches.length > 0
          ? `Choose a command: ${reading.matches.map((m) => `/${words(m.path)}`).join(", ")}.`
          : `No command /${reading.query.split(/\s+/)[0] ?? ""} here. Type / to see the commands.`,
    };
  }
  const { entry } = reading;
  const given = { ...reading.given };
  if (reading.freeText) {
    // Discord puts the cursor in the first required option; text typed there belongs to it.
    const target = entry.options.find((o) => o.required && given[o.name] === undefined && o.type === STRING);
    if (!target) {
      return {
        ok: false,
        error: `"${reading.freeText}" is not an option of /${words(entry.path)}: name the option, like ${
          entry.options[0] ? `${entry.options[0].name}: …` : "(it takes none)"
        }.`,
      };
    }
    given[target.name] = reading.freeText;
  }
  const options: Record<string, CommandOptionValue> = {};
  for (const option of entry.options) {
    const raw = given[option.name];
    if (raw === undefined || raw === "") {
      if (option.required) {
        return { ok: false, error: `/${words(entry.path)} needs ${option.name}: ${option.description}.` };
      }
      continue;
    }
    const value = convert(option, raw);
    if (typeof value === "object") return { ok: false, error: value.error };
    options[option.name] = value;
  }
  return {
    ok: true,
    action: {
      name: entry.name,
      ...(entry.subcommandGroup ? { subcommandGroup: entry.subcommandGroup } : {}),
      ...(entry.subcommand ? { subcommand: entry.subcommand } : {}),
      options,
    },
  };
}

function convert(option: SlashOption, raw: string): CommandOptionValue | { error: string } {
  if (option.choices.length > 0) {
    const choice = option.choices.find(
      (c) => c.name.toLowerCase() === raw.toLowerCase() || String(c.value) === raw,
    );
    if (!choice) {
      return { error: `${option.name} must be one of: ${option.choices.map((c) => c.name).join(", ")}.` };
    }
    return choice.value;
  }
  switch (option.type) {
    case STRING: {
      if (option.minLength !== undefined && raw.length < option.minLength) {
        return {
          error: `${option.name} needs at least ${option.minLength} characters (it has ${raw.length}).`,
        };
      }
      if (option.maxLength !== undefined && raw.length > option.maxLength) {
        return {
          error: `${option.name} takes at most ${option.maxLength} characters (it has ${raw.length}).`,
        };
      }
      return raw;
    }
    case INTEGER:
    case NUMBER: {
      const number = Number(raw);
      if (
        raw.trim() === "" ||
        !Number.isFinite(number) ||
        (option.type === INTEGER && !Number.isInteger(number))
      ) {
        return {
          error: `${option.name} takes ${option.type === INTEGER ? "a whole number" : "a number"}, not "${raw}".`,
        };
      }
      if (option.minValue !== undefined && number < option.minValue) {
        return { error: `${option.name} must be at least ${option.minValue}.` };
      }
      if (option.maxValue !== undefined && number > option.maxValue) {
        return { error: `${option.name} must be at most ${option.maxValue}.` };
      }
      return number;
    }
    case BOOLEAN: {
      const lower = raw.toLowerCase();
      if (["true", "yes", "on"].includes(lower)) return true;
      if (["false", "no", "off"].includes(lower)) return false;
      return { error: `${option.name} takes true or false, not "${raw}".` };
    }
    default: {
      // Users, channels, roles: a mention or a bare id, sent as the id.
      const id = /^<[@#][!&]?(\d{17,20})>$/.exec(raw)?.[1] ?? (/^\d{17,20}$/.test(raw) ? raw : undefined);
      return id ?? { error: `${option.name} takes a mention or an id, not "${raw}".` };
    }
  }
}
