import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Instance } from "../../instance.ts";
import { authenticateApi } from "../table-api/api-principal.ts";
import { badRequest } from "../table-api/errors.ts";
import { batchURLTooLong, maxBatchURL } from "../url-limits.ts";

/**
 * POST /api/now/v1/batch — the platform's Batch API, which PySNC uses for long queries and
 * for updating or deleting many records. Each sub-request is replayed through this same
 * server with the caller's own credentials, so it meets exactly the authentication, ACL and
 * validation of a direct call; one failing sub-request does not fail its siblings.
 */
const maxRequests = 100;

const batchSchema = z.object({
  // PySNC numbers its batches (an integer) and compares the answer with str(); it is always answered as a string.
  batch_request_id: z.union([z.string().max(200), z.number().int().transform(String)]).default(""),
  rest_requests: z
    .array(
      z.object({
        id: z.string().min(1).max(200),
        method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
        url: z.string().min(1).max(maxBatchURL, batchURLTooLong),
        headers: z.array(z.object({ name: z.string().min(1).max(200), value: z.string().max(8000) })).default([]),
        body: z.string().max(1_000_000).optional(),
        exclude_response_headers: z.boolean().optional(),
      }),
    )
    .max(maxRequests, `a batch holds at most ${maxRequests} requests`),
});

/**
 * Sub-requests may reach the REST APIs, never the batch endpoint itself (a batch of batches
 * multiplies one request without bound) or the OAuth, admin and metrics paths. The check is
 * made on the URL with its dot segments resolved, and that resolved URL is what is served:
 * `/api/now/../../metrics` is judged as `/metrics`.
 */
function servableUrl(url: string): string | undefined {
  if (!url.startsWith("/") || url.startsWith("//")) return undefined;
  let resolved: URL;
  try {
    resolved = new URL(url, "http://batch.invalid");
  } catch {
    return undefined;
  }
  const path = resolved.pathname;
  if (resolved.host !== "batch.invalid" || path.includes("//") || !path.startsWith("/api/now/") || /^\/api\/now\/(v\d+\/)?batch(\/|$)/i.test(path)) return undefined;
  return path + resolved.search;
}

// Credentials and the caller's address come from the outer request; a sub-request cannot name
// other ones (behind a trusted proxy, its own X-Forwarded-For would otherwise be believed).
const droppedHeaders = new Set(["authorization", "cookie", "host", "content-length", "transfer-encoding", "connection", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"]);

export async function batch(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await authenticateApi(instance, request, { api: "Batch API" });
  const parsed = batchSchema.safeParse(request.body);
  if (!parsed.success) throw badRequest(`invalid batch request: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`);
  const serviced: unknown[] = [];
  const unserviced: string[] = [];
  for (const sub of parsed.data.rest_requests) {
    const url = servableUrl(sub.url);
    if (!url) {
      unserviced.push(sub.id);
      continue;
    }
    const headers: Record<string, string> = { accept: "application/json" };
    for (const h of sub.headers) if (!droppedHeaders.has(h.name.toLowerCase())) headers[h.name.toLowerCase()] = h.value;
    if (request.headers.authorization) headers.authorization = request.headers.authorization;
    const started = Date.now();
    const payload = sub.body === undefined || sub.body === "" ? undefined : Buffer.from(sub.body, "base64");
    // PySNC names a content type on every sub-request, bodiless DELETEs and GETs included.
    if (payload && !headers["content-type"]) headers["content-type"] = "application/json";
    if (!payload) delete headers["content-type"];
    // From the caller's address, not loopback's: its rate limits and log lines are the caller's.
    const response = await request.server.inject({ method: sub.method, url, headers, remoteAddress: request.ip, ...(payload ? { payload } : {}) });
    serviced.push({
      id: sub.id,
      status_code: response.statusCode,
      status_text: response.statusMessage,
      headers: sub.exclude_response_headers ? [] : Object.entries(response.headers).map(([name, value]) => ({ name, value: String(value) })),
      body: Buffer.from(response.rawPayload).toString("base64"),
      execution_time: Date.now() - started,
    });
  }
  reply.send({ batch_request_id: parsed.data.batch_request_id, serviced_requests: serviced, unserviced_requests: unserviced });
}
