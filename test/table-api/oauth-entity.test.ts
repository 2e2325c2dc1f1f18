import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import { sha256 } from "../../src/domain/secrets.ts";
import { updateClient } from "../../src/store/oauth-entity-store.ts";
import { ValidationError } from "../../src/domain/validation.ts";
import { auditHistory } from "../../src/store/audit-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`the Application Registry through /api/now/table/oauth_entity on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
    });
    after(() => server.close());

    test("POST creates a client and shows its generated secret once; only the hash is stored and it works at the token endpoint", async () => {
      const res = await api(server, "POST", "/api/now/table/oauth_entity", { token: admin.token, body: { name: "Reporting", grant_types: "client_credentials", client_credentials_user: "admin" } });
      assert.equal(res.status, 201, res.text);
      const r = res.body.result;
      assert.match(r.client_id, /^[0-9a-f]{32}$/);
      assert.match(r.client_secret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(r.client_secret_hash, undefined);
      assert.equal(r.type, "client");
      assert.equal(r.grant_types, "client_credentials");
      assert.equal(r.pkce_required, "true");
      assert.deepEqual(r.client_credentials_user, { link: `${server.url}/api/now/table/sys_user/${admin.sysId}`, value: admin.sysId });
      const stored = await server.instance.store.db.selectFrom("oauth_entity").select("client_secret_hash").where("sys_id", "=", r.sys_id).executeTakeFirstOrThrow();
      assert.equal(stored.client_secret_hash, sha256(r.client_secret));
      const again = await api(server, "GET", `/api/now/table/oauth_entity/${r.sys_id}`, { token: admin.token });
      assert.equal(again.body.result.client_secret, undefined);
      assert.doesNotMatch(again.text, new RegExp(r.client_secret));
      const token = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(r.client_id, r.client_secret) });
      assert.equal(token.status, 200, token.text);
      const history = await auditHistory(server.instance.store.db, "oauth_entity", r.sys_id);
      assert.ok(history.some((h) => h.fieldname === "client_id" && h.user === "admin" && h.reason === "created"));
    });

    test("the API refuses exactly what the CLI refuses, with the same message, and writes nothing", async () => {
      const cases: Record<string, unknown>[] = [
        { name: "Bad redirect", redirect_url: "http://example.com/cb" },
        { name: "Public cc", public_client: "true", grant_types: "client_credentials" },
        { name: "Bad grant", grant_types: "implicit" },
        { name: "Short life", access_token_lifespan: "5" },
        { name: "" },
        { name: "Secret given", client_secret: "mine" },
        { name: "Unknown user", client_credentials_user: "nobody.here" },
        { name: "T\u0000Y" },
        { name: "R\u001b[31mRED\r\nX" },
        { name: "Nul redirect", redirect_url: "https://a.example/c\u0000b" },
        { name: "Wildcard", redirect_url: "https://*.example/cb" },
        { name: "Bell comment", comments: "ding\u0007" },
      ];
      const counts = await tableCounts(server.instance.store);
      for (const body of cases) {
        const res = await api(server, "POST", "/api/now/table/oauth_entity", { token: admin.token, body });
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        let cliMessage: string | undefined;
        try {
          parseClientCreate(body);
        } catch (error) {
          assert.ok(error instanceof ValidationError);
          cliMessage = error.message;
        }
        if (cliMessage) assert.equal(res.body.error.message, cliMessage);
      }
      assert.deepEqual(await tableCounts(server.instance.store), counts);
    });

    test("a redirect URL stored before the control-character and wildcard rules does not block an edit; a new one is held to them", async () => {
      const client = await registerClient(server.instance, { name: "Grandfathered" });
      const db = server.instance.store.db;
      await db.updateTable("oauth_entity").set({ redirect_url: "https://old.example/a b" }).where("sys_id", "=", client.sysId).execute();
      const deactivated = await updateClient(db, client.sysId, { active: false }, "test");
      assert.equal(deactivated.active, false);
      assert.deepEqual(deactivated.redirectUrls, ["https://old.example/a b"]);
      await assert.rejects(updateClient(db, client.sysId, { redirect_url: ["https://old.example/a b", "https://*.example/cb"] }, "test"), (error: Error) => error instanceof ValidationError && /wildcard/.test(error.message));
    });

    test("a duplicate name is refused", async () => {
      await api(server, "POST", "/api/now/table/oauth_entity", { token: admin.token, body: { name: "Twice", redirect_url: "https://a.example/cb" } });
      const res = await api(server, "POST", "/api/now/table/oauth_entity", { token: admin.token, body: { name: "Twice", redirect_url: "https://a.example/cb" } });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /already exists/);
    });

    test("PATCH goes through the registry's rules: deactivating revokes live tokens; public_client is fixed; client_id is ignored", async () => {
      const created = (await api(server, "POST", "/api/now/table/oauth_entity", { token: admin.token, body: { name: "Deactivate me", grant_types: "client_credentials", client_credentials_user: "admin" } })).body.result;
      const token = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(created.client_id, created.client_secret) });
      const path = `/api/now/table/oauth_entity/${created.sys_id}`;
      const fixed = await api(server, "PATCH", path, { token: admin.token, body: { public_client: "true" } });
      assert.equal(fixed.status, 400);
      // Worded for a record, not only for the pipeline file the same rule serves.
      assert.match(fixed.body.error.message, /has fields that cannot be set here: public_client/);
      const ignored = await api(server, "PATCH", path, { token: admin.token, body: { client_id: "f".repeat(32), comments: "hello" } });
      assert.equal(ignored.status, 200, ignored.text);
      assert.equal(ignored.body.result.client_id, created.client_id);
      assert.equal(ignored.body.result.comments, "hello");
      assert.equal(ignored.headers.get("etag"), '"1"');
      const stale = await api(server, "PATCH", path, { token: admin.token, body: { active: "false" }, headers: { "if-match": '"0"' } });
      assert.equal(stale.status, 412, "the registry's writer checks If-Match too");
      const off = await api(server, "PATCH", path, { token: admin.token, body: { active: "false" }, headers: { "if-match": '"1"' } });
      assert.equal(off.body.result.active, "false");
      const use = await api(server, "GET", "/api/now/table/incident", { token: token.body.access_token });
      assert.equal(use.status, 401, "the client's tokens died with it");
    });

    test("DELETE removes the client and its tokens", async () => {
      const created = (await api(server, "POST", "/api/now/table/oauth_entity", { token: admin.token, body: { name: "Delete me", redirect_url: "https://d.example/cb" } })).body.result;
      assert.equal((await api(server, "DELETE", `/api/now/table/oauth_entity/${created.sys_id}`, { token: admin.token, headers: { "if-match": '"1"' } })).status, 412);
      const res = await api(server, "DELETE", `/api/now/table/oauth_entity/${created.sys_id}`, { token: admin.token, headers: { "if-match": '"0"' } });
      assert.equal(res.status, 204);
      assert.equal((await api(server, "GET", `/api/now/table/oauth_entity/${created.sys_id}`, { token: admin.token })).status, 404);
      assert.equal((await api(server, "DELETE", `/api/now/table/oauth_entity/${created.sys_id}`, { token: admin.token })).status, 404);
    });
  });
}
