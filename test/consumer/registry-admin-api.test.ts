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

  const send = (method: string, path: string, authorization: string, body?: unknown) =>
    http(`${server.base}${path}`, { method, headers: { ...(authorization ? { authorization } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

  test("refuses a wrong password (401) and a user without admin (403), changing nothing", async () => {
    const before = await tableCounts(server.instance.store);
    assert.equal((await send("POST", `${registry}/endpoints`, basic("admin", "wrong"), { name: "X" })).status, 401);
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
});
