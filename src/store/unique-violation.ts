/** A write refused by a unique index, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

/**
 * Runs `write`, a transaction that checks a unique value (a name, a client ID) is free before it
 * inserts it. On PostgreSQL two such transactions can both pass the check, and the second meets
 * the unique index: it is run once more, when its own check sees the value taken and says so in
 * the caller's terms (the field, the name), rather than the index's violation being a 500.
 */
export async function checkedAgainstRace<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return write();
  }
}

/** The table and columns of the unique index a write met, when the database says which. */
export interface UniqueKey {
  table: string;
  columns: string[];
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * SQLite names them in its message ("UNIQUE constraint failed: sys_user.user_name", several
 * joined by ", "); PostgreSQL in the error's `detail` ("Key (user_name)=(ada) already exists.")
 * beside `table`, and a server that withholds the detail still names the constraint, whose
 * `_pkey` is sys_id's. Undefined when neither says (an index on an expression, say).
 */
export function uniqueKeyOf(error: unknown): UniqueKey | undefined {
  const { message, detail, constraint, table } = (error ?? {}) as { message?: unknown; detail?: unknown; constraint?: unknown; table?: unknown };
  const sqlite = typeof message === "string" ? /UNIQUE constraint failed: (.+)$/.exec(message) : null;
  if (sqlite) {
    const names = sqlite[1]!.split(", ").map((name) => name.split("."));
    if (!names.every((n) => n.length === 2 && n.every((part) => identifier.test(part)))) return undefined;
    return { table: names[0]![0]!, columns: names.map((n) => n[1]!) };
  }
  if (typeof table !== "string") return undefined;
  const key = typeof detail === "string" ? /^Key \(([^)]*)\)=/.exec(detail) : null;
  const columns = key ? key[1]!.split(", ") : typeof constraint === "string" && constraint === `${table}_pkey` ? ["sys_id"] : [];
  return columns.length > 0 && columns.every((c) => identifier.test(c)) ? { table, columns } : undefined;
}
