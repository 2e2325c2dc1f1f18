import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The admin pages' stylesheet and script, read once; `assets/` sits at the same depth from src/ and dist/. */
interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function load(name: string, type: string): Asset {
  const body = readFileSync(new URL(`../../../assets/${name}`, import.meta.url));
  return { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"` };
}

export function assetHandler(name: string, type: string): (request: FastifyRequest, reply: FastifyReply) => void {
  const asset = load(name, type);
  return (request, reply) => {
    reply.header("cache-control", "no-cache").header("etag", asset.etag);
    if (request.headers["if-none-match"] === asset.etag) return void reply.code(304).send();
    reply.type(asset.type).send(asset.body);
  };
}
