// The named tokens of issue 14 in SQLite: digests only, revoked by marking (nothing deleted), so the
// history of who held which token stays. Synchronous (better-sqlite3) like `Store`.

import type { Database } from "better-sqlite3";
import { and, asc, eq, isNull } from "drizzle-orm";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { newId } from "./ids.js";
import { type NamedTokenRow, namedTokens } from "./schema.js";

export interface NewNamedToken {
  name: string;
  discordUserId: string;
  /** base64url SHA-256 of the token; the token itself is never stored. */
  digest: string;
  createdBy: string;
}

/** A live token of that name already exists for that user. */
export class DuplicateTokenNameError extends Error {
  override readonly name = "DuplicateTokenNameError";
}

export class NamedTokenStore {
  readonly #db: BetterSQLite3Database;
  readonly #now: () => Date;

  /** On the connection `openStore` opened (its migrations created the table). */
  constructor(sqlite: Database, options: { now?: () => Date } = {}) {
    this.#db = drizzle({ client: sqlite });
    this.#now = options.now ?? (() => new Date());
  }

  insert(input: NewNamedToken): NamedTokenRow {
    try {
      return this.#db
        .insert(namedTokens)
        .values({ id: newId(), ...input, createdAt: this.#now() })
        .returning()
        .get();
    } catch (error) {
      if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        throw new DuplicateTokenNameError(`a live token named ${input.name} exists`, { cause: error });
      }
      throw error;
    }
  }

  /** The live token with this digest, or undefined (unknown or revoked). */
  findLive(digest: string): NamedTokenRow | undefined {
    return this.#db
      .select()
      .from(namedTokens)
      .where(and(eq(namedTokens.digest, digest), isNull(namedTokens.revokedAt)))
      .get();
  }

  /** A user's live tokens, oldest first. */
  listLive(discordUserId: string): NamedTokenRow[] {
    return this.#db
      .select()
      .from(namedTokens)
      .where(and(eq(namedTokens.discordUserId, discordUserId), isNull(namedTokens.revokedAt)))
      .orderBy(asc(namedTokens.createdAt))
      .all();
  }

  /** Revokes the user's live token of that name; false when there was none. */
  revoke(discordUserId: string, name: string): boolean {
    const result = this.#db
      .update(namedTokens)
      .set({ revokedAt: this.#now() })
      .where(
        and(
          eq(namedTokens.discordUserId, discordUserId),
          eq(namedTokens.name, name),
          isNull(namedTokens.revokedAt),
        ),
      )
      .run();
    return result.changes > 0;
  }

  touch(id: string): void {
    this.#db.update(namedTokens).set({ lastUsedAt: this.#now() }).where(eq(namedTokens.id, id)).run();
  }
}
