import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/** RFC 6750 §3 with §3.1's code, the description in RFC 6749's character set, so the quoted-string needs no escapes. */
const insufficientScope = /^Bearer realm="portcullis", error="insufficient_scope", error_description="[\x20-\x21\x23-\x5b\x5d-\x7e]+"$/;

describe("RFC 6750 §3.1: a bearer token refused with 403 is challenged with insufficient_scope", () => {
  let server: TestInstance;
  let admin: ApiUser;
  let bob: ApiUser;
  let userless: string;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    admin = await apiUser(server, "admin");
    bob = await apiUser(server, "bob");
    await defineApi(server, admin, "x_scope", "items", [
      { http_method: "GET", relative_path: "/any", operation_script: "return { ok: true };" },
      { http_method: "GET", relative_path: "/itil", roles_required: "itil", operation_script: "return { ok: true };" },
    ]);
    const client = await registerClient(server.instance, { grant_types: ["client_credentials"] });
    const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(issued.status, 200, issued.text);
    userless = issued.body.access_token;
  });
  after(() => server.close());

  const challenged = (res: { status: number; text: string; headers: Headers }, what: string) => {
    assert.equal(res.status, 403, `${what}: ${res.text}`);
    assert.match(res.headers.get("www-authenticate") ?? "", insufficientScope, what);
  };

  test("a token that acts for no user, on every REST API that needs one", async () => {
    const calls: [string, string, string, unknown?][] = [
      ["Table API", "GET", "/api/now/table/incident"],
      ["Aggregate API", "GET", "/api/now/stats/incident?sysparm_count=true"],
      ["Attachment API", "GET", "/api/now/attachment"],
      ["Import Set API", "POST", "/api/now/import/u_people", { name: "x" }],
      ["Batch API", "POST", "/api/now/v1/batch", { rest_requests: [] }],
      ["Scripted REST API", "GET", "/api/x_scope/items/any"],
    ];
    for (const [name, method, path, body] of calls) {
      const res = await api(server, method, path, { token: userless, ...(body === undefined ? {} : { body }) });
      challenged(res, name);
      assert.match(res.headers.get("www-authenticate")!, new RegExp(`client_credentials_user to use the ${name}"$`), name);
      assert.match(res.body.error.detail, /^access_denied: /, "the envelope is unchanged");
    }
  });

  test("the admin APIs refuse a token that acts for no user, so a client named like a user (\"admin\") is never recorded as that user", async () => {
    const client = await registerClient(server.instance, { name: "admin", grant_types: ["client_credentials"] });
    const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(issued.status, 200, issued.text);
    const db = server.instance.store.db;
    const auditRows = async () => (await db.selectFrom("sys_audit").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
    const before = await auditRows();
    const calls: [string, string, unknown?][] = [
      ["GET", "/api/portcullis/connections"],
      ["POST", "/api/portcullis/registry/endpoints", { name: "Made by a client", grant_types: "client_credentials" }],
      ["POST", "/api/portcullis/pipeline/runs", {}],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(server, method, path, { token: issued.body.access_token, ...(body === undefined ? {} : { body }) });
      challenged(res, path);
      assert.equal(res.body.error.message, "this token acts for no user; give the client a client_credentials_user with the admin role to use this API", path);
    }
    assert.equal(await db.selectFrom("oauth_entity").select("sys_id").where("name", "=", "Made by a client").executeTakeFirst(), undefined, "nothing made");
    assert.equal(Number(await auditRows()), Number(before), "nothing recorded");
  });

  test("a user's token the ACL, a resource's roles or the admin APIs refuse", async () => {
    challenged(await api(server, "DELETE", "/api/now/table/incident/0123456789abcdef0123456789abcdef", { token: bob.token }), "delete an incident");
    challenged(await api(server, "GET", "/api/x_scope/items/itil", { token: bob.token }), "a role the resource requires");
    challenged(await api(server, "GET", "/api/portcullis/connections", { token: bob.token }), "an admin API");
  });

  test("HTTP Basic's 403s name no bearer challenge: no token was sent", async () => {
    const asBob = basic(bob.userName, bob.password);
    for (const path of ["/api/x_scope/items/itil", "/api/portcullis/connections"]) {
      const res = await api(server, "GET", path, { authorization: asBob });
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.equal(res.headers.get("www-authenticate"), null, path);
    }
    const acl = await api(server, "DELETE", "/api/now/table/incident/0123456789abcdef0123456789abcdef", { authorization: asBob });
    assert.equal(acl.status, 403, acl.text);
    assert.equal(acl.headers.get("www-authenticate"), null);
  });
});
