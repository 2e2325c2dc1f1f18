import type { SqliteReader } from "./sqlite-reader.ts";

/**
 * Bearer grants already read from SQLite, kept only while the database has not changed.
 *
 * Every API call checks its token. On SQLite that check was a join over five tables and cost
 * several times the rest of the check. A kept grant is answered only while the reader's
 * `PRAGMA data_version` is the one it was read under. That version moves on every commit of
 * any connection: this process's writer, another worker's, or a `sqlite3` shell's. So a
 * revocation, a deactivation or a role taken away is seen by the next check, as when every
 * check read the tables. Only found grants are kept: unknown tokens cannot fill the cache.
 * PostgreSQL has no such version to ask, so there every check reads.
 */
export class BearerGrantCache<Grant extends object> {
  readonly #reader: SqliteReader;
  readonly #limit: number;
  readonly #grants = new Map<string, Grant>();
  #version: number | undefined;

  constructor(reader: SqliteReader, limit = 10_000) {
    this.#reader = reader;
    this.#limit = limit;
  }

  /**
   * The grant kept for `key`, or what `read` finds now (kept for next time). The version is
   * asked before the read, so a commit between the two empties the cache on the next call.
   */
  get(key: string, read: () => Grant | undefined): Grant | undefined {
    const version = this.#reader.dataVersion();
    if (version !== this.#version) {
      this.#grants.clear();
      this.#version = version;
    } else {
      const kept = this.#grants.get(key);
      if (kept !== undefined) return kept;
    }
    const grant = read();
    if (grant !== undefined) {
      // Oldest first out: Map keeps insertion order.
      if (this.#grants.size >= this.#limit) this.#grants.delete(this.#grants.keys().next().value!);
      this.#grants.set(key, grant);
    }
    return grant;
  }

  /** How many grants are kept (tests: bounded, emptied by a commit). */
  get size(): number {
    return this.#grants.size;
  }
}
