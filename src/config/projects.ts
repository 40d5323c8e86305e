// Named projects (OMPCORD_PROJECTS): a name a person picks in `/omp new project:<name>`, the directory
// its sessions work in, and the launch channels that may use it. Parsed here from one string, checked
// against the rest of the config (launch channels) in `projectSettingProblems`; the directories are
// checked at start with the other paths (paths.ts).

import * as z from "zod";
import type { ConfigProblem } from "./errors.js";
import { SNOWFLAKE } from "./fields.js";

/** A project as configured; `dir` is absolute once assembled. */
export interface ProjectSetting {
  name: string;
  dir: string;
  /** The launch channels that may use it; `undefined`: every launch channel. */
  channelIds: readonly string[] | undefined;
}

/** Short enough for a Discord choice (100) with room to spare; no spaces, so it reads as one word. */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

const ENTRY_EXAMPLE = "api@123456789012345678=/srv/api";

/**
 * `name[@channelId,channelId]=directory; name=directory` (entries separated by `;`, since a directory
 * may hold commas less often than a person would want commas between channels), or, from
 * `config/ompcord.json`, an object `{ "<name>": { "dir": "…", "channels": ["…"] } }` or
 * `{ "<name>": "<dir>" }` (sources.ts hands that over as JSON text). Each bad entry is named on its own,
 * and a name used twice too (names are compared in any letter case, as a person types them).
 */
export const projectList = z.string().transform((text, ctx) => {
  const entries = text.trimStart().startsWith("{") ? fromJson(text, ctx) : fromText(text, ctx);
  if (entries === undefined) return z.NEVER;
  const seen = new Set<string>();
  const projects: ProjectSetting[] = [];
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem.message, params: problem.params });
      continue;
    }
    const key = entry.name.toLowerCase();
    if (seen.has(key)) {
      ctx.addIssue({
        code: "custom",
        message: "duplicate name",
        params: {
          received: entry.name,
          expected: "each project name once (names are compared in any letter case)",
          fix: `Rename one of the projects called ${entry.name} in OMPCORD_PROJECTS: a person picks a project by its name.`,
        },
      });
      continue;
    }
    seen.add(key);
    projects.push({ name: entry.name, dir: entry.dir, channelIds: entry.channelIds });
  }
  return projects;
});

interface Entry extends ProjectSetting {
  /** The entry as written, for messages. */
  raw: string;
}

function fromText(text: string, ctx: z.RefinementCtx): Entry[] {
  const entries: Entry[] = [];
  for (const raw of text
    .split(";")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const eq = raw.indexOf("=");
    if (eq < 0) {
      ctx.addIssue({ code: "custom", message: "not name=dir", params: { received: raw } });
      continue;
    }
    const left = raw.slice(0, eq).trim();
    const at = left.indexOf("@");
    const name = at < 0 ? left : left.slice(0, at).trim();
    const channels =
      at < 0
        ? undefined
        : left
            .slice(at + 1)
            .split(/[\s,]+/)
            .filter(Boolean);
    entries.push({ raw, name, dir: raw.slice(eq + 1).trim(), channelIds: channels });
  }
  return entries;
}

function fromJson(text: string, ctx: z.RefinementCtx): Entry[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: "custom", message: "invalid JSON", params: { received: "invalid JSON" } });
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    ctx.addIssue({ code: "custom", message: "not an object" });
    return undefined;
  }
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    const raw = `${name}: ${JSON.stringify(value)}`;
    if (typeof value === "string") {
      entries.push({ raw, name, dir: value.trim(), channelIds: undefined });
      continue;
    }
    const spec = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    const channels = spec.channels;
    entries.push({
      raw,
      name,
      dir: typeof spec.dir === "string" ? spec.dir.trim() : "",
      channelIds:
        channels === undefined
          ? undefined
          : Array.isArray(channels)
            ? channels.map(String)
            : [String(channels)],
    });
  }
  return entries;
}

function entryProblem(
  entry: Entry,
): { message: string; params: { received: string; expected?: string; fix?: string } } | undefined {
  if (!PROJECT_NAME.test(entry.name)) {
    return {
      message: "bad name",
      params: {
        received: entry.raw,
        expected:
          "a project name of letters, digits, `.`, `_` or `-` (up to 32, starting with a letter or digit)",
        fix: `Name the project with one short word, as in ${ENTRY_EXAMPLE}.`,
      },
    };
  }
  if (entry.dir === "") {
    return {
      message: "no directory",
      params: {
        received: entry.raw,
        expected: "a directory after `=`",
        fix: `Give project ${entry.name} its directory, as in ${ENTRY_EXAMPLE}.`,
      },
    };
  }
  const bad = entry.channelIds?.find((id) => !SNOWFLAKE.test(id));
  if (entry.channelIds?.length === 0 || bad !== undefined) {
    return {
      message: "bad channel",
      params: {
        received: bad ?? entry.raw,
        expected: "channel ids of 17–20 digits after `@`, separated by commas",
        fix: `List the launch channels that may use project ${entry.name} by id after \`@\` (Developer Mode → right-click the channel → Copy Channel ID), or leave \`@…\` out to allow every launch channel.`,
      },
    };
  }
  return undefined;
}

/** Projects that name a channel which is not a launch channel: nobody could ever pick them there. */
export function projectSettingProblems(config: {
  discord: { launchChannelIds: readonly string[] };
  omp: { projects: readonly ProjectSetting[] };
}): ConfigProblem[] {
  const launch = new Set(config.discord.launchChannelIds);
  const problems: ConfigProblem[] = [];
  for (const project of config.omp.projects) {
    for (const id of project.channelIds ?? []) {
      if (launch.has(id)) continue;
      problems.push({
        variable: "OMPCORD_PROJECTS",
        expected: "channels that are launch channels (OMP_LAUNCH_CHANNEL_IDS, or DISCORD_CHANNEL_ID)",
        received: `${project.name}@${id}`,
        fix: `Channel ${id} is not a launch channel, so project ${project.name} could never be used there: add it to OMP_LAUNCH_CHANNEL_IDS or remove it from the project.`,
      });
    }
  }
  return problems;
}
