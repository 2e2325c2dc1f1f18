import { maxHeaderSize } from "node:http";

/**
 * How long a query in a URL may be. A direct request's line and headers together are read up to
 * Node's maxHeaderSize (16 KiB unless --max-http-header-size says otherwise), so the URL gets
 * what the headers leave; past it Node's parser stops with a 431. The Batch API, which PySNC
 * uses for long queries, takes a sub-request's URL as JSON, so it can take more: 64 KiB, and
 * never less than a direct request. The query's own limits (200 conditions) hold either way.
 */
export const maxRequestHead = maxHeaderSize;
export const maxBatchURL = Math.max(64 * 1024, maxHeaderSize);

export const requestHeadTooLarge = `the request's URL and headers are too large: together they may be at most ${maxRequestHead} bytes; send a longer query through the Batch API (POST /api/now/v1/batch), whose URLs may be ${maxBatchURL} characters`;
export const batchURLTooLong = `a URL may be at most ${maxBatchURL} characters`;
