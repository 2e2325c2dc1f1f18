import assert from "node:assert/strict";
import nodeHttp from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { accessTokenFor, obtainToken } from "../../src/consumer/connection-token.ts";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { ProviderError } from "../../src/consumer/provider-http.ts";
import { saveConsumerState, saveObtainedToken } from "../../src/store/obtained-token-store.ts";
import { findProvider, updateProvider } from "../../src/store/provider-store.ts";
import { peerAndConsumer, recordProvider, signedInBrowser } from "../support/consumer.ts";
import { adminPassword, type TestInstance } from "../support/instance.ts";
import { http, registerClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const basicAdmin = `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`;

for (const dialect of dialectsUnderTest()) {
  describe(`editing a third-party provider (PATCH on the registry API), on ${dialect.name}`, () => {
    const pair = peerAndConsumer(dialect);

    const patch = (id: string, body: unknown) =>
      http(`${pair.consumer.base}/api/portcullis/registry/providers/${id}`, { method: "PATCH", headers: { authorization: basicAdmin, "content-type": "application/json" }, body: JSON.stringify(body) });
    const held = (sysId: string) => pair.consumer.instance.store.db.selectFrom("oauth_obtained_token").select(["status", "generation"]).where("provider", "=", sysId).executeTakeFirst();
    const audit = (sysId: string) => pair.consumer.instance.store.db.selectFrom("sys_audit").select(["fieldname", "oldvalue", "newvalue", "reason"]).where("documentkey", "=", sysId).orderBy("created_at").orderBy("sys_id").execute();
    const revokedAtPeer = async (peer: TestInstance, clientSysId: string) => {
      const rows = await peer.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("client", "=", clientSysId).execute();
      return rows.length > 0 && rows.every((r) => r.revoked_at !== null);
    };

    /** A provider on the consumer for a fresh client_credentials client at the peer, with a token already obtained. */
    async function connected(name: string) {
      const client = await registerClient(pair.peer.instance, { grant_types: "client_credentials" });
      const provider = await recordProvider(pair.consumer.instance, { name, client_id: client.clientId, client_secret: client.secret, token_url: `${pair.peer.base}/oauth_token.do`, revocation_url: `${pair.peer.base}/oauth_revoke_token.do` });
      await obtainToken(pair.consumer.instance, provider, "client_credentials");
      assert.equal((await held(provider.sysId))?.status, "healthy");
      return { client, provider };
    }

    test("a new secret, scope or grant keeps the token held; each change is audited, the secret without its value", async () => {
      const { client, provider } = await connected("Keeps");
      const answer = await patch(provider.sysId, { client_secret: client.secret, scope: "useraccount", credential_style: "body" });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.get("portcullis-token"), null);
      assert.equal(answer.body.result.scope, "useraccount");
      assert.equal(answer.body.result.credential_style, "body");
      assert.equal(answer.body.result.client_secret, "");
      assert.equal((await held(provider.sysId))?.status, "healthy", "the token stays");
      assert.equal(await revokedAtPeer(pair.peer, client.sysId), false);
      const rows = (await audit(provider.sysId)).filter((r) => r.reason !== "created provider");
      assert.deepEqual(
        rows.map((r) => [r.fieldname, r.oldvalue, r.newvalue]).sort(),
        [
          ["client_secret", "", "(changed)"],
          ["credential_style", "basic", "body"],
          ["scope", "", "useraccount"],
        ],
      );
      assert.ok(!JSON.stringify(await audit(provider.sysId)).includes(client.secret), "the secret is in no audit row");
      const written = (await audit(provider.sysId)).length;
      const again = await patch(provider.sysId, { scope: "useraccount" });
      assert.equal(again.status, 200);
      assert.equal((await audit(provider.sysId)).length, written, "a PATCH that changes nothing writes no audit row");
      // The body style now in force still gets tokens.
      await obtainToken(pair.consumer.instance, (await findProvider(pair.consumer.instance.store.db, provider.sysId))!, "client_credentials");
      assert.equal((await held(provider.sysId))?.generation, 2);
    });

    test("a new client ID drops the token held, revoked first at the old provider; the next token is the new client's", async () => {
      const { client, provider } = await connected("Moves client");
      const next = await registerClient(pair.peer.instance, { grant_types: "client_credentials" });
      const answer = await patch(provider.sysId, { client_id: next.clientId, client_secret: next.secret });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.get("portcullis-token"), "discarded");
      assert.equal(answer.headers.get("portcullis-revocation"), "revoked");
      assert.equal(await held(provider.sysId), undefined, "the old client's token is no longer held");
      assert.ok(await revokedAtPeer(pair.peer, client.sysId), "the old provider revoked it");
      const dropped = (await audit(provider.sysId)).find((r) => r.fieldname === "token");
      assert.equal(dropped?.newvalue, "(discarded)");
      assert.match(dropped?.reason ?? "", /client ID, or an origin tokens go to, changed; tokens revoked at the old provider/);
      const moved = (await findProvider(pair.consumer.instance.store.db, provider.sysId))!;
      await obtainToken(pair.consumer.instance, moved, "client_credentials");
      const issued = await pair.peer.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", next.sysId).execute();
      assert.equal(issued.length, 1, "the new token came from the new client");
    });

    test("a token URL on another origin drops the token too; the same origin with another path keeps it", async () => {
      const { client, provider } = await connected("Moves server");
      const samePlace = await patch(provider.sysId, { token_url: `${pair.peer.base}/oauth_token.do?tenant=a` });
      assert.equal(samePlace.status, 200, samePlace.text);
      assert.equal((await held(provider.sysId))?.status, "healthy");
      const elsewhere = pair.peer.base.replace("127.0.0.1", "localhost");
      assert.notEqual(new URL(elsewhere).origin, new URL(pair.peer.base).origin);
      const moved = await patch(provider.sysId, { token_url: `${elsewhere}/oauth_token.do`, client_secret: client.secret });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(moved.headers.get("portcullis-token"), "discarded");
      assert.equal(await held(provider.sysId), undefined);
    });

    test("a token or revocation URL on another server needs the client secret in the same edit: without it the edit is refused (400) and the stored secret never goes there", async () => {
      const { client, provider } = await connected("Secret stays");
      const received: string[] = [];
      const listener = nodeHttp.createServer((request, response) => {
        received.push(request.headers.authorization ?? "(none)");
        response.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_client"}');
      });
      await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
      try {
        const steal = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/steal`;
        const before = await tableCounts(pair.consumer.instance.store);
        for (const body of [{ token_url: steal }, { revocation_url: steal }, { token_url: steal, scope: "useraccount" }]) {
          const refused = await patch(provider.sysId, body);
          assert.equal(refused.status, 400, refused.text);
          assert.equal(refused.body.status, "failure");
          assert.equal(refused.body.error.detail, `invalid_request: ${refused.body.error.message}`);
          assert.match(refused.body.error.message, /client_secret: must be entered again in the same edit: http:\/\/127\.0\.0\.1:\d+ is a server the stored secret was not entered for/);
        }
        assert.deepEqual(await tableCounts(pair.consumer.instance.store), before, "nothing was written, not even an audit row");
        const unchanged = (await findProvider(pair.consumer.instance.store.db, provider.sysId))!;
        assert.deepEqual([unchanged.tokenUrl, unchanged.revocationUrl, unchanged.scope, unchanged.modCount], [provider.tokenUrl, provider.revocationUrl, provider.scope, provider.modCount]);
        assert.equal((await held(provider.sysId))?.status, "healthy", "the token is still held");
        const token = await http(`${pair.consumer.base}/api/portcullis/connections/${provider.sysId}/token`, { method: "POST", headers: { authorization: basicAdmin, "content-type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials" }) });
        assert.equal(token.status, 200, token.text);
        assert.equal(received.length, 0, "the listener was never asked, so it never saw the secret");

        // Whoever types the secret again knows it already: the edit goes through, and the secret typed is what is sent.
        const moved = await patch(provider.sysId, { token_url: steal, client_secret: "typed-again" });
        assert.equal(moved.status, 200, moved.text);
        const sent = await http(`${pair.consumer.base}/api/portcullis/connections/${provider.sysId}/token`, { method: "POST", headers: { authorization: basicAdmin, "content-type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials" }) });
        assert.equal(sent.status, 502, sent.text);
        assert.equal(received.length, 1);
        const [id, secret] = Buffer.from(received[0]!.replace(/^Basic /, ""), "base64").toString().split(":").map(decodeURIComponent);
        assert.deepEqual([id, secret], [client.clientId, "typed-again"]);
        assert.ok(!received[0]!.includes(Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")));
      } finally {
        listener.close();
      }
    });

    test("plain http to a host other than loopback is refused (400) unless the record allows http URLs", async () => {
      const { client, provider } = await connected("Plain http");
      const refused = await patch(provider.sysId, { token_url: "http://peer.example/oauth_token.do", client_secret: client.secret });
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.body.error.message, /token_url: "http:\/\/peer\.example\/oauth_token\.do" uses http; only https is allowed except for loopback hosts/);
      const created = await http(`${pair.consumer.base}/api/portcullis/registry/providers`, { method: "POST", headers: { authorization: basicAdmin, "content-type": "application/json" }, body: JSON.stringify({ name: "Plain", client_id: "plain-id", client_secret: "s", token_url: "https://peer.example/t", revocation_url: "http://peer.example/r" }) });
      assert.equal(created.status, 400, created.text);
      assert.match(created.body.error.message, /revocation_url: .* uses http/);
      const allowed = await patch(provider.sysId, { token_url: "http://peer.example/oauth_token.do", client_secret: client.secret, allow_http: true });
      assert.equal(allowed.status, 200, allowed.text);
      assert.equal(allowed.body.result.allow_http, true);
      assert.equal((await patch(provider.sysId, { allow_http: false })).status, 400, "the opt-in cannot go while an http URL needs it");
    });

    test("a refused edit changes nothing and revokes nothing", async () => {
      const { client, provider } = await connected("Refused");
      await recordProvider(pair.consumer.instance, { name: "Taken name", client_id: "taken-client-id", client_secret: "s", token_url: "https://elsewhere.example/oauth_token.do" });
      const before = await tableCounts(pair.consumer.instance.store);
      const refusals: [unknown, RegExp][] = [
        [{ name: "Taken name", client_id: "another-id" }, /name/],
        [{ client_id: "taken-client-id" }, /client_id/],
        [{ default_grant: "authorization_code" }, /authorization_url: is required when the default grant is authorization_code/],
        [{ token_url: "ftp://nope" }, /token_url/],
        [{ client_secret: "" }, /client_secret/],
        [{ oauth_profile: "renamed" }, /oauth_profile/],
        [{ surprise: true }, /surprise/],
      ];
      for (const [body, field] of refusals) {
        const answer = await patch(provider.sysId, body);
        assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
        assert.equal(answer.body.status, "failure");
        assert.match(JSON.stringify(answer.body.error), field);
      }
      assert.equal((await patch("0123456789abcdef0123456789abcdef", { scope: "x" })).status, 404);
      assert.deepEqual(await tableCounts(pair.consumer.instance.store), before);
      assert.equal((await held(provider.sysId))?.status, "healthy", "the token is still held");
      assert.equal(await revokedAtPeer(pair.peer, client.sysId), false, "nothing was revoked at the provider");
      const unchanged = (await findProvider(pair.consumer.instance.store.db, provider.sysId))!;
      assert.deepEqual({ ...unchanged, modCount: 0 }, { ...provider, modCount: 0 });
    });

    test("a request made with the record as it was before such an edit sends no secret and stores no token", async () => {
      const { provider } = await connected("In flight");
      const next = await registerClient(pair.peer.instance, { grant_types: "client_credentials" });
      assert.equal((await patch(provider.sysId, { client_id: next.clientId, client_secret: next.secret })).status, 200);
      // `provider` is what a refresh or Get OAuth Token started before the edit still holds.
      await assert.rejects(obtainToken(pair.consumer.instance, provider, "client_credentials"), (e: unknown) => e instanceof ProviderError && e.code === "provider_changed");
      const box = instanceSecretBox(pair.consumer.instance);
      const answered = { accessToken: "issued-by-the-old-client", refreshToken: "old-refresh", expiresIn: 3600 };
      assert.equal(await saveObtainedToken(pair.consumer.instance.store.db, box, provider, "refresh_token", answered), false, "an answer to the old record is not stored");
      assert.equal(await held(provider.sysId), undefined);
      const current = (await findProvider(pair.consumer.instance.store.db, provider.sysId))!;
      assert.equal(await saveObtainedToken(pair.consumer.instance.store.db, box, current, "client_credentials", { accessToken: "new", expiresIn: 60 }), true);
      // An edit that leaves where tokens go alone does not make a request in flight fail.
      assert.equal((await patch(provider.sysId, { scope: "useraccount" })).status, 200);
      assert.equal(await saveObtainedToken(pair.consumer.instance.store.db, box, current, "refresh_token", { accessToken: "newer", expiresIn: 60 }), true);
      assert.equal((await held(provider.sysId))?.generation, 2);
    });

    test("a revocation URL on an origin the record did not name drops the token; clearing it or naming the token URL's origin keeps it", async () => {
      const { client, provider } = await connected("Revocation moves");
      assert.equal((await patch(provider.sysId, { revocation_url: "" })).headers.get("portcullis-token"), null);
      assert.equal((await patch(provider.sysId, { revocation_url: `${pair.peer.base}/oauth_revoke_token.do` })).headers.get("portcullis-token"), null, "the token URL's origin was named already");
      assert.equal((await held(provider.sysId))?.status, "healthy");
      const elsewhere = `${pair.peer.base.replace("127.0.0.1", "localhost")}/oauth_revoke_token.do`;
      const moved = await patch(provider.sysId, { revocation_url: elsewhere, client_secret: client.secret });
      assert.equal(moved.headers.get("portcullis-token"), "discarded");
      assert.equal(moved.headers.get("portcullis-revocation"), "revoked", "revoked at the old revocation URL, not the new one");
      assert.equal(await held(provider.sysId), undefined);
    });

    test("a new authorization URL ends the authorizations under way (their issuer was the old server's) and keeps the token", async () => {
      const { provider } = await connected("Authorize moves");
      const pending = (stateHash: string) => pair.consumer.instance.store.db.selectFrom("oauth_consumer_state").select("state_hash").where("state_hash", "=", stateHash).executeTakeFirst();
      await signedInBrowser(pair.consumer);
      const session = (await pair.consumer.instance.store.db.selectFrom("login_session").select("sys_id").executeTakeFirstOrThrow()).sys_id;
      await saveConsumerState(pair.consumer.instance.store.db, { state_hash: "a".repeat(64), provider: provider.sysId, session, code_verifier_enc: "x", expires_at: Date.now() + 600_000, consumed_at: null, expected_issuer: pair.peer.base });
      assert.equal((await patch(provider.sysId, { scope: "useraccount" })).status, 200);
      assert.ok(await pending("a".repeat(64)), "other edits leave it");
      assert.equal((await patch(provider.sysId, { authorization_url: `${pair.peer.base}/oauth_auth.do` })).status, 200);
      assert.equal(await pending("a".repeat(64)), undefined);
      assert.equal((await held(provider.sysId))?.status, "healthy");
    });

    test("a refresh with the record as it was before such an edit fails without marking the new connection unhealthy", async () => {
      const { provider } = await connected("Refresh in flight");
      const next = await registerClient(pair.peer.instance, { grant_types: "client_credentials" });
      assert.equal((await patch(provider.sysId, { client_id: next.clientId, client_secret: next.secret })).status, 200);
      await obtainToken(pair.consumer.instance, (await findProvider(pair.consumer.instance.store.db, provider.sysId))!, "client_credentials");
      await pair.consumer.instance.store.db.updateTable("oauth_obtained_token").set({ expires_at: Date.now() }).where("provider", "=", provider.sysId).execute();
      await assert.rejects(accessTokenFor(pair.consumer.instance, provider), (e: unknown) => e instanceof ProviderError && e.code === "provider_changed");
      assert.equal((await held(provider.sysId))?.status, "healthy");
    });

    test("an edit someone saves over while the old provider is asked to revoke is refused (409), and the token revoked there is discarded", async () => {
      const client = await registerClient(pair.peer.instance, { grant_types: "client_credentials" });
      let sysId = "";
      // The old provider's revocation endpoint, reached through a relay that lets alice save the record first.
      const relay = nodeHttp.createServer(async (request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        await updateProvider(pair.consumer.instance.store.db, instanceSecretBox(pair.consumer.instance), sysId, { scope: "useraccount" }, "alice");
        const answer = await fetch(`${pair.peer.base}/oauth_revoke_token.do`, { method: "POST", headers: { authorization: request.headers.authorization ?? "", "content-type": request.headers["content-type"] ?? "" }, body: Buffer.concat(chunks) });
        response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
      });
      await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
      try {
        const revocationUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/oauth_revoke_token.do`;
        const provider = await recordProvider(pair.consumer.instance, { name: "Raced", client_id: client.clientId, client_secret: client.secret, token_url: `${pair.peer.base}/oauth_token.do`, revocation_url: revocationUrl });
        sysId = provider.sysId;
        await obtainToken(pair.consumer.instance, provider, "client_credentials");
        const next = await registerClient(pair.peer.instance, { grant_types: "client_credentials" });
        const answer = await patch(provider.sysId, { client_id: next.clientId, client_secret: next.secret });
        assert.equal(answer.status, 409, answer.text);
        assert.match(answer.body.error.detail, /^conflict: alice saved the record at \S+ \S+ \(now version \d+\) after this edit read it, and the edit needed the version it read; nothing was changed: read the record again and repeat the edit$/);
        assert.match(answer.body.error.message, /saved by alice/);
        const stored = (await findProvider(pair.consumer.instance.store.db, provider.sysId))!;
        assert.deepEqual([stored.clientId, stored.scope], [client.clientId, "useraccount"], "alice's save stands, the edit was not applied");
        assert.ok(await revokedAtPeer(pair.peer, client.sysId), "the token was revoked at the provider");
        assert.equal(await held(provider.sysId), undefined, "so it is not kept as if it worked");
        assert.ok((await audit(provider.sysId)).some((r) => r.fieldname === "token" && r.newvalue === "(discarded)" && /edit then refused/.test(r.reason ?? "")));
      } finally {
        relay.close();
      }
    });
  });
}
