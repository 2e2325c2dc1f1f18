import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { tempDir } from "../support/stores.ts";

describe("logs never contain tokens, codes, secrets, passwords, cookies or Authorization", () => {
  const lines: string[] = [];
  let server: RunningServer;
  let base: string;
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({ dataDir: tempDir(), port, adminPassword, logLevel: "trace" });
    server = await startServer(config, { print: () => {}, logStream: { write: (line: string) => void lines.push(line) } });
  });
  after(() => server.close());

  test("a full run of every grant leaves no secret in the log", async () => {
    const client = await registerClient(server.instance, { grant_types: ["authorization_code", "refresh_token", "password", "client_credentials"], redirect_url: "https://c.example/cb" });
    const secrets = [client.secret, adminPassword];
    const cc = await postForm(`${base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
    const pw = await postForm(`${base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword, client_id: client.clientId, client_secret: client.secret });
    const rf = await postForm(`${base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: pw.body.refresh_token }, { authorization: basic(client.clientId, client.secret) });
    secrets.push(cc.body.access_token, pw.body.access_token, pw.body.refresh_token, rf.body.access_token, rf.body.refresh_token);

    const { verifier, challenge } = pkcePair();
    const browser = new FormBrowser(base);
    const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://c.example/cb", state: "st", code_challenge: challenge, code_challenge_method: "S256" })}`);
    const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
    const code = new URL((await browser.submit(consent, { action: "allow" })).location!).searchParams.get("code")!;
    const ac = await postForm(`${base}/oauth_token.do`, { grant_type: "authorization_code", code, redirect_uri: "https://c.example/cb", code_verifier: verifier }, { authorization: basic(client.clientId, client.secret) });
    await postForm(`${base}/oauth_token.do`, { grant_type: "authorization_code", code, redirect_uri: "https://c.example/cb", code_verifier: verifier }, { authorization: basic(client.clientId, client.secret) });
    secrets.push(code, verifier, ac.body.access_token, ...browser.cookieHeader().split("; ").map((c) => c.split("=")[1]!));
    await http(`${base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${ac.body.access_token}` } });
    await postForm(`${base}/oauth_revoke_token.do`, { token: ac.body.access_token }, { authorization: basic(client.clientId, client.secret) });

    const log = lines.join("");
    assert.ok(lines.length > 10, "requests were logged");
    for (const secret of secrets) assert.ok(secret && !log.includes(secret), `a secret value appeared in the log`);
    assert.doesNotMatch(log, /authorization|cookie/i);
  });

  test("each request is one line, written when it completes, with method, path without query, status and time", async () => {
    const before = lines.length;
    const res = await http(`${base}/api/now/v1/whoami?sysparm_x=secret-looking`, {});
    assert.equal(res.status, 401);
    const written = lines.slice(before).map((line) => JSON.parse(line) as { msg: string; req?: { method: string; path: string }; res?: { statusCode: number }; responseTime?: number; reqId?: string; level?: number });
    const requestLines = written.filter((l) => l.req || l.res);
    assert.equal(requestLines.length, 1, JSON.stringify(written));
    const [line] = requestLines;
    assert.equal(line!.msg, "request completed");
    assert.deepEqual([line!.req?.method, line!.req?.path, line!.res?.statusCode], ["GET", "/api/now/v1/whoami", 401]);
    assert.equal(typeof line!.responseTime, "number");
    // The request id ties it to any error line of the same request; info level, like Fastify's own.
    assert.match(String(line!.reqId), /^req-/);
    assert.equal(line!.level, 30);
  });

  test("a line logged through request.log while answering carries the request's id, like its completed line", async () => {
    const before = lines.length;
    const res = await postForm(`${base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic("no-such-client", "x") });
    assert.equal(res.status, 401);
    const written = lines.slice(before).map((line) => JSON.parse(line) as { msg: string; reqId?: string; reason?: string; level?: number });
    const reason = written.find((l) => l.msg === "invalid_client: client authentication failed");
    const completed = written.find((l) => l.msg === "request completed");
    assert.ok(reason && completed, JSON.stringify(written));
    assert.match(String(reason.reqId), /^req-/);
    assert.equal(reason.reqId, completed.reqId);
    assert.equal(reason.level, 30);
  });
});
