// The framework floor: the ceiling's work (bench/servers/ceiling.js) done through Fastify, the
// framework Portcullis is built on, with its logger off and nothing else registered. Against the
// ceiling it shows what the framework itself costs; against Portcullis, what Portcullis' own work
// (a durable token, the bearer lookup, headers, logs, metrics) costs on top of it.
import Fastify from "fastify";
import { timingSafeEqual } from "node:crypto";

const { CLIENTS, PORT } = process.env;
const known = JSON.parse(CLIENTS).map(([id, secret]) => Buffer.from(`${id}:${secret}`));
const CLIENT_ID = JSON.parse(CLIENTS)[0][0];
const tokenJson = JSON.stringify({ access_token: "x".repeat(43), scope: "useraccount", token_type: "Bearer", expires_in: 1799 });
const whoamiJson = JSON.stringify({ result: { user_name: "admin", roles: "admin", client_id: CLIENT_ID, scope: "useraccount" } });

function basicOk(header) {
  if (!header || !/^basic /i.test(header)) return false;
  const presented = Buffer.from(header.slice(6).trim(), "base64");
  return known.some((expected) => presented.length === expected.length && timingSafeEqual(presented, expected));
}

const send = (reply, status, body) => reply.code(status).header("content-type", "application/json; charset=utf-8").header("cache-control", "no-store").send(body);

const app = Fastify({ logger: false });
app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => done(null, new URLSearchParams(body)));
app.get("/api/now/v1/whoami", (request, reply) => {
  const auth = request.headers.authorization;
  if (!auth || !/^Bearer +[A-Za-z0-9\-._~+/]+=* *$/i.test(auth)) return send(reply, 401, '{"error":"invalid_token"}');
  return send(reply, 200, whoamiJson);
});
app.post("/oauth_token.do", (request, reply) => {
  if (!(request.body instanceof URLSearchParams) || !request.body.get("grant_type")) return send(reply, 400, '{"error":"invalid_request"}');
  if (!basicOk(request.headers.authorization)) return send(reply, 401, '{"error":"invalid_client"}');
  return send(reply, 200, tokenJson);
});
await app.listen({ port: Number(PORT), host: "127.0.0.1" });
process.send?.("ready");
