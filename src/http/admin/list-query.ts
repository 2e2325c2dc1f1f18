import type { FastifyRequest } from "fastify";
import type { ListQuery } from "../../store/numbered-page.ts";

/**
 * A paged list's view from its query string (`?q=&sort=&dir=&page=`, as list-controls.tsx links
 * it). Anything unknown falls back to the default, so a mangled or outdated bookmark still shows
 * the list rather than an error.
 */
export function listQuery<SortKey extends string>(request: FastifyRequest, sortKeys: readonly SortKey[], defaultSort: SortKey): ListQuery<SortKey> {
  const query = request.query as Record<string, unknown>;
  const text = typeof query.q === "string" ? query.q.trim().slice(0, 200) : "";
  const sort = sortKeys.includes(query.sort as SortKey) ? (query.sort as SortKey) : defaultSort;
  const page = typeof query.page === "string" && /^[1-9]\d{0,5}$/.test(query.page) ? Number(query.page) : 1;
  return { text, sort, direction: query.dir === "desc" ? "desc" : "asc", page };
}
