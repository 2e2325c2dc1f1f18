// The ceiling: bare node:http doing the least any token server must do — read the form body,
// decode HTTP Basic (or a Bearer header on GET), check the secret, answer a fixed JSON token.
import http from "node:http";
import { timingSafeEqual } from "node:crypto";

const { CLIENTS, PORT } = process.env;
// The same "id:secret" pairs the other servers know; Basic carries them form-urlencoded, which leaves these unchanged.
const known = JSON.parse(CLIENTS).map(([id, secret]) => Buffer.from(`${id}:${secret}`));
const CLIENT_ID = JSON.parse(CLIENTS)[0][0];
const tokenJson = JSON.stringify({ access_token: "x".repeat(43), scope: "useraccount", token_type: "Bearer", expires_in: 1799 });
const whoamiJson = JSON.stringify({ result: { user_name: "admin", roles: "admin", client_id: CLIENT_ID, scope: "useraccount" } });

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function basicOk(header) {
  if (!header || !/^basic /i.test(header)) return false;
  const presented = Buffer.from(header.slice(6).trim(), "base64");
  return known.some((expected) => presented.length === expected.length && timingSafeEqual(presented, expected));
}

http
  .createServer((req, res) => {
    if (req.method === "GET") {
      const auth = req.headers.authorization;
      if (!auth || !/^Bearer +[A-Za-z0-9\-._~+/]+=* *$/i.test(auth)) return send(res, 401, '{"error":"invalid_token"}');
      return send(res, 200, whoamiJson);
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      if (!form.get("grant_type") && !form.get("token")) return send(res, 400, '{"error":"invalid_request"}');
      if (!basicOk(req.headers.authorization)) return send(res, 401, '{"error":"invalid_client"}');
      send(res, 200, form.get("token") ? '{"active":true,"scope":"useraccount","client_id":"x","token_type":"Bearer","exp":1}' : tokenJson);
    });
  })
  .listen(Number(PORT), "127.0.0.1", () => process.send?.("ready"));
