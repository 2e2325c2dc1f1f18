import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as userNameParts from "../../src/store/migrations/015-user-name-parts.ts";
import { migrateToLatest } from "../../src/store/migrate.ts";
import { newSystemFields } from "../../src/store/system-fields.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * sys_user.name is calculated from first_name and last_name on the platform: a write that sets
 * either without naming the user gets "first last"; a name given in the same write wins.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`sys_user's name from first_name and last_name through the Table API on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
    });
    after(() => server.close());

    const create = (body: Record<string, unknown>) => api(server, "POST", "/api/now/table/sys_user", { token: admin.token, body });
    const patch = (sysId: string, body: Record<string, unknown>) => api(server, "PATCH", `/api/now/table/sys_user/${sysId}`, { token: admin.token, body });
    const stored = (sysId: string) => server.instance.store.db.selectFrom("sys_user").select(["name", "first_name", "last_name"]).where("sys_id", "=", sysId).executeTakeFirstOrThrow();

    test("a user created with a first and last name and no name is named \"first last\", trimmed", async () => {
      const res = await create({ user_name: "ada.lovelace", first_name: " Ada ", last_name: "Lovelace" });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.result.name, "Ada Lovelace");
      assert.equal(res.body.result.first_name, " Ada ", "the part is kept as given; only the name made of it is trimmed");
      assert.equal(res.body.result.last_name, "Lovelace");
      const onlyLast = await create({ user_name: "mononym", last_name: "Teller" });
      assert.equal(onlyLast.body.result.name, "Teller", "no leading space for a missing first name");
    });

    test("a name given in the same request wins over the calculated one", async () => {
      const res = await create({ user_name: "countess", first_name: "Augusta", last_name: "King", name: "Countess of Lovelace" });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.result.name, "Countess of Lovelace");
      const changed = await patch(res.body.result.sys_id, { last_name: "Byron", name: "Augusta Byron King" });
      assert.equal(changed.status, 200, changed.text);
      assert.equal((await stored(res.body.result.sys_id)).name, "Augusta Byron King");
    });

    test("an update of the last name alone renames the user with the stored first name, and is audited", async () => {
      const { body } = await create({ user_name: "grace", first_name: "Grace", last_name: "Murray" });
      const res = await patch(body.result.sys_id, { last_name: "Hopper" });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result.name, "Grace Hopper");
      const audit = await server.instance.store.db.selectFrom("sys_audit").select(["oldvalue", "newvalue"]).where("documentkey", "=", body.result.sys_id).where("fieldname", "=", "name").where("reason", "!=", "created").execute();
      assert.deepEqual(audit, [{ oldvalue: "Grace Murray", newvalue: "Grace Hopper" }]);
    });

    test("an update that gives neither part leaves the name alone", async () => {
      const { body } = await create({ user_name: "named.apart", first_name: "Edsger", last_name: "Dijkstra", name: "EWD" });
      assert.equal((await patch(body.result.sys_id, { email: "ewd@example.test" })).status, 200);
      assert.equal((await stored(body.result.sys_id)).name, "EWD");
    });

    test("a first name over 50 characters is a 400 naming the field, and nothing is written", async () => {
      const { body } = await create({ user_name: "barbara", first_name: "Barbara", last_name: "Liskov" });
      const res = await patch(body.result.sys_id, { first_name: "B".repeat(51) });
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /first_name: must be at most 50 characters/);
      assert.deepEqual(await stored(body.result.sys_id), { name: "Barbara Liskov", first_name: "Barbara", last_name: "Liskov" });
      const refused = await create({ user_name: "long.last", last_name: "L".repeat(51) });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(await server.instance.store.db.selectFrom("sys_user").select("sys_id").where("user_name", "=", "long.last").executeTakeFirst(), undefined);
    });
  });

  describe(`migration 015 on ${dialect.name}: users made before it keep their name`, () => {
    const handle = migratedStore(dialect);

    test("it is registered with the others and applied by migrateToLatest", async () => {
      await migrateToLatest(handle.store);
      const applied = await handle.store.db.selectFrom("portcullis_migration" as never).select("name" as never).execute();
      assert.ok(applied.some((row) => (row as { name: string }).name === "015-user-name-parts"), JSON.stringify(applied));
    });

    test("a user stored without first and last name keeps the name, with both parts empty", async () => {
      const db = handle.store.db;
      await userNameParts.down(db);
      await db.insertInto("sys_user").values({ ...newSystemFields("test"), user_name: "abel.tuter", name: "Abel Tuter", email: "", password_hash: null, active: 1, failed_attempts: 0, locked_until: null, preferred_language: null } as never).execute();
      await userNameParts.up(db);
      const row = await db.selectFrom("sys_user").select(["name", "first_name", "last_name"]).where("user_name", "=", "abel.tuter").executeTakeFirstOrThrow();
      assert.deepEqual(row, { name: "Abel Tuter", first_name: "", last_name: "" });
    });
  });
}
