import { type RawBuilder, type SqlBool, sql } from "kysely";

/**
 * An admin list shown a page at a time (Application Registry, Users): filtered by text, sorted by
 * one column, a fixed number of rows to a page. A page is asked for by its number, so a view can
 * be bookmarked and the pager can say which rows are shown out of how many.
 */
export interface ListQuery<SortKey extends string> {
  /** Matched case-insensitively, as plain text, against the list's own columns. */
  text: string;
  sort: SortKey;
  direction: "asc" | "desc";
  /** From 1; past the last page means the last page. */
  page: number;
}

/** Rows on one page: a table of thousands stays a page a browser draws at once. */
export const listPageSize = 100;

/** The page to show: the one asked for, brought back to the last page when it is past the end. */
export function pageWithin(requested: number, total: number): number {
  return Math.min(requested, Math.max(1, Math.ceil(total / listPageSize)));
}

/**
 * Whether any of the columns contains the text, ignoring case, with the wildcards an admin types
 * taken literally. Both sides go through the database's lower(), as the Table API's LIKE does:
 * a pattern lower-cased in JavaScript missed "Émile" in a column SQLite's ASCII lower() leaves as is.
 */
export function containsAny(columns: readonly string[], text: string): RawBuilder<SqlBool> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`(${sql.join(columns.map((column) => sql`lower(${sql.ref(column)}) like lower(${pattern}) escape '\\'`), sql` or `)})`;
}
