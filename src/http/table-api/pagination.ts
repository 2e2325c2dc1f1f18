import type { FastifyReply, FastifyRequest } from "fastify";
import type { ListParams } from "./parameters.ts";

/**
 * X-Total-Count and the RFC 8288 Link header (first, prev, next, last) of a list. URLs are
 * built from the configured public URL and the request's own parameters, never from Host.
 */
export interface Page {
  /** Public URL and path of the collection, e.g. https://host/api/now/table/incident. */
  collectionUrl: string;
  /** The request's query string, kept as sent apart from the offset. */
  search: string;
  limit: number;
  offset: number;
  returned: number;
  total: number | null;
  suppressLink: boolean;
}

function pageUrl(page: Page, offset: number): string {
  const params = new URLSearchParams(page.search);
  params.set("sysparm_limit", String(page.limit));
  params.set("sysparm_offset", String(offset));
  return `${page.collectionUrl}?${params.toString()}`;
}

/**
 * The final page on the steps of `limit` from the offset asked for (offset + k × limit, k possibly
 * negative), so a client that follows next until it stops ends on the page last named, and one
 * starting at sysparm_offset=5 with sysparm_limit=10 is not sent to 20 when next leads to 25. For
 * an offset on the limit's steps this is ServiceNow's own (28 124 records by 10 000: last at 20 000).
 * When no step holds a record (fewer records than the offset's remainder), the first page holds them all.
 */
function lastOffset(offset: number, limit: number, total: number): number {
  const step = offset % limit;
  if (total <= step) return 0;
  return step + Math.floor((total - 1 - step) / limit) * limit;
}

function setPaginationHeaders(reply: FastifyReply, page: Page): void {
  // PySNC reads X-Total-Count on every list, even with the Link header suppressed.
  if (page.total !== null) reply.header("x-total-count", String(page.total));
  if (page.suppressLink) return;
  const links: [string, number][] = [["first", 0]];
  if (page.offset > 0) links.push(["prev", Math.max(0, page.offset - page.limit)]);
  const more = page.total === null ? page.returned === page.limit : page.offset + page.limit < page.total;
  if (more) links.push(["next", page.offset + page.limit]);
  if (page.total !== null) links.push(["last", lastOffset(page.offset, page.limit, page.total)]);
  reply.header("link", links.map(([rel, offset]) => `<${pageUrl(page, offset)}>;rel="${rel}"`).join(","));
}

/** A list answer's headers: the page read from `params`, the other parameters kept from the request's own query string. */
export function setListHeaders(request: FastifyRequest, reply: FastifyReply, collectionUrl: string, params: Pick<ListParams, "limit" | "offset" | "suppressPaginationHeader">, returned: number, total: number | null): void {
  const search = request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : "";
  setPaginationHeaders(reply, { collectionUrl, search, limit: params.limit, offset: params.offset, returned, total, suppressLink: params.suppressPaginationHeader });
}
