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

function setPaginationHeaders(reply: FastifyReply, page: Page): void {
  // PySNC reads X-Total-Count on every list, even with the Link header suppressed.
  if (page.total !== null) reply.header("x-total-count", String(page.total));
  if (page.suppressLink) return;
  const links: [string, number][] = [["first", 0]];
  if (page.offset > 0) links.push(["prev", Math.max(0, page.offset - page.limit)]);
  const more = page.total === null ? page.returned === page.limit : page.offset + page.limit < page.total;
  if (more) links.push(["next", page.offset + page.limit]);
  if (page.total !== null) links.push(["last", page.total > 0 ? Math.floor((page.total - 1) / page.limit) * page.limit : 0]);
  reply.header("link", links.map(([rel, offset]) => `<${pageUrl(page, offset)}>;rel="${rel}"`).join(","));
}

/** A list answer's headers: the page read from `params`, the other parameters kept from the request's own query string. */
export function setListHeaders(request: FastifyRequest, reply: FastifyReply, collectionUrl: string, params: Pick<ListParams, "limit" | "offset" | "suppressPaginationHeader">, returned: number, total: number | null): void {
  const search = request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : "";
  setPaginationHeaders(reply, { collectionUrl, search, limit: params.limit, offset: params.offset, returned, total, suppressLink: params.suppressPaginationHeader });
}
