// Named tokens (issue 14): long-lived, revocable sidecar credentials for people and scripts (the MCP
// server, a scheduler calling /api/tasks, a terminal mirror), each acting for one Discord user. Issued by
// `/omp token` or configured; only a digest is stored. Separate from run tokens, which never pass here.

import { createHash, randomBytes } from "node:crypto";
import { NAMED_TOKEN_PREFIX, RUN_TOKEN_PREFIX } from "../extension-protocol.js";

/** Who a named token acts for: what every route that takes one is told. */
export interface NamedPrincipal {
  /** The token's name (`ci`, `laptop`), shown where it acts ("launched by token `ci`"). */
  name: string;
  /** The Discord user it acts for. */
  discordUserId: string;
}

/** Names: short, readable in a Discord message, no spaces or markup. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** How often a token's `last used` time is written at most (a busy script should not write per call). */
const TOUCH_EVERY_MS = 60_000;
const TOKEN_BYTES = 32;

/** What the stored tokens look like to this module; `NamedTokenStore` (src/store) is the real one. */
export interface StoredNamedToken {
  id: string;
  name: string;
  discordUserId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface NamedTokenStorePort {
  /** Throws an error named `DuplicateTokenNameError` when the user has a live token of that name. */
  insert(input: { name: string; discordUserId: string; digest: string; createdBy: string }): StoredNamedToken;
  findLive(digest: string): StoredNamedToken | undefined;
  listLive(discordUserId: string): StoredNamedToken[];
  revoke(discordUserId: string, name: string): boolean;
  touch(id: string): void;
}

/** A token from the configuration: not stored, not revocable by command (remove it from the config). */
export interface ConfiguredNamedToken extends NamedPrincipal {
  token: string;
}

/** Why a token was not issued, with the sentence a person reads. */
export class TokenIssueError extends Error {
  override readonly name = "TokenIssueError";
  constructor(
    readonly code: "invalid_name" | "duplicate_name",
    message: string,
  ) {
    super(message);
  }
}

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** Throws a `TokenIssueError` saying what a valid name is, unless `name` is one. */
export function checkTokenName(name: string): void {
  if (!TOKEN_NAME_PATTERN.test(name)) {
    throw new TokenIssueError(
      "invalid_name",
      "Expected a token name of 1 to 32 letters, digits, `.`, `_` or `-`, starting with a letter or digit (like `ci` or `laptop`).",
    );
  }
}

export class NamedTokens {
  readonly #store: NamedTokenStorePort;
  readonly #configured = new Map<string, NamedPrincipal>();
  readonly #touched = new Map<string, number>();
  readonly #now: () => number;
  readonly #isAllowed: (discordUserId: string) => boolean;

  /**
   * `isAllowed`: whether a Discord user may still use the bot (DISCORD_ALLOWED_USERS). A token of a user
   * who is not authenticates as nothing, on every route, whatever the route checks itself.
   */
  constructor(options: {
    store: NamedTokenStorePort;
    configured?: readonly ConfiguredNamedToken[];
    isAllowed?: (discordUserId: string) => boolean;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#isAllowed = options.isAllowed ?? (() => true);
    this.#now = options.now ?? Date.now;
    for (const entry of options.configured ?? []) {
      checkTokenName(entry.name);
      this.#configured.set(digest(entry.token), { name: entry.name, discordUserId: entry.discordUserId });
    }
  }

  /**
   * Who the presented bearer token acts for, or undefined (unknown, revoked, or a run token: those never
   * authenticate here, whatever the store holds).
   */
  authenticate(bearer: string): NamedPrincipal | undefined {
    if (bearer.startsWith(RUN_TOKEN_PREFIX)) return undefined;
    const key = digest(bearer);
    const configured = this.#configured.get(key);
    if (configured) return this.#isAllowed(configured.discordUserId) ? { ...configured } : undefined;
    const row = this.#store.findLive(key);
    if (!row || !this.#isAllowed(row.discordUserId)) return undefined;
    const now = this.#now();
    if (now - (this.#touched.get(row.id) ?? Number.NEGATIVE_INFINITY) >= TOUCH_EVERY_MS) {
      this.#touched.set(row.id, now);
      this.#store.touch(row.id);
    }
    return { name: row.name, discordUserId: row.discordUserId };
  }

  /**
   * Issues a token for `discordUserId` (a person issues for themselves: `createdBy` is who asked). The
   * token is returned once and never again; only its digest is kept.
   */
  issue(input: { name: string; discordUserId: string; createdBy: string }): {
    token: string;
    principal: NamedPrincipal;
  } {
    checkTokenName(input.name);
    if (this.#configuredName(input.discordUserId, input.name)) {
      throw new TokenIssueError(
        "duplicate_name",
        `A configured token is already named \`${input.name}\`. Pick another name.`,
      );
    }
    const token = `${NAMED_TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString("base64url")}`;
    try {
      this.#store.insert({
        name: input.name,
        discordUserId: input.discordUserId,
        digest: digest(token),
        createdBy: input.createdBy,
      });
    } catch (error) {
      if ((error as Error).name === "DuplicateTokenNameError") {
        throw new TokenIssueError(
          "duplicate_name",
          `You already have a token named \`${input.name}\`. Revoke it first (\`/omp token action:revoke name:${input.name}\`) or pick another name.`,
        );
      }
      throw error;
    }
    return { token, principal: { name: input.name, discordUserId: input.discordUserId } };
  }

  /** The user's tokens, issued and configured, without any secret. */
  list(discordUserId: string): { name: string; configured: boolean; createdAt?: Date; lastUsedAt?: Date }[] {
    const configured = [...this.#configured.values()]
      .filter((entry) => entry.discordUserId === discordUserId)
      .map((entry) => ({ name: entry.name, configured: true }));
    const issued = this.#store.listLive(discordUserId).map((row) => ({
      name: row.name,
      configured: false,
      createdAt: row.createdAt,
      ...(row.lastUsedAt ? { lastUsedAt: row.lastUsedAt } : {}),
    }));
    return [...configured, ...issued];
  }

  /**
   * Revokes the user's issued token of that name: every later request with it gets 401. `configured`
   * when the name is a configured token (only the configuration can remove it), `unknown` when none.
   */
  revoke(discordUserId: string, name: string): "revoked" | "configured" | "unknown" {
    if (this.#store.revoke(discordUserId, name)) return "revoked";
    return this.#configuredName(discordUserId, name) ? "configured" : "unknown";
  }

  #configuredName(discordUserId: string, name: string): boolean {
    return [...this.#configured.values()].some(
      (entry) => entry.discordUserId === discordUserId && entry.name === name,
    );
  }
}
