import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { createUser } from "../../src/store/user-store.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, tableCounts } from "../support/oauth.ts";

/** RFC 7617 Basic for a user: the password as typed, not form-encoded as client credentials are. */
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
import { dialectsUnderTest } from "../support/stores.ts";

const registry = "/api/portcullis/registry";

describe("the admin JSON API the pipeline uses (HTTP Basic as admin)", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    await createUser(server.instance.store.db, { userName: "itil", name: "Not an admin", passwordHash: await hashPassword("an itil password"), roles: [] }, "test");
  });
  after(() => server.close());

  const send = (method: string, path: string, authorization: string, body?: unknown, headers: Record<string, string> = {}) =>
    http(`${server.base}${path}`, { method, headers: { ...headers, ...(authorization ? { authorization } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

  test("refuses a wrong password (401) and a user without admin (403), changing nothing", async () => {
    const before = await tableCounts(server.instance.store);
    const wrong = await send("POST", `${registry}/endpoints`, basic("admin", "wrong"), { name: "X" });
    assert.equal(wrong.status, 401);
    // RFC 7235 §4.1: the challenge names the scheme that was tried, as the Table API's does, not a Bearer error.
    assert.equal(wrong.headers.get("www-authenticate"), 'Basic realm="portcullis"');
    assert.equal(wrong.body.error.detail, "the user name or password is wrong");
    assert.equal((await send("POST", `${registry}/endpoints`, basic("itil", "an itil password"), { name: "X" })).status, 403);
    assert.equal((await send("GET", `${registry}/providers`, "")).status, 401);
    const after = await tableCounts(server.instance.store);
    assert.deepEqual({ ...after, sys_user: 0 }, { ...before, sys_user: 0 });
  });

  test("bad input is a 400 in the Table API envelope and writes nothing", async () => {
    const before = await tableCounts(server.instance.store);
    const bad = await send("POST", `${registry}/providers`, basic("admin", adminPassword), { name: "P", client_id: "x", client_secret: "s", token_url: "ftp://nope" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.status, "failure");
    assert.match(bad.body.error.message, /token_url/);
    assert.equal((await send("DELETE", `${registry}/providers/nope`, basic("admin", adminPassword))).status, 404);
    // A form body is refused as not JSON, not as URLSearchParams' methods named as unknown fields.
    for (const path of [`${registry}/endpoints`, `${registry}/providers`, "/api/portcullis/pipeline/runs"]) {
      const form = await http(`${server.base}${path}`, { method: "POST", headers: { authorization: basic("admin", adminPassword), "content-type": "application/x-www-form-urlencoded" }, body: "name=x" });
      assert.equal(form.status, 400, `${path}: ${form.text}`);
      assert.equal(form.body.error.message, "the request body must be a JSON object, sent as Content-Type: application/json");
    }
    assert.deepEqual(await tableCounts(server.instance.store), before);
  });

  test("creates an endpoint (secret shown once) and a provider (secret never shown)", async () => {
    const created = await send("POST", `${registry}/endpoints`, basic("admin", adminPassword), { name: "E", redirect_url: "https://a.example/oauth_redirect.do", grant_types: "client_credentials" });
    assert.equal(created.status, 201, created.text);
    assert.ok(created.body.result.client_secret);
    const listed = await send("GET", `${registry}/endpoints?name=E`, basic("admin", adminPassword));
    assert.equal(listed.body.result.length, 1);
    assert.equal(listed.body.result[0].client_secret, undefined);
    const provider = await send("POST", `${registry}/providers`, basic("admin", adminPassword), { name: "P", client_id: "peer-id", client_secret: "the peer secret", token_url: "https://peer.example/oauth_token.do" });
    assert.equal(provider.status, 201, provider.text);
    assert.equal(provider.body.result.client_secret, "");
    assert.ok(!(await send("GET", `${registry}/providers`, basic("admin", adminPassword))).text.includes("the peer secret"));
  });

  test("If-Match: an edit of a version no longer current is a 412 that changes nothing; the ETag is the version", async () => {
    const admin = basic("admin", adminPassword);
    const created = await send("POST", `${registry}/endpoints`, admin, { name: "Versioned", grant_types: "client_credentials" });
    assert.equal(created.headers.get("etag"), '"0"');
    const id = created.body.result.sys_id as string;
    const first = await send("PATCH", `${registry}/endpoints/${id}`, admin, { comments: "first" }, { "if-match": '"0"' });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get("etag"), '"1"');
    assert.equal(first.body.result.sys_mod_count, 1);
    const before = await tableCounts(server.instance.store);
    for (const stale of ['"0"', 'W/"1"', '"0", "7"', '"abc"', '"01"']) {
      const refused = await send("PATCH", `${registry}/endpoints/${id}`, admin, { comments: "lost update" }, { "if-match": stale });
      assert.equal(refused.status, 412, `${stale}: ${refused.text}`);
      assert.match(refused.body.error.detail, /^precondition_failed: If-Match: .+ names no version the record is at; it is now version 1 \(ETag "1"\), saved by admin at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}, and nothing was changed$/);
      assert.ok(refused.body.error.detail.includes(`If-Match: ${stale} names`), refused.body.error.detail);
      assert.match(refused.body.error.message, /now version 1, saved by admin/);
      assert.equal(refused.headers.get("etag"), '"1"');
    }
    const malformed = await send("PATCH", `${registry}/endpoints/${id}`, admin, { comments: "x" }, { "if-match": "1" });
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.error.message, /If-Match/);
    assert.deepEqual(await tableCounts(server.instance.store), before);
    assert.equal((await send("GET", `${registry}/endpoints?name=Versioned`, admin)).body.result[0].comments, "first");
    assert.equal((await send("PATCH", `${registry}/endpoints/${id}`, admin, { comments: "any" }, { "if-match": "*" })).status, 200);
    assert.equal((await send("PATCH", `${registry}/endpoints/${id}`, admin, { comments: "listed" }, { "if-match": '"1",, "2"' })).headers.get("etag"), '"3"', "empty list elements are ignored");
    const staleRegenerate = await send("POST", `${registry}/endpoints/${id}/regenerate_secret`, admin, undefined, { "if-match": '"2"' });
    assert.equal(staleRegenerate.status, 412);
    const regenerated = await send("POST", `${registry}/endpoints/${id}/regenerate_secret`, admin, undefined, { "if-match": '"3"' });
    assert.equal(regenerated.status, 200, regenerated.text);
    assert.equal(regenerated.headers.get("etag"), '"4"');
    assert.equal((await send("PATCH", `${registry}/endpoints/nope`, admin, { comments: "x" }, { "if-match": '"0"' })).status, 404);
    const one = await send("GET", `${registry}/endpoints/Versioned`, admin);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.headers.get("etag"), '"4"');
    assert.deepEqual([one.body.result.sys_id, one.body.result.client_secret], [id, undefined]);
    assert.equal((await send("GET", `${registry}/endpoints/nope`, admin)).status, 404);
    assert.equal((await send("DELETE", `${registry}/endpoints/${id}`, admin, undefined, { "if-match": '"3"' })).status, 412);
    assert.equal((await send("GET", `${registry}/endpoints/${id}`, admin)).status, 200, "a stale DELETE deletes nothing");
    assert.equal((await send("DELETE", `${registry}/endpoints/${id}`, admin, undefined, { "if-match": '"4"' })).status, 204);
    assert.equal((await send("GET", `${registry}/endpoints/${id}`, admin)).status, 404);

    const provider = await send("POST", `${registry}/providers`, admin, { name: "Versioned peer", client_id: "v-id", client_secret: "v secret", token_url: "https://peer.example/oauth_token.do" });
    assert.equal(provider.headers.get("etag"), '"0"');
    const pid = provider.body.result.sys_id as string;
    assert.equal((await send("PATCH", `${registry}/providers/${pid}`, admin, { scope: "useraccount" }, { "if-match": '"0"' })).headers.get("etag"), '"1"');
    const beforeProvider = await tableCounts(server.instance.store);
    const refused = await send("PATCH", `${registry}/providers/${pid}`, admin, { client_id: "other-id" }, { "if-match": '"0"' });
    assert.equal(refused.status, 412, refused.text);
    assert.equal(refused.headers.get("etag"), '"1"');
    assert.deepEqual(await tableCounts(server.instance.store), beforeProvider);
    const single = await send("GET", `${registry}/providers/${pid}`, admin);
    assert.equal(single.headers.get("etag"), '"1"');
    const listed = (await send("GET", `${registry}/providers?name=Versioned%20peer`, admin)).body.result[0];
    assert.deepEqual(single.body.result, listed);
    assert.deepEqual([listed.client_id, listed.scope, listed.sys_mod_count, listed.sys_updated_by], ["v-id", "useraccount", 1, "admin"]);
    assert.equal((await send("DELETE", `${registry}/providers/${pid}`, admin, undefined, { "if-match": '"0"' })).status, 412);
    assert.equal((await send("GET", `${registry}/providers?name=Versioned%20peer`, admin)).body.result.length, 1, "a stale DELETE deletes nothing");
    assert.equal((await send("DELETE", `${registry}/providers/${pid}`, admin, undefined, { "if-match": '"1"' })).status, 204);
  });
});
