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
