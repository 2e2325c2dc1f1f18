import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { awayFromMinuteEdge } from "../support/rate-window.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`rate limits, counted in the database, on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    before(async () => {
      server = await startTestInstance(dialect, { rateLimitTokenPerClient: 3, rateLimitTokenPerIp: 50, rateLimitLoginPerIp: 4 });
      client = await registerClient(server.instance, { grant_types: ["client_credentials", "password", "authorization_code"], redirect_url: "https://c.example/cb" });
    });
    after(() => server.close());

    test("a client past its per-minute allowance gets 429 with Retry-After, others are unaffected", async () => {
      await awayFromMinuteEdge();
      const send = (c: RegisteredClient) => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(c.clientId, c.secret) });
      const results = await Promise.all([send(client), send(client), send(client), send(client), send(client)]);
      assert.equal(results.filter((r) => r.status === 200).length, 3);
      const refused = results.find((r) => r.status === 429)!;
      assert.equal(refused.body.error, "temporarily_unavailable");
      assert.ok(Number(refused.headers.get("retry-after")) >= 1);
      const other = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      assert.equal((await send(other)).status, 200);
      // Past the limit no token is written, not even one nobody was told of.
      const stored = await server.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", client.sysId).execute();
      assert.equal(stored.length, 3);
    });

    test("a client_credentials request the grant refuses still spends the client's allowance, and past it the answer is 429", async () => {
      await awayFromMinuteEdge();
      const fresh = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      const send = (form: Record<string, string>) => postForm(`${server.base}/oauth_token.do`, form, { authorization: basic(fresh.clientId, fresh.secret) });
      const refused = [await send({ grant_type: "client_credentials", scope: "admin" }), await send({ grant_type: "client_credentials", scope: "admin" })];
      assert.deepEqual(refused.map((r) => [r.status, r.body.error]), [[400, "invalid_scope"], [400, "invalid_scope"]]);
      assert.equal((await send({ grant_type: "client_credentials" })).status, 200);
      const over = [await send({ grant_type: "client_credentials" }), await send({ grant_type: "client_credentials", scope: "admin" })];
      assert.deepEqual(over.map((r) => r.status), [429, 429]);
    });

    test("failed client authentication does not spend the client's allowance", async () => {
      await awayFromMinuteEdge();
      const fresh = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      for (let i = 0; i < 5; i++) await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(fresh.clientId, "wrong") });
      const ok = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(fresh.clientId, fresh.secret) });
      assert.equal(ok.status, 200);
    });

    test("an address past its token-endpoint allowance gets 429 whatever it sends, so a guessed secret is neither confirmed nor denied", async () => {
      const limited = await startTestInstance(dialect, { rateLimitTokenPerClient: 100, rateLimitTokenPerIp: 4 });
      try {
        await awayFromMinuteEdge();
        const own = await registerClient(limited.instance, { grant_types: ["client_credentials"] });
        const send = (secret: string, form: Record<string, string> = { grant_type: "client_credentials" }) => postForm(`${limited.base}/oauth_token.do`, form, { authorization: basic(own.clientId, secret) });
        // Bad requests and failed authentications count against the address too.
        const statuses = [(await send("wrong")).status, (await send("wrong")).status, (await send(own.secret, {})).status, (await send(own.secret)).status];
        assert.deepEqual(statuses, [401, 401, 400, 200]);
        const right = await send(own.secret);
        const wrong = await send("wrong");
        assert.deepEqual([right.status, wrong.status], [429, 429]);
        assert.equal(wrong.body.error, "temporarily_unavailable");
        assert.equal(right.body.access_token, undefined);
        // Introspection shares the address's allowance.
        const introspection = await postForm(`${limited.base}/oauth_introspect`, { token: "x" }, { authorization: basic(own.clientId, own.secret) });
        assert.equal(introspection.status, 429);
      } finally {
        await limited.close();
      }
    });

    test("revocation shares the address's allowance with the token endpoint and introspection, and past it answers 429 whatever secret it was sent, revoking nothing", async () => {
      const limited = await startTestInstance(dialect, { rateLimitTokenPerClient: 100, rateLimitTokenPerIp: 5 });
      try {
        await awayFromMinuteEdge();
        const own = await registerClient(limited.instance, { grant_types: ["client_credentials"] });
        const revoke = (secret: string, token: string) => postForm(`${limited.base}/oauth_revoke_token.do`, { token }, { authorization: basic(own.clientId, secret) });
        const issued = await postForm(`${limited.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(own.clientId, own.secret) });
        assert.equal(issued.status, 200);
        const introspected = await postForm(`${limited.base}/oauth_introspect`, { token: issued.body.access_token }, { authorization: basic(own.clientId, own.secret) });
        assert.equal(introspected.body.active, true);
        // Failed guesses at revocation spend the same allowance, and so does a request that succeeds.
        const spent = [(await revoke("wrong", "x")).status, (await revoke("wrong", "x")).status, (await revoke(own.secret, "unknown")).status];
        assert.deepEqual(spent, [401, 401, 200]);
        const [right, wrong] = [await revoke(own.secret, issued.body.access_token), await revoke("wrong", issued.body.access_token)];
        assert.deepEqual([right.status, wrong.status], [429, 429], "a guess past the limit is neither confirmed nor denied");
        for (const refused of [right, wrong]) {
          assert.equal(refused.body.error, "temporarily_unavailable");
          assert.ok(Number(refused.headers.get("retry-after")) >= 1);
        }
        const stored = await limited.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("client", "=", own.sysId).execute();
        assert.deepEqual(stored, [{ revoked_at: null }], "a refused revocation revokes nothing");
        // The spent allowance is the address's at every endpoint, not revocation's own.
        const token = await postForm(`${limited.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(own.clientId, own.secret) });
        const introspection = await postForm(`${limited.base}/oauth_introspect`, { token: issued.body.access_token }, { authorization: basic(own.clientId, own.secret) });
        assert.deepEqual([token.status, introspection.status], [429, 429]);
      } finally {
        await limited.close();
      }
    });

    test("a public client's 429 at revocation is readable by its redirect origin, as its other answers are, a refused body's too", async () => {
      const limited = await startTestInstance(dialect, { rateLimitTokenPerIp: 2 });
      try {
        await awayFromMinuteEdge();
        const appOrigin = "https://app.example";
        const spa = await registerClient(limited.instance, { public_client: true, redirect_url: `${appOrigin}/cb` });
        const revoke = () => postForm(`${limited.base}/oauth_revoke_token.do`, { client_id: spa.clientId, token: "x" }, { origin: appOrigin });
        const readable = (res: { status: number; headers: Headers }, status: number, what: string) => {
          assert.equal(res.status, status, what);
          assert.equal(res.headers.get("access-control-allow-origin"), appOrigin, what);
          assert.match(res.headers.get("vary") ?? "", /Origin/, what);
        };
        readable(await revoke(), 200, "within the allowance");
        readable(await revoke(), 200, "within the allowance");
        const over = await revoke();
        readable(over, 429, "past the allowance");
        assert.equal(over.body.error, "temporarily_unavailable");
        assert.ok(Number(over.headers.get("retry-after")) >= 1);
        // The parser refuses a compressed form before any handler runs; Basic with an empty password still names the client.
        const compressed = await http(`${limited.base}/oauth_revoke_token.do`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip", origin: appOrigin, authorization: basic(spa.clientId, "") }, body: "token=x" });
        readable(compressed, 429, "a refused body past the allowance");
        const otherOrigin = await postForm(`${limited.base}/oauth_revoke_token.do`, { client_id: spa.clientId, token: "x" }, { origin: "https://evil.example" });
        assert.equal(otherOrigin.status, 429);
        assert.equal(otherOrigin.headers.get("access-control-allow-origin"), null, "another origin still reads nothing");
      } finally {
        await limited.close();
      }
    });

    test("a body the parser refuses counts against the address, and past its allowance introspection, revocation and the token endpoint answer 429 before the refusal", async () => {
      const limited = await startTestInstance(dialect, { rateLimitTokenPerClient: 100, rateLimitTokenPerIp: 6 });
      try {
        await awayFromMinuteEdge();
        const own = await registerClient(limited.instance, { grant_types: ["client_credentials"] });
        const authorization = basic(own.clientId, own.secret);
        const refusedBodies: [string, Record<string, string>, string][] = [
          ["malformed JSON", { "content-type": "application/json" }, "{token"],
          ["compressed form", { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip" }, "token=x"],
          ["oversized form", { "content-type": "application/x-www-form-urlencoded" }, `token=${"x".repeat(70 * 1024)}`],
        ];
        const send = (path: string, [, headers, body]: (typeof refusedBodies)[number]) => http(`${limited.base}${path}`, { method: "POST", headers: { ...headers, authorization }, body });
        // Within the allowance each is refused as before, and spends it.
        for (const path of ["/oauth_introspect", "/oauth_revoke_token.do"]) {
          assert.deepEqual(await Promise.all(refusedBodies.map(async (refused) => (await send(path, refused)).status)), [400, 415, 413], path);
        }
        const good = await postForm(`${limited.base}/oauth_revoke_token.do`, { token: "x" }, { authorization });
        assert.equal(good.status, 429, "the refused bodies spent the address's allowance");
        for (const path of ["/oauth_introspect", "/oauth_revoke_token.do", "/oauth_token.do"]) {
          for (const refused of refusedBodies) {
            const res = await send(path, refused);
            assert.equal(res.status, 429, `${path}, ${refused[0]}: ${res.text}`);
            assert.equal(res.body.error, "temporarily_unavailable");
            assert.ok(Number(res.headers.get("retry-after")) >= 1);
          }
        }
      } finally {
        await limited.close();
      }
    });

    test("login attempts per address are limited across the login form and the password grant", async () => {
      await awayFromMinuteEdge();
      const { challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://c.example/cb", code_challenge: challenge, code_challenge_method: "S256" })}`);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await browser.submit(login, { user_name: "nobody", user_password: "x" })).status);
      const fourthClient = await registerClient(server.instance, { grant_types: ["password"] });
      const viaGrant = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(fourthClient.clientId, fourthClient.secret) });
      statuses.push(viaGrant.status);
      const fifth = await browser.submit(login, { user_name: "admin", user_password: adminPassword });
      assert.deepEqual(statuses, [401, 401, 401, 200]);
      assert.equal(fifth.status, 429);
      assert.match(fifth.html, /too many requests/i);
    });

    test("the admin JSON APIs refuse an address past its login allowance before checking the password, so the right one is not confirmed", async () => {
      const limited = await startTestInstance(dialect, { rateLimitLoginPerIp: 3 });
      try {
        await awayFromMinuteEdge();
        const call = (user: string, password: string) => http(`${limited.base}/api/portcullis/registry/endpoints`, { headers: { authorization: basic(user, password), accept: "application/json" } });
        const failures: number[] = [];
        for (let i = 0; i < 3; i++) failures.push((await call(`spray${i}`, "Password1")).status);
        assert.deepEqual(failures, [401, 401, 401]);
        const [right, wrong] = [await call("admin", adminPassword), await call("admin", "wrong")];
        assert.deepEqual([right.status, wrong.status], [429, 429]);
      } finally {
        await limited.close();
      }
    });
  });
}
