// Application commands: bulk overwrite and listing, guild and global, plus single create/delete.

import type { APIApplicationCommand } from "discord-api-types/v10";
import type { EmulatorCore } from "../../core.js";
import { badLength, FormErrors, required } from "../../validation/form-errors.js";
import { assertValid, RestError, unknownGuild } from "../errors.js";
import type { RouteContext, RouteDefinition } from "../router.js";

const unknownApplication = () => new RestError(404, 10002, "Unknown Application");
const unknownCommand = () => new RestError(404, 10063, "Unknown application command");

function scopeOf(ctx: RouteContext): string {
  if (ctx.params.application_id !== ctx.core.store.applicationId) throw unknownApplication();
  const guildId = ctx.params.guild_id;
  if (guildId === undefined) return "global";
  if (!ctx.core.store.guilds.has(guildId)) throw unknownGuild();
  return guildId;
}

function toCommand(
  core: EmulatorCore,
  scope: string,
  input: Record<string, unknown>,
  previous?: APIApplicationCommand,
) {
  return {
    id: previous?.id ?? core.store.ids.next(),
    application_id: core.store.applicationId,
    version: core.store.ids.next(),
    type: 1,
    description: "",
    default_member_permissions: null,
    dm_permission: true,
    nsfw: false,
    ...input,
    ...(scope === "global" ? {} : { guild_id: scope }),
  } as APIApplicationCommand;
}

function validateCommand(input: Record<string, unknown>, errors: FormErrors, index?: number) {
  const at = (field: string) => (index === undefined ? [field] : [index, field]);
  if (typeof input.name !== "string") errors.add(at("name"), required());
  else if (!/^[-_\p{L}\p{N}]{1,32}$/u.test(input.name)) errors.add(at("name"), badLength(1, 32));
}

const list = (ctx: RouteContext) => ({ body: ctx.core.store.commands.get(scopeOf(ctx)) ?? [] });

const overwrite = (ctx: RouteContext) => {
  const scope = scopeOf(ctx);
  const input = (Array.isArray(ctx.body) ? ctx.body : []) as Record<string, unknown>[];
  const errors = new FormErrors();
  for (const [i, c] of input.entries()) validateCommand(c, errors, i);
  assertValid(errors);
  const previous = ctx.core.store.commands.get(scope) ?? [];
  const commands = input.map((c) =>
    toCommand(
      ctx.core,
      scope,
      c,
      previous.find((p) => p.name === c.name),
    ),
  );
  ctx.core.store.commands.set(scope, commands);
  return { body: commands };
};

const create = (ctx: RouteContext) => {
  const scope = scopeOf(ctx);
  const errors = new FormErrors();
  validateCommand(ctx.body, errors);
  assertValid(errors);
  const existing = ctx.core.store.commands.get(scope) ?? [];
  const previous = existing.find((p) => p.name === ctx.body.name);
  const command = toCommand(ctx.core, scope, ctx.body, previous);
  ctx.core.store.commands.set(scope, [...existing.filter((c) => c !== previous), command]);
  return { status: previous ? 200 : 201, body: command };
};

const remove = (ctx: RouteContext) => {
  const scope = scopeOf(ctx);
  const existing = ctx.core.store.commands.get(scope) ?? [];
  if (!existing.some((c) => c.id === ctx.params.command_id)) throw unknownCommand();
  ctx.core.store.commands.set(
    scope,
    existing.filter((c) => c.id !== ctx.params.command_id),
  );
  return { status: 204 };
};

const get = (ctx: RouteContext) => {
  const command = (ctx.core.store.commands.get(scopeOf(ctx)) ?? []).find(
    (c) => c.id === ctx.params.command_id,
  );
  if (!command) throw unknownCommand();
  return { body: command };
};

const guild = "/applications/:application_id/guilds/:guild_id/commands";
const global = "/applications/:application_id/commands";

export const commandRoutes: RouteDefinition[] = [
  { method: "GET", path: guild, handle: list, major: "guild_id" },
  { method: "PUT", path: guild, handle: overwrite, major: "guild_id" },
  { method: "POST", path: guild, handle: create, major: "guild_id" },
  { method: "GET", path: `${guild}/:command_id`, handle: get, major: "guild_id" },
  { method: "DELETE", path: `${guild}/:command_id`, handle: remove, major: "guild_id" },
  { method: "GET", path: global, handle: list },
  { method: "PUT", path: global, handle: overwrite },
  { method: "POST", path: global, handle: create },
  { method: "GET", path: `${global}/:command_id`, handle: get },
  { method: "DELETE", path: `${global}/:command_id`, handle: remove },
];
