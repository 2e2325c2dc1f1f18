import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { BearerGrantCache } from "../../src/store/bearer-grant-cache.ts";
import { findBearerGrant } from "../../src/store/bearer-store.ts";
import { readerOf, type SqliteReader } from "../../src/store/sqlite-reader.ts";
import { createUser } from "../../src/store/user-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

// The bearer check keeps grants it read while SQLite's data_version stands still. What must
// never happen is a kept grant outliving a change another connection committed.
describe("bearer grants kept on SQLite, and every commit seen", () => {
  let server: TestInstance;
  let client: RegisteredClient;
  let other: SQLite.Database;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    const user = await createUser(server.instance.store.db, { userName: "kept.user", passwordHash: null, roles: ["itil"] }, "test");
    client = await registerClient(server.instance, { grant_types: ["client_credentials"], client_credentials_user: user.userName });
    // Another connection to the same file, as another worker or an operator's sqlite3 shell.
    other = new SQLite(server.instance.store.location);
    other.pragma("busy_timeout = 5000");
  });
  after(async () => {
    other.close();
    await server.close();
  });

  const issue = async () => (await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) })).body.access_token as string;
  const whoami = (token: string) => http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });

  test("a token revoked by another connection is refused on the next call", async () => {
    const token = await issue();
    assert.equal((await whoami(token)).status, 200);
    assert.equal((await whoami(token)).status, 200, "answered again, from the kept grant");
    other.prepare("update oauth_credential set revoked_at = ? where type = 'access_token' and revoked_at is null").run(Date.now());
    assert.equal((await whoami(token)).status, 401);
  });

  test("a role taken away and a user deactivated by another connection apply at once", async () => {
    const token = await issue();
    assert.equal((await whoami(token)).body.result.roles, "itil");
    other.prepare("delete from sys_user_has_role where user = (select sys_id from sys_user where user_name = 'kept.user')").run();
    assert.equal((await whoami(token)).body.result.roles, "");
    other.prepare("update sys_user set active = 0 where user_name = 'kept.user'").run();
    assert.equal((await whoami(token)).status, 401);
    other.prepare("update sys_user set active = 1 where user_name = 'kept.user'").run();
    assert.equal((await whoami(token)).status, 200);
  });

  test("a client deactivated through this instance's own API is refused at once", async () => {
    const token = await issue();
    assert.equal((await whoami(token)).status, 200);
    await server.instance.store.db.updateTable("oauth_entity").set({ active: 0 }).where("client_id", "=", client.clientId).execute();
    assert.equal((await whoami(token)).status, 401);
    await server.instance.store.db.updateTable("oauth_entity").set({ active: 1 }).where("client_id", "=", client.clientId).execute();
  });

  test("a grant kept before the reader was closed is not answered by the reader opened after it", async () => {
    // data_version counts per connection and a new connection starts again from its first
    // value: without care, the reopened reader's first version can equal the one a grant was
    // kept under, while a commit came in between.
    const token = await issue();
    const db = server.instance.store.db;
    readerOf(db)!.close();
    assert.equal((await whoami(token)).status, 200, "kept under the fresh reader's first version");
    assert.equal(await findBearerGrant(db, token), await findBearerGrant(db, token), "kept");
    readerOf(db)!.close();
    other.prepare("update oauth_credential set revoked_at = ? where type = 'access_token' and revoked_at is null").run(Date.now());
    assert.equal((await whoami(token)).status, 401);
  });

  test("a kept grant is frozen: one request cannot change what the next is given", async () => {
    const token = await issue();
    const grant = (await findBearerGrant(server.instance.store.db, token))!;
    assert.equal(await findBearerGrant(server.instance.store.db, token), grant, "the same grant, kept");
    assert.throws(() => grant.roles.push("admin"), TypeError);
    assert.throws(() => ((grant.user as { active: boolean }).active = false), TypeError);
  });
});

describe("BearerGrantCache", () => {
  let version = 1;
  const reader = { dataVersion: () => version } as SqliteReader;

  test("reads once while the version stands, again after it moves, and never keeps an unknown key", () => {
    const cache = new BearerGrantCache<{ n: number }>(reader);
    let reads = 0;
    const read = () => ({ n: ++reads });
    assert.deepEqual(cache.get("a", read), { n: 1 });
    assert.deepEqual(cache.get("a", read), { n: 1 });
    version++;
    assert.deepEqual(cache.get("a", read), { n: 2 });
    assert.equal(cache.get("nothing", () => undefined), undefined);
    assert.equal(cache.size, 1);
  });

  test("holds at most its limit, the oldest dropped first", () => {
    const cache = new BearerGrantCache<{ key: string }>(reader, 3);
    for (const key of ["a", "b", "c", "d"]) cache.get(key, () => ({ key }));
    assert.equal(cache.size, 3);
    let reread = false;
    cache.get("a", () => ((reread = true), { key: "a" }));
    assert.ok(reread, "the oldest was dropped");
    cache.get("d", () => assert.fail("the newest is kept"));
  });
});
