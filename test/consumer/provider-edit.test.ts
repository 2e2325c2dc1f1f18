import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { obtainToken } from "../../src/consumer/connection-token.ts";
import { findProvider } from "../../src/store/provider-store.ts";
import { peerAndConsumer, recordProvider } from "../support/consumer.ts";
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
      const rows = (await audit(provider.sysId)).filter((r) => r.fieldname !== "name");
      assert.deepEqual(
        rows.map((r) => [r.fieldname, r.oldvalue, r.newvalue]).sort(),
        [
          ["client_secret", "", "(changed)"],
          ["credential_style", "basic", "body"],
          ["scope", "", "useraccount"],
        ],
      );
      assert.ok(!JSON.stringify(await audit(provider.sysId)).includes(client.secret), "the secret is in no audit row");
      const again = await patch(provider.sysId, { scope: "useraccount" });
      assert.equal(again.status, 200);
      assert.equal((await audit(provider.sysId)).length, rows.length + 1, "a PATCH that changes nothing writes no audit row");
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
      assert.match(dropped?.reason ?? "", /client ID or token URL origin changed; tokens revoked at the old provider/);
      const moved = (await findProvider(pair.consumer.instance.store.db, provider.sysId))!;
      await obtainToken(pair.consumer.instance, moved, "client_credentials");
      const issued = await pair.peer.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", next.sysId).execute();
      assert.equal(issued.length, 1, "the new token came from the new client");
    });

    test("a token URL on another origin drops the token too; the same origin with another path keeps it", async () => {
      const { provider } = await connected("Moves server");
      const samePlace = await patch(provider.sysId, { token_url: `${pair.peer.base}/oauth_token.do?tenant=a` });
      assert.equal(samePlace.status, 200, samePlace.text);
      assert.equal((await held(provider.sysId))?.status, "healthy");
      const elsewhere = pair.peer.base.replace("127.0.0.1", "localhost");
      assert.notEqual(new URL(elsewhere).origin, new URL(pair.peer.base).origin);
      const moved = await patch(provider.sysId, { token_url: `${elsewhere}/oauth_token.do` });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(moved.headers.get("portcullis-token"), "discarded");
      assert.equal(await held(provider.sysId), undefined);
    });

    test("a refused edit changes nothing and revokes nothing", async () => {
      const { client, provider } = await connected("Refused");
      await recordProvider(pair.consumer.instance, { name: "Taken name", client_id: "taken-client-id", client_secret: "s", token_url: "https://elsewhere.example/oauth_token.do" });
      const before = await tableCounts(pair.consumer.instance.store);
      const refusals: [unknown, RegExp][] = [
        [{ name: "Taken name", client_id: "another-id" }, /name/],
        [{ client_id: "taken-client-id" }, /client_id/],
        [{ default_grant: "authorization_code" }, /authorization_url/],
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
  });
}
